import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { JSTimeoutError, pageAbortSignal } from '../../src/index.js';
import { test } from '../support/hosting-models.js';
import { deferred, openPage, openWirePage, type Page } from '../support/page.js';

type Settle = { resolve: (value: unknown) => void; reject: (error: unknown) => void };

/**
 * Defines `name` on the page as a function whose promise settles only when the test says so.
 * Returns `call(n)`, which resolves once the page has run the n-th call (from 0): where the page
 * is reached by messages, a call made now arrives later.
 */
function defineControlled(page: Page, name: string): (n: number) => Promise<Settle> {
  const calls: ReturnType<typeof deferred<Settle>>[] = [];
  const slot = (n: number) => (calls[n] ??= deferred<Settle>());
  let arrived = 0;
  page.define(name, () => {
    const call = deferred();
    slot(arrived++).resolve(call);
    return call.promise;
  });
  return (n) => slot(n).promise;
}

/** A safety net, not a timing assertion: if a deadline never fired, the test fails instead of hanging. */
const safety = { timeout: 10_000 };

const timeoutMessage = (identifier: string, ms: number) =>
  `The JavaScript call '${identifier}' did not complete within ${ms} ms. Pass a longer timeout with js.with({ timeout }) or look for a JS function that never settles.`;

describe('timeouts', safety, () => {
  test('js.with({ timeout }) rejects a call that never settles with a JSTimeoutError naming the call', async (t) => {
    const page = await openPage(t);
    defineControlled(page, 'never');
    const error = await page.js
      .with({ timeout: 20 })
      .invokeAsync('never')
      .catch((e: unknown) => e);
    assert.ok(error instanceof JSTimeoutError);
    assert.equal(error.name, 'TimeoutError');
    assert.equal(error.message, timeoutMessage('never', 20));
    assert.equal(error.identifier, 'never');
    assert.equal(error.timeoutMs, 20);
    assert.equal(page.js.stats().pendingCalls, 0);
  });

  test('the runtime’s defaultTimeout applies to every call without its own timeout', async (t) => {
    const page = await openPage(t, { defaultTimeout: 20 });
    defineControlled(page, 'never');
    await assert.rejects(page.js.invokeAsync('never'), {
      name: 'TimeoutError',
      message: timeoutMessage('never', 20),
    });
  });

  test('a per-call timeout overrides the default, and Infinity means no deadline', async (t) => {
    const page = await openPage(t, { defaultTimeout: 20 });
    const controlled = defineControlled(page, 'controlled');
    // Both deadlines would be 20 ms; the unlimited call starts first, so its deadline, had it
    // one, would fire before the other's. When the limited call has timed out, the unlimited
    // one must still be pending: resolving it then must deliver the value.
    const unlimited = page.js.with({ timeout: Infinity }).invokeAsync('controlled');
    const limited = page.js.invokeAsync('controlled');
    await assert.rejects(limited, { name: 'TimeoutError' });
    assert.equal(page.js.stats().pendingCalls, 1);
    (await controlled(0)).resolve('finished');
    assert.equal(await unlimited, 'finished');
  });

  test('a timeout longer than a timer can wait (2^31 − 1 ms) is a far deadline, not a timer that fires at once', async (t) => {
    // Node fires a longer setTimeout after 1 ms, with a TimeoutOverflowWarning (browsers at once):
    // the runtime must wait for such a deadline in steps instead of asking for it in one.
    const overflows: Error[] = [];
    const onWarning = (warning: Error) => void (warning.name === 'TimeoutOverflowWarning' && overflows.push(warning));
    process.on('warning', onWarning);
    t.after(() => void process.off('warning', onWarning));
    const page = await openPage(t);
    const controlled = defineControlled(page, 'controlled');
    const call = page.js.with({ timeout: 2 ** 31 + 1_000 }).invokeAsync('controlled');
    const settle = await controlled(0);
    // Warnings are emitted on the next tick after the timer is set; the page has run the call since.
    await new Promise((resolve) => setImmediate(resolve));
    settle.resolve('answered');
    assert.equal(await call, 'answered');
    assert.deepEqual(overflows, []);
  });

  test('a reference’s with({ timeout }) applies to calls on that reference', async (t) => {
    const page = await openPage(t);
    page.define('makeWaiter', () => ({ wait: () => new Promise(() => {}) }));
    const waiter = (await page.js.invokeObjectReferenceAsync('makeWaiter'))!;
    await assert.rejects(waiter.with({ timeout: 20 }).invokeAsync('wait'), { name: 'TimeoutError', message: timeoutMessage('wait', 20) });
    await waiter.disposeAsync();
  });

  test('a completion that arrives after the timeout is ignored', async (t) => {
    // The completions are read off the dispatcher's calls, which the in-process direct path skips.
    const page = await openWirePage(t);
    const slow = defineControlled(page, 'slow');
    const fast = defineControlled(page, 'fast');
    await assert.rejects(page.js.with({ timeout: 20 }).invokeAsync('slow'), { name: 'TimeoutError' });
    const completions = page.calls('endInvokeJSFromDotNet').length;
    (await slow(0)).resolve('too late');
    // The page's completion is dispatched after its await; a later call's completion is
    // delivered after it, so waiting for that one proves the late one has been handled.
    const next = page.js.invokeAsync('fast');
    (await fast(0)).resolve('next');
    assert.equal(await next, 'next');
    assert.deepEqual(
      page.calls('endInvokeJSFromDotNet').slice(completions).map(([handle, , json]) => [handle, json]),
      [
        [2, '[2,true,"too late"]'],
        [3, '[3,true,"next"]'],
      ],
    );
    assert.equal(page.js.stats().pendingCalls, 0);
  });

  test('an answer that arrives after the timeout is ignored on the direct path too', async (t) => {
    const page = await openPage(t);
    const slow = defineControlled(page, 'slow');
    await assert.rejects(page.js.with({ timeout: 20 }).invokeAsync('slow'), { name: 'TimeoutError' });
    (await slow(0)).resolve('too late');
    const fast = defineControlled(page, 'fast');
    const next = page.js.invokeAsync('fast');
    (await fast(0)).resolve('next');
    assert.equal(await next, 'next');
    assert.equal(page.js.stats().pendingCalls, 0);
  });
});

