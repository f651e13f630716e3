/*
 * Host-to-page calls through a real worker_threads Worker: every call type and result kind,
 * module import, JS object references, errors and deadlines. The host code runs in the Worker
 * (fixtures/scenarios.ts); these tests play the page.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fixtureUrl } from '../../support/page.js';
import { startWorkerHost } from './support.js';

describe('host to page calls through a Worker', () => {
  test('the host runs in a Worker, and with a SharedArrayBuffer (always in Node) its runtime is in-process', async (t) => {
    const page = await startWorkerHost(t);
    await page.host.ready;
    assert.equal(page.host.syncCalls, true);
    assert.deepEqual(await page.run('hostingModel'), { model: 'worker', inProcess: true });
  });

  test('every call type and result kind', async (t) => {
    const page = await startWorkerHost(t);
    page.define('wtAdd', (a: number, b: number) => a + b);
    page.define('wtUnserializable', () => ({ self: globalThis, fn: () => 1 }));
    page.define('wtState', { text: 'initial' });
    page.define('wtCounter', class { value: number; constructor(start: number) { this.value = start; } increment(by: number) { return (this.value += by); } });
    page.define('wtMakeObject', () => ({ name: () => 'made' }));
    page.define('wtReturnNull', () => null);
    const result = await page.run('callKinds');
    assert.deepEqual(result, {
      sum: 5,
      voidResult: null,
      text: 'initial',
      incremented: 15,
      value: 15,
      nullRef: null,
      named: 'made',
      before: 2,
      after: 0,
    });
    assert.equal((globalThis as any).wtState.text, 'changed');
  });

  test('a module imported by the host is called through its reference, async and sync', async (t) => {
    const page = await startWorkerHost(t);
    const result = await page.run('importModule', fixtureUrl('math-module.js'));
    assert.deepEqual(result, { added: 3, later: 7, onModule: true, incremented: 3, answer: 42, syncAdded: 42 });
  });

  test('JS errors reach the host as JSException with the page message', async (t) => {
    const page = await startWorkerHost(t);
    page.define('wtThrow', (input: string) => {
      throw new TypeError(`rejected ${input}`);
    });
    page.define('wtReject', () => Promise.reject(new Error('async failure')));
    page.define('wtState', { text: 'not a function' });
    const result = await page.run('errors');
    assert.deepEqual(result.thrown, { error: { name: 'JSException', message: 'rejected bad input' } });
    assert.deepEqual(result.rejected, { error: { name: 'JSException', message: 'async failure' } });
    assert.equal(result.missing.error.name, 'JSException');
    assert.match(result.missing.error.message, /Could not find 'wtNoSuch.fn' \('wtNoSuch' was undefined\)/);
    assert.match(result.notAFunction.error.message, /The value 'wtState' is not a function/);
  });

  test('a call past its deadline rejects with TimeoutError, and the page sees its AbortSignal abort', async (t) => {
    const page = await startWorkerHost(t);
    let aborted!: (reason: unknown) => void;
    const abortSeen = new Promise((resolve) => (aborted = resolve));
    page.define('wtNever', (signal: AbortSignal) => {
      signal.addEventListener('abort', () => aborted((signal.reason as Error).name));
      return new Promise(() => {});
    });
    const result = await page.run('timeout');
    assert.equal(result.timedOut.error.name, 'TimeoutError');
    assert.match(result.timedOut.error.message, /'wtNever' did not complete within 30 ms/);
    assert.equal(result.pending, 0);
    assert.equal(await abortSeen, 'AbortError');
  });
});
