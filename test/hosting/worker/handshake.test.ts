/*
 * The ready handshake (Hello, Welcome, and the host's Ready for a Hello that was lost): calls
 * made before the other side is attached wait for it, whichever side starts first (Comlink
 * #665 deadlocks exactly there), and a version mismatch is refused with a clear message.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { PROTOCOL_VERSION } from '../../../src/protocol/messages.js';
import { WorkerControl } from '../../../src/protocol/worker-control.js';
import { HOST_WORKER, startWorkerHost } from './support.js';

describe('the Worker handshake', () => {
  test('page calls made before the Worker connects wait for it', async (t) => {
    const gate = new SharedArrayBuffer(4);
    const page = await startWorkerHost(t, { data: { gate } });
    const early = [page.call('Add', 1, 2), page.call('AddAsync', 3, 4)];
    assert.equal(page.host.syncCalls, true); // offered; confirmed by the Welcome
    Atomics.store(new Int32Array(gate), 0, 1);
    Atomics.notify(new Int32Array(gate), 0);
    assert.deepEqual(await Promise.all(early), [3, 7]);
    await page.host.ready;
  });

  test('a page that attaches after the Worker connected still completes the handshake', async (t) => {
    const page = await startWorkerHost(t, { attach: false, data: { announce: true } });
    assert.deepEqual(await page.nextReport(), { connecting: true });
    // The Worker's Ready went to a Worker object nobody listened on; the page's Hello starts it all.
    page.attach();
    assert.equal(await page.call('Add', 20, 22), 42);
  });

  test('a host that speaks another protocol version is refused, naming both versions', async (t) => {
    const worker = new Worker(HOST_WORKER);
    t.after(() => worker.terminate());
    // The host's connectToPage rejects too, and the fixture lets that end the Worker.
    const hostFailed = new Promise<Error>((resolve) => worker.once('error', resolve));
    const answers: unknown[] = [];
    const closed = new Promise<unknown>((resolve) =>
      worker.on('message', (message) => (Array.isArray(message) && message[0] === WorkerControl.Close ? resolve(message) : answers.push(message))),
    );
    worker.postMessage([0, PROTOCOL_VERSION + 1, 1, null]); // a Hello from a page of another release
    const [, reason] = (await closed) as [number, string];
    assert.match(reason, new RegExp(`protocol version ${PROTOCOL_VERSION + 1}, but this host speaks version ${PROTOCOL_VERSION}`));
    assert.match((await hostFailed).message, /^connectToPage: The page speaks jsinterop protocol version/);
  });
});
