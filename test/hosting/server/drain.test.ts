/*
 * A graceful drain (`InteropServer.drain()`): the server takes no new circuit (HTTP 503 for a
 * proxy to retry elsewhere), still resumes its own, lets every call in flight finish both ways,
 * refuses new calls before they are sent, and ends each circuit with SERVER_DRAINING once it is
 * idle, or at the deadline.
 */
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { JSDisconnectedException, registerInvokables, type IJSStreamReference } from '../../../src/index.js';
import { SERVER_DRAINING, type InteropServer, type Refusal } from '../../../src/server.js';
import { connectToServer, SERVER_DRAINING as CLIENT_SERVER_DRAINING } from '../../../src/server-client.js';
import { WebSocket } from 'ws';
import { freshDotNet } from '../../support/page.js';
import { Control, PageFeature, RefusalCode } from '../../../src/protocol/circuit-control.js';
import * as Msg from '../../../src/protocol/message-codes.js';
import { PROTOCOL_VERSION } from '../../../src/protocol/messages.js';
import { deferred, definePageGlobals, openPage, patternBytes, RawPage, readAll, SocketWatch, startServer, type SimulatedPage } from './server-support.js';

/** The raw HTTP answer to a WebSocket upgrade of `path` (its whole text, until the server closes). */
async function rawUpgrade(server: InteropServer, path: string): Promise<string> {
  const socket = net.connect(server.port, '127.0.0.1');
  await once(socket, 'connect');
  socket.write(
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
  );
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  await once(socket, 'close');
  return Buffer.concat(chunks).toString('latin1');
}

function refusals(server: InteropServer): Refusal[] {
  const found: Refusal[] = [];
  server.on('refused', (r) => void found.push(r));
  return found;
}

/** Resolves after the page's client has handled the server's Draining frame (the listener runs after the client's own). */
function draining(watch: SocketWatch): Promise<void> {
  const socket = watch.sockets.at(-1)!;
  return new Promise((resolve) =>
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary && data.toString('utf8', 0, 4) === `[${Control.Draining},`) resolve();
    }),
  );
}

/** A page function that waits for `release` and counts its runs. */
function slowPageFunction(t: TestContext, name: string) {
  const release = deferred<void>();
  const started = deferred<void>();
  const runs: number[] = [];
  definePageGlobals(t, {
    [name]: async (n: number) => {
      runs.push(n);
      started.resolve();
      await release.promise;
      return n * 10;
    },
  });
  return { release, started, runs };
}

/** A host method that waits for `release` and counts its runs. */
function slowHostMethod(t: TestContext, assembly: string) {
  const release = deferred<void>();
  const started = deferred<void>();
  const runs: number[] = [];
  t.after(
    registerInvokables(assembly, {
      Slow: async (n: number) => {
        runs.push(n);
        started.resolve();
        await release.promise;
        return n * 100;
      },
    }),
  );
  return { release, started, runs };
}

/** A page with one call in flight each way, neither finished until released. */
async function busyPage(t: TestContext, server: InteropServer, watch = new SocketWatch()) {
  const page: SimulatedPage = await openPage(t, server, { WebSocket: watch.WebSocket });
  const toPage = slowPageFunction(t, 'drainSlow');
  const toHost = slowHostMethod(t, 'DrainTest');
  const hostCall = page.circuit.js.invokeAsync<number>('drainSlow', 1);
  const pageCall = page.DotNet.invokeMethodAsync<number>('DrainTest', 'Slow', 2);
  await Promise.all([toPage.started.promise, toHost.started.promise]);
  return { page, watch, toPage, toHost, hostCall, pageCall };
}

