/*
 * The ready handshake (Hello, Welcome, and the host's Ready for a Hello that was lost): calls
 * made before the other side is attached wait for it, whichever side starts first (Comlink
 * #665 deadlocks exactly there), and a version mismatch is refused with a clear message.
 */
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { registerInvokables } from '../../../src/index.js';
import { connectToPage, hostInWorker } from '../../../src/worker.js';
import * as Msg from '../../../src/protocol/message-codes.js';
import { PROTOCOL_VERSION } from '../../../src/protocol/messages.js';
import { freshDotNet } from '../../support/page.js';
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

  /**
   * Both halves in this thread over a MessageChannel, the page's port wrapped so the test decides
   * what becomes of each Hello it posts. (A Node port queues messages until someone listens, so
   * a lost Hello, as a browser loses one posted before the Worker listens, has to be made.)
   */
  async function handshakeWith(t: TestContext, helloFate: (helloNumber: number) => 'lose' | 'send' | 'send twice') {
    const { port1: pagePort, port2: hostPort } = new MessageChannel();
    let hellos = 0;
    const page = {
      postMessage(message: unknown, transfer?: any) {
        const fate = Array.isArray(message) && message[0] === Msg.Hello ? helloFate(++hellos) : 'send';
        if (fate !== 'lose') pagePort.postMessage(message, transfer);
        if (fate === 'send twice') pagePort.postMessage(message, transfer);
      },
      on: (event: string, listener: (value: any) => void) => pagePort.on(event, listener),
      off: (event: string, listener: (value: any) => void) => pagePort.off(event, listener),
    };
    const welcomes: unknown[] = [];
    pagePort.on('message', (message) => Array.isArray(message) && message[0] === Msg.Welcome && welcomes.push(message));
    const errors: unknown[] = [];
    const DotNet = await freshDotNet();
    t.after(registerInvokables('HandshakeTests', { Add: (a: number, b: number) => a + b }));
    const worker = hostInWorker(page, { DotNet, sync: false });
    t.after(() => {
      worker.close('the test ended');
      pagePort.close();
    });
    // Made before the host listens: it waits for the Welcome, however long that takes.
    const early = DotNet.invokeMethodAsync('HandshakeTests', 'Add', 1, 2);
    const js = await connectToPage({ port: hostPort as MessagePort, onError: (error) => errors.push(error) });
    await worker.ready;
    return { early, js, worker, welcomes, errors, hellos: () => hellos };
  }

  // The timeouts only bound a failure: a page whose Hello stays lost waits for ever.
  test('a page whose Hello was lost sends it again when the host says Ready', { timeout: 30_000 }, async (t) => {
    const channel = await handshakeWith(t, (n) => (n === 1 ? 'lose' : 'send'));
    assert.equal(await channel.early, 3);
    assert.equal(channel.hellos(), 2);
    assert.equal(await channel.js.invokeAsync('Math.max', 4, 9), 9);
  });

  test('the host answers the first Hello and ignores a second one', { timeout: 30_000 }, async (t) => {
    const channel = await handshakeWith(t, () => 'send twice');
    assert.equal(await channel.early, 3);
    assert.equal(await channel.js.invokeAsync('Math.max', 4, 9), 9); // after the second Hello has been read
    assert.equal(channel.welcomes.length, 1);
    assert.deepEqual(channel.errors, []);
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
