/*
 * Synchronous host-to-page calls through the SharedArrayBuffer: the host blocks in
 * Atomics.wait, the page answers from its event loop. Results and requests larger than the
 * buffer, byte arrays, ordering with async messages, the deadline, and a page that closes
 * while the host is blocked.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { outcome, startWorkerHost } from './support.js';

describe('sync calls from a Worker host', () => {
  test('every sync member works; JS errors throw JSException; a page-to-host sync call fails with a clear error', async (t) => {
    const page = await startWorkerHost(t);
    page.define('wtAdd', (a: number, b: number) => a + b);
    page.define('wtUnserializable', () => ({ self: globalThis }));
    page.define('wtState', { text: 'initial' });
    page.define('wtCounter', class { constructor(public value: number) {} increment(by: number) { return (this.value += by); } });
    page.define('wtThrow', (input: string) => {
      throw new RangeError(`bad ${input}`);
    });
    page.define('wtCallHostSync', () => page.DotNet.invokeMethod('WorkerTests', 'Add', 1, 2));
    const result = await page.run('syncCalls');
    assert.equal(result.sum, 9);
    assert.equal(result.text, 'set synchronously');
    assert.equal(result.incremented, 2);
    assert.deepEqual(result.error, { error: { name: 'JSException', message: 'bad sync input' } });
    assert.match(result.missing.error.message, /Could not find 'wtNoSuch.fn'/);
    assert.equal(result.pageToHostSync.error.name, 'JSException');
    assert.match(result.pageToHostSync.error.message, /Cannot call 'Add' on 'WorkerTests' synchronously.*Use invokeMethodAsync instead/);
  });

  test('a sync call made the moment the host is connected is answered (the page loads its responder on demand)', async (t) => {
    const page = await startWorkerHost(t, { data: { syncAtStart: 'wtAddAtStart' } });
    page.define('wtAddAtStart', (a: number, b: number) => a + b);
    assert.deepEqual(await page.nextReport(), { syncAtStart: 42 });
    assert.equal(page.host.syncCalls, true);
  });

  test('requests and results larger than the shared buffer arrive whole', async (t) => {
    const page = await startWorkerHost(t, { page: { syncBufferSize: 2048 } });
    page.define('wtEcho', (text: string) => text);
    page.define('wtRepeat', (text: string, count: number) => text.repeat(count));
    assert.deepEqual(await page.run('syncLarge', 100_000), { echoedOk: true, echoedLength: 100_002, madeOk: true });
  });

  test('byte arrays cross in both directions, those of a result inside the sync answer', async (t) => {
    const page = await startWorkerHost(t, { page: { syncBufferSize: 4096 } });
    const pattern = (length: number, step: number) => Uint8Array.from({ length }, (_, i) => (i * step) & 0xff);
    page.define('wtMakeTwoArrays', (length: number) => ({ first: pattern(length, 3), second: pattern(7, 5) }));
    page.define('wtInspectBytes', (bytes: Uint8Array) => ({ type: bytes.constructor.name, length: bytes.length, last: bytes[bytes.length - 1] }));
    const checksum = (bytes: Uint8Array) => bytes.reduce((sum, b, i) => (sum + b * (i + 1)) % 1_000_000_007, 0);
    const result = await page.run('syncBytes', 10_000);
    assert.deepEqual(result.first, [10_000, checksum(pattern(10_000, 3))]);
    assert.deepEqual(result.second, [7, checksum(pattern(7, 5))]);
    assert.deepEqual(result.seen, { type: 'Uint8Array', length: 10_000, last: 9_999 & 0xff });
  });

  test('a sync call runs after the async calls made before it; page calls made during it reach the host afterwards', async (t) => {
    const page = await startWorkerHost(t);
    const pageLog: string[] = [];
    page.define('wtLog', (entry: string) => void pageLog.push(entry));
    page.define('wtLogAndCallHost', (entry: string) => {
      pageLog.push(entry);
      void page.call('Record', 'page call made during the sync call');
      return [...pageLog];
    });
    const result = await page.run('syncOrdering');
    assert.deepEqual(result.during, ['async before', 'sync']);
    // The host was blocked while the page made its call; the call was queued, not lost.
    assert.deepEqual(result.logBeforeYield, ['host after sync call']);
    assert.deepEqual(result.log, ['host after sync call', 'page call made during the sync call']);
    assert.deepEqual(pageLog, ['async before', 'sync', 'async after']);
  });

  test('a sync call the page does not answer in time throws TimeoutError, and its late answer is discarded', async (t) => {
    const flag = new SharedArrayBuffer(4);
    const page = await startWorkerHost(t, { data: { options: { syncTimeout: 100 }, flag } });
    // The page's main thread is busy (blocked here) until the host has given up on the call.
    page.define('wtBlockUntilReleased', () => {
      Atomics.wait(new Int32Array(flag), 0, 0, 10_000); // bounded, so a broken host cannot hang the test run
      return 'late answer';
    });
    page.define('wtAdd', (a: number, b: number) => a + b);
    const result = await page.run('syncDeadline');
    assert.equal(result.timedOut.error.name, 'TimeoutError');
    assert.match(result.timedOut.error.message, /synchronous JavaScript call 'wtBlockUntilReleased' did not complete within 100 ms/);
    assert.equal(result.next, 2);
  });

  test('a page that closes while the host is blocked wakes it with JSDisconnectedException', async (t) => {
    const page = await startWorkerHost(t);
    page.define('wtCloseFromPage', () => {
      page.host.close('the page went away during a sync call');
      return 'never delivered';
    });
    page.define('wtAdd', (a: number, b: number) => a + b);
    const scenario = outcome(page.run('syncWhileClosing'));
    const first = await page.nextReport();
    assert.equal(first.syncWhileClosing.error.name, 'JSDisconnectedException');
    const second = await page.nextReport();
    assert.equal(second.after.error.name, 'JSDisconnectedException');
    assert.equal(second.stats.pendingCalls, 0);
    assert.equal(await scenario, 'the page went away during a sync call');
  });

  test('without sync, the Worker runtime is async only and says why', async (t) => {
    const page = await startWorkerHost(t, { page: { sync: false } });
    await page.host.ready;
    assert.equal(page.host.syncCalls, false);
    const result = await page.run('asyncOnly');
    assert.equal(result.inProcess, false);
    assert.match(result.error.error.message, /hosted in a Worker and the page offered no SharedArrayBuffer/);
  });
});