describe('draining a server', () => {
  test('both entries export the same SERVER_DRAINING', () => {
    assert.equal(CLIENT_SERVER_DRAINING, SERVER_DRAINING);
  });

  test('a new circuit gets HTTP 503 before the upgrade, or the unavailable refusal for a Hello that still arrives; resumes are not refused', async (t) => {
    const server = await startServer(t);
    const found = refusals(server);
    const busy = await busyPage(t, server);
    assert.equal(server.stats().draining, false);
    void server.drain();
    assert.equal(server.stats().draining, true);

    const answer = await rawUpgrade(server, `${server.path}?token=1`);
    assert.match(answer, /^HTTP\/1\.1 503 Service Unavailable\r\n/);
    assert.deepEqual(found.map((r) => r.reason), ['draining']);

    // An upgrade that names a circuit is taken (it may be a resume); a Hello on it is refused.
    const late = await RawPage.open(t, `${server.url}?circuit=whatever`, { hello: false });
    late.send([Msg.Hello, PROTOCOL_VERSION, 0, null, PageFeature.Drain]);
    const end = await late.next((f) => Array.isArray(f) && f[0] === Control.End);
    assert.match(end[1], /draining/);
    assert.equal((await late.closed).code, RefusalCode.Unavailable);
    assert.deepEqual(found.map((r) => r.reason), ['draining', 'draining']);

    // The client in Node reads the status (a browser cannot: there a proxy retries the 503 elsewhere).
    await assert.rejects(connectToServer(server.url, { DotNet: await freshDotNet(), WebSocket: WebSocket as any }), (error: Error) => error.message === `Could not open a circuit at ${server.url}: the server takes no new circuit now (HTTP 503: it is draining for a restart, or overloaded): try again shortly.`);

    busy.toPage.release.resolve();
    busy.toHost.release.resolve();
    assert.deepEqual(await Promise.all([busy.hostCall, busy.pageCall]), [10, 200]);
    assert.equal(await busy.page.connection.ended, SERVER_DRAINING);
  });

  test('calls in flight both ways when the drain starts complete; then the circuit ends with SERVER_DRAINING on both sides', async (t) => {
    const server = await startServer(t);
    const { page, toPage, toHost, hostCall, pageCall } = await busyPage(t, server);
    const ends: string[] = [];
    server.on('circuitEnd', (_c, reason) => void ends.push(reason));
    let drained = false;
    const done = server.drain().then(() => (drained = true));
    toPage.release.resolve();
    assert.equal(await hostCall, 10);
    assert.equal(page.circuit.state, 'connected'); // the page's call still runs on the host
    toHost.release.resolve();
    assert.equal(await pageCall, 200);
    assert.equal(await page.connection.ended, SERVER_DRAINING);
    assert.equal(await page.circuit.ended, SERVER_DRAINING);
    await done;
    assert.equal(drained, true);
    assert.deepEqual(ends, [SERVER_DRAINING]);
    assert.deepEqual([toPage.runs, toHost.runs], [[1], [2]]);
    assert.equal(page.connection.state, 'ended');
    assert.equal(server.stats().circuits, 0);
  });

  test('calls made in a stream both ways while the drain starts: each completes exactly once, or rejects with SERVER_DRAINING having never run', async (t) => {
    const server = await startServer(t);
    const page = await openPage(t, server);
    const hostRan: number[] = [];
    const pageRan: number[] = [];
    const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
    t.after(
      registerInvokables('DrainLoad', {
        Echo: async (i: number) => {
          hostRan.push(i);
          await turn(); // in flight across a turn, as a real method would be
          return i;
        },
      }),
    );
    definePageGlobals(t, {
      drainLoadEcho: async (i: number) => {
        pageRan.push(i);
        await turn();
        return i;
      },
    });
    type Outcome = { i: number; value?: number; error?: unknown };
    /** Calls `call(i)` for i = 0, 1, … a few per turn, until one rejects; every outcome is kept. */
    const callsUntilRefused = async (call: (i: number) => Promise<number>): Promise<Outcome[]> => {
      const outcomes: Promise<Outcome>[] = [];
      let refused = false;
      for (let i = 0; !refused; i++) {
        outcomes.push(call(i).then((value) => ({ i, value }), (error: unknown) => ((refused = true), { i, error })));
        if (i % 5 === 4) await turn();
      }
      return Promise.all(outcomes);
    };
    const toHost = callsUntilRefused((i) => page.DotNet.invokeMethodAsync<number>('DrainLoad', 'Echo', i));
    const toPage = callsUntilRefused((i) => page.circuit.js.invokeAsync<number>('drainLoadEcho', i));
    while (hostRan.length < 50 || pageRan.length < 50) await turn();
    const drained = server.drain();
    assert.equal(await page.connection.ended, SERVER_DRAINING);
    await drained;

    for (const [outcomes, ran, isDrainError] of [
      [await toHost, hostRan, (e: unknown) => e instanceof Error && e.message === SERVER_DRAINING],
      [await toPage, pageRan, (e: unknown) => e instanceof JSDisconnectedException && e.message === SERVER_DRAINING],
    ] as const) {
      const completed = outcomes.filter((o) => !('error' in o));
      const refusedCalls = outcomes.filter((o) => 'error' in o);
      for (const o of completed) assert.equal(o.value, o.i);
      for (const o of refusedCalls) assert.ok(isDrainError(o.error), String(o.error));
      // Ran exactly the calls that completed, each once: none lost, none run without its answer.
      assert.deepEqual([...ran].sort((a, b) => a - b), completed.map((o) => o.i));
      assert.ok(completed.length >= 50 && refusedCalls.length >= 1);
    }
  });

  test('a page call made after Draining rejects at once with SERVER_DRAINING, unsent; the page still answers the host', async (t) => {
    const server = await startServer(t);
    const watch = new SocketWatch();
    const page = await openPage(t, server, { WebSocket: watch.WebSocket });
    const toHost = slowHostMethod(t, 'DrainLate');
    definePageGlobals(t, { drainEcho: (v: string) => `page ${v}` });
    const inFlight = page.DotNet.invokeMethodAsync<number>('DrainLate', 'Slow', 1);
    await toHost.started.promise;
    const told = draining(watch);
    void server.drain();
    await told;
    const before = page.circuit.stats().callsFromJS;
    await assert.rejects(page.DotNet.invokeMethodAsync('DrainLate', 'Slow', 2), (error: Error) => error.message === SERVER_DRAINING);
    toHost.release.resolve();
    assert.equal(await inFlight, 100);
    assert.equal(await page.connection.ended, SERVER_DRAINING);
    assert.deepEqual(toHost.runs, [1]);
    assert.equal(page.circuit.stats().callsFromJS, before);
  });

  test('a host call made after the drain started rejects at once with JSDisconnectedException(SERVER_DRAINING), unsent', async (t) => {
    const server = await startServer(t);
    const { page, toPage, toHost, hostCall, pageCall } = await busyPage(t, server);
    void server.drain();
    await assert.rejects(page.circuit.js.invokeAsync('drainSlow', 3), (error: unknown) => error instanceof JSDisconnectedException && error.message === SERVER_DRAINING);
    toHost.release.resolve();
    assert.equal(await pageCall, 200);
    assert.equal(page.circuit.state, 'connected'); // the host's call still runs on the page
    toPage.release.resolve();
    assert.equal(await hostCall, 10);
    assert.equal(await page.connection.ended, SERVER_DRAINING);
    assert.deepEqual(toPage.runs, [1]);
  });

  test('a page call in flight that hands the host a stream: the host reads it whole after the drain started', async (t) => {
    const server = await startServer(t);
    const page = await openPage(t, server);
    const release = deferred<void>();
    const started = deferred<void>();
    t.after(
      registerInvokables('DrainUpload', {
        Upload: async (reference: IJSStreamReference) => {
          started.resolve();
          await release.promise;
          return (await readAll(reference.openReadStream())).byteLength;
        },
      }),
    );
    const data = patternBytes(200_000); // several chunks, read one call each
    const upload = page.DotNet.invokeMethodAsync<number>('DrainUpload', 'Upload', page.DotNet.createJSStreamReference(data));
    await started.promise;
    void server.drain();
    release.resolve();
    assert.equal(await upload, data.byteLength);
    assert.equal(await page.connection.ended, SERVER_DRAINING);
  });

  test('a page of this server resumes during the drain, and its circuit still ends cleanly', async (t) => {
    const server = await startServer(t);
    const watch = new SocketWatch();
    const { page, toPage, toHost, hostCall, pageCall } = await busyPage(t, server, watch);
    const found = refusals(server);
    const told = draining(watch);
    void server.drain();
    await told;
    const up = once(server, 'connectionUp');
    page.circuit.dropConnection();
    await up;
    assert.equal(page.circuit.state, 'connected');
    assert.ok(new URL(watch.sockets.at(-1)!.url).searchParams.get('circuit'));
    toPage.release.resolve();
    toHost.release.resolve();
    assert.deepEqual(await Promise.all([hostCall, pageCall]), [10, 200]);
    assert.equal(await page.connection.ended, SERVER_DRAINING);
    assert.deepEqual(found, []);
  });

  test('a page that lost its connection before answering Draining is told again when it resumes, and ends once it answers', async (t) => {
    const server = await startServer(t);
    const first = await RawPage.open(t, server.url, { features: PageFeature.Drain });
    const [, id, secret] = first.started;
    const done = server.drain();
    const [, firstDeadline, firstReason] = await first.next((f) => Array.isArray(f) && f[0] === Control.Draining);
    assert.ok(firstDeadline > 0 && firstDeadline <= 30_000); // the default deadline, counted down
    assert.equal(firstReason, SERVER_DRAINING);
    const down = once(server, 'connectionDown');
    first.socket.terminate();
    await down;
    const again = await RawPage.open(t, `${server.url}?circuit=${id}`, { hello: false });
    again.send([Control.Resume, id, secret, 0]);
    await again.next((f) => Array.isArray(f) && f[0] === Control.Resumed);
    const [, deadlineMs, reason] = await again.next((f) => Array.isArray(f) && f[0] === Control.Draining);
    assert.ok(deadlineMs >= 0 && deadlineMs <= 30_000);
    assert.equal(reason, SERVER_DRAINING);
    assert.equal(server.circuit(id)!.state, 'connected'); // no Drained yet
    again.send([Control.Drained]);
    assert.deepEqual(await again.next((f) => Array.isArray(f) && f[0] === Control.End), [Control.End, SERVER_DRAINING]);
    await done;
  });

  test('at the deadline a busy circuit ends; its calls still in flight reject with SERVER_DRAINING', async (t) => {
    const server = await startServer(t);
    const { page, hostCall, pageCall } = await busyPage(t, server);
    hostCall.catch(() => {});
    pageCall.catch(() => {});
    await server.drain({ deadline: 50 });
    await assert.rejects(hostCall, (error: unknown) => error instanceof JSDisconnectedException && error.message === SERVER_DRAINING);
    await assert.rejects(pageCall, (error: Error) => error.message.includes(SERVER_DRAINING));
    assert.equal(await page.connection.ended, SERVER_DRAINING);
    assert.equal(await page.circuit.ended, SERVER_DRAINING);
  });

  test('a client that does not know Draining gets none; its circuit ends with the End frame once idle', async (t) => {
    const server = await startServer(t);
    const page = await RawPage.open(t, server.url, { features: PageFeature.CallFrames | PageFeature.SplitMessages });
    const circuit = server.circuit(page.started[1])!;
    const hostCall = circuit.js.invokeAsync<string>('oldClientEcho', 'x');
    const call = await page.next((f) => Array.isArray(f) && f[0] === Msg.BeginInvokeJS);
    const done = server.drain();
    assert.equal(circuit.state, 'connected'); // a call in flight
    page.send([Msg.EndInvokeJS, call[1], true, JSON.stringify([call[1], true, 'answer'])]);
    assert.equal(await hostCall, 'answer');
    // The page acknowledges the one numbered frame it received (the call), as the client does at the next heartbeat.
    page.send([Control.Ack, 1]);
    assert.deepEqual(await page.next((f) => Array.isArray(f) && f[0] === Control.End), [Control.End, SERVER_DRAINING]);
    await done;
    assert.equal(await circuit.ended, SERVER_DRAINING);
    assert.equal(page.frames.some((f) => Array.isArray(f) && f[0] === Control.Draining), false);
  });

  test('drain() is idempotent: one promise, the first deadline; with no circuit it resolves at once', async (t) => {
    const empty = await startServer(t);
    assert.throws(() => empty.drain({ deadline: -1 }), (error: Error) => error instanceof RangeError && /'deadline'/.test(error.message));
    assert.equal(empty.stats().draining, false);
    await empty.drain();
    assert.equal(empty.stats().draining, true);

    const server = await startServer(t);
    const { page, hostCall, pageCall } = await busyPage(t, server);
    hostCall.catch(() => {});
    pageCall.catch(() => {});
    const first = server.drain({ deadline: 50 });
    const second = server.drain({ deadline: 3_600_000 });
    assert.equal(second, first);
    await first;
    assert.equal(await page.connection.ended, SERVER_DRAINING);
    assert.equal(server.drain(), first);
  });
});