describe('cancellation with AbortSignal', safety, () => {
  test('aborting rejects the call with the signal’s reason', async (t) => {
    const page = await openPage(t);
    defineControlled(page, 'never');
    const controller = new AbortController();
    const reason = new Error('user navigated away');
    const call = page.js.with({ signal: controller.signal }).invokeAsync('never');
    controller.abort(reason);
    await assert.rejects(call, (error) => error === reason);
    assert.equal(page.js.stats().pendingCalls, 0);
  });

  test('aborting without a reason rejects with the signal’s AbortError', async (t) => {
    const page = await openPage(t);
    defineControlled(page, 'never');
    const controller = new AbortController();
    const call = page.js.with({ signal: controller.signal }).invokeAsync('never');
    controller.abort();
    await assert.rejects(call, (error) => error === controller.signal.reason && (error as Error).name === 'AbortError');
  });

  test('an already-aborted signal rejects at once and sends nothing to the page', async (t) => {
    const page = await openPage(t);
    let called = 0;
    page.define('count', () => ++called);
    const reason = new Error('already cancelled');
    const aborted = AbortSignal.abort(reason);
    await assert.rejects(page.js.with({ signal: aborted }).invokeAsync('count'), (error) => error === reason);
    assert.equal(called, 0);
    assert.equal(page.js.stats().callsToJS, 0);
    assert.equal(page.wire.length, 0);
  });

  test('a signal that is never aborted does not affect the call', async (t) => {
    const page = await openPage(t);
    page.define('answer', () => 42);
    const controller = new AbortController();
    assert.equal(await page.js.with({ signal: controller.signal }).invokeAsync('answer'), 42);
    controller.abort(new Error('after the fact'));
    assert.equal(page.js.stats().pendingCalls, 0);
  });

  test('with() options combine: a timeout and a signal on the same call', async (t) => {
    const page = await openPage(t);
    defineControlled(page, 'never');
    const controller = new AbortController();
    const reason = new Error('aborted first');
    const call = page.js.with({ timeout: 60_000 }).with({ signal: controller.signal }).invokeAsync('never');
    controller.abort(reason);
    await assert.rejects(call, (error) => error === reason);
  });
});

describe('pageAbortSignal: the host giving up reaches JavaScript', safety, () => {
  /** A page function that takes a signal and reports its abort reason; it never settles by itself. */
  function defineAbortable(page: Page) {
    const aborted = deferred<unknown>();
    const received: unknown[] = [];
    page.define('abortable', (signal: AbortSignal) => {
      received.push(signal);
      signal.addEventListener('abort', () => aborted.resolve(signal.reason));
      return new Promise(() => {});
    });
    return { aborted: aborted.promise, received };
  }

  test('the JS function receives an AbortSignal that aborts when the call times out', async (t) => {
    const page = await openPage(t);
    const { aborted, received } = defineAbortable(page);
    await assert.rejects(page.js.with({ timeout: 20 }).invokeAsync('abortable', pageAbortSignal), { name: 'TimeoutError' });
    const reason = await aborted;
    assert.ok(received[0] instanceof AbortSignal);
    assert.ok(reason instanceof DOMException);
    assert.equal(reason.name, 'AbortError');
    assert.equal(reason.message, 'The host cancelled this call.');
    assert.equal(page.calls('beginInvokeJSFromDotNet')[0]![2], '[{"__jsinteropAbortSignal":2}]');
  });

  test('it aborts when the host’s own signal aborts', async (t) => {
    const page = await openPage(t);
    const { aborted } = defineAbortable(page);
    const controller = new AbortController();
    const call = page.js.with({ signal: controller.signal }).invokeAsync('abortable', pageAbortSignal);
    controller.abort(new Error('host navigated away'));
    await assert.rejects(call, { message: 'host navigated away' });
    assert.equal(((await aborted) as DOMException).name, 'AbortError');
  });

  test('it stays quiet when the call completes normally', async (t) => {
    const page = await openPage(t);
    const signals: AbortSignal[] = [];
    page.define('quick', (signal: AbortSignal) => {
      signals.push(signal);
      return 'done';
    });
    assert.equal(await page.js.with({ timeout: 60_000 }).invokeAsync('quick', pageAbortSignal), 'done');
    assert.equal(signals[0]!.aborted, false);
  });
});
