import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as nextTask } from 'node:timers/promises';
import { HostObjectReference, JSInvokable } from '../../src/index.js';
import { IN_PROCESS_ONLY, test } from '../support/hosting-models.js';
import { openPage, roundTrip, type InProcessPage, type Page } from '../support/page.js';

const gc = (globalThis as { gc?: () => void }).gc;
const needsGc = gc ? {} : { skip: 'run node with --expose-gc (npm test does)' };

/** Creates a reference and drops it, in a frame of its own so nothing keeps it reachable. */
async function leakOne(page: Page): Promise<number> {
  const ref = await page.js.invokeObjectReferenceAsync('makeBox');
  return ref!.id;
}

function leakOneSync(page: InProcessPage): number {
  const ref = page.js.invokeObjectReference('makeBox')!;
  return ref.id;
}

/** Collects garbage until `done()` holds; finalizers run in tasks after a collection. */
async function collectUntil(done: () => boolean): Promise<void> {
  for (let attempt = 0; attempt < 100 && !done(); attempt++) {
    gc!();
    await nextTask();
  }
  assert.ok(done(), 'the garbage collector did not finalize the dropped reference');
}

class Item {
  @JSInvokable()
  ping(): string {
    return 'pong';
  }
}

describe('no leaks at scale', () => {
  test('100,000 sync create/dispose cycles end with zero live references and zero pending calls', IN_PROCESS_ONLY.syncCalls, async (t) => {
    const page = await openPage(t);
    page.define('makeBox', () => ({}));
    const { js } = page;
    let last = 0;
    for (let i = 0; i < 100_000; i++) {
      const ref = js.invokeObjectReference('makeBox')!;
      last = ref.id;
      ref.dispose();
    }
    page.wire.length = 0;
    const stats = js.stats();
    assert.equal(stats.jsObjectReferences, 0);
    assert.equal(stats.pendingCalls, 0);
    assert.equal(stats.callsToJS, 100_000);
    assert.throws(() => page.DotNet.findJSFunction('valueOf', last), {
      message: `JS object instance with ID ${last} does not exist (has it been disposed?).`,
    });
  });

  test('10,000 async cycles with `await using` end with zero live references and zero pending calls', async (t) => {
    const page = await openPage(t);
    page.define('makeCounter', () => ({ n: 0, bump() { return ++this.n; } }));
    for (let i = 0; i < 10_000; i++) {
      await using counter = await page.js.invokeObjectReferenceAsync('makeCounter');
      assert.equal(await counter!.invokeAsync('bump'), 1);
    }
    page.wire.length = 0;
    // Releases are not counted, though over messages each is a call of Blazor's
    // "DotNet.disposeJSObjectReferenceById" (docs/protocol.md §4): the stats read the same in every model.
    assert.deepEqual(page.js.stats(), {
      jsObjectReferences: 0,
      hostObjectReferences: 0,
      pendingCalls: 0,
      pendingCallsFromJS: 0,
      callsToJS: 20_000,
      callsFromJS: 0,
    });
  });

  test('10,000 host objects called and disposed by the page leave nothing tracked', async (t) => {
    const page = await openPage(t);
    page.define('useAndDispose', async (item: any) => {
      const answer = await item.invokeMethodAsync('ping');
      item.dispose();
      return answer;
    });
    for (let i = 0; i < 10_000; i++) {
      assert.equal(await page.js.invokeAsync('useAndDispose', HostObjectReference.create(new Item())), 'pong');
    }
    await roundTrip(page); // the answer to the last dispose() is still on its way to the page
    page.wire.length = 0;
    const stats = page.js.stats();
    assert.equal(stats.hostObjectReferences, 0);
    assert.equal(stats.pendingCallsFromJS, 0);
    assert.equal(stats.callsFromJS, 20_000);
  });

  test('10,000 host objects called and disposed by the page through sync calls leave nothing tracked', IN_PROCESS_ONLY.syncCalls, async (t) => {
    const page = await openPage(t);
    page.define('useAndDispose', (item: any) => {
      const answer = item.invokeMethod('ping');
      item.dispose();
      return answer;
    });
    for (let i = 0; i < 10_000; i++) {
      assert.equal(page.js.invoke('useAndDispose', HostObjectReference.create(new Item())), 'pong');
    }
    page.wire.length = 0;
    const stats = page.js.stats();
    assert.equal(stats.hostObjectReferences, 0);
    assert.equal(stats.pendingCallsFromJS, 0);
    assert.equal(stats.callsFromJS, 20_000);
  });
});

describe('the garbage-collection safety net', () => {
  test('a reference collected without being disposed releases its JS object', needsGc, async (t) => {
    const page = await openPage(t);
    page.define('makeBox', () => ({}));
    const id = await leakOne(page);
    assert.equal(page.js.stats().jsObjectReferences, 1);
    const released = () => page.calls('disposeJSObjectReferenceById').some(([released]) => released === id);
    await collectUntil(released);
    assert.equal(page.js.stats().jsObjectReferences, 0);
    assert.throws(() => page.DotNet.findJSFunction('valueOf', id), {
      message: `JS object instance with ID ${id} does not exist (has it been disposed?).`,
    });
  });

  // The answer to an async call is read by whatever delivers it (the dispatcher, a MessagePort
  // handler), so the site must be the one where the call was made: this file.
  test('with warnOnLeaks, the host is told once per creation site where the leak came from', needsGc, async (t) => {
    const warn = t.mock.method(console, 'warn', () => {});
    const page = await openPage(t, { warnOnLeaks: true });
    page.define('makeBox', () => ({}));
    const ids = [await leakOne(page), await leakOne(page)];
    await collectUntil(() => page.js.stats().jsObjectReferences === 0);
    assert.equal(warn.mock.callCount(), 1);
    const message = String(warn.mock.calls[0]!.arguments[0]);
    const id = ids.find((candidate) => message.includes(`(id ${candidate})`));
    assert.ok(id !== undefined, message);
    assert.ok(
      message.startsWith(
        `jsinterop: a JS object reference (id ${id}) was garbage-collected without being disposed; its JS object has been released for you. ` +
          'Dispose references with `await using` or disposeAsync(). It was created at ',
      ),
      message,
    );
    assert.match(message, /leaks\.test\.js/);
  });

  test('with warnOnLeaks, a reference from a sync call is reported where the call was made', { ...needsGc, ...IN_PROCESS_ONLY.syncCalls }, async (t) => {
    const warn = t.mock.method(console, 'warn', () => {});
    const page = await openPage(t, { warnOnLeaks: true });
    page.define('makeBox', () => ({}));
    leakOneSync(page);
    await collectUntil(() => page.js.stats().jsObjectReferences === 0);
    assert.equal(warn.mock.callCount(), 1);
    assert.match(String(warn.mock.calls[0]!.arguments[0]), /It was created at .*leaks\.test\.js/);
  });

  test('without warnOnLeaks, a collected reference is released silently', needsGc, async (t) => {
    const warn = t.mock.method(console, 'warn', () => {});
    const page = await openPage(t);
    page.define('makeBox', () => ({}));
    await leakOne(page);
    await collectUntil(() => page.js.stats().jsObjectReferences === 0);
    assert.equal(warn.mock.callCount(), 0);
  });
});
