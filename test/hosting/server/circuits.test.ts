import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import { WebSocket, WebSocketServer } from 'ws';
import { asInProcess, HostObjectReference, HostStreamReference, JSException, JSInvokable, JSTimeoutError, pageAbortSignal, registerInvokables } from '../../../src/index.js';
import { createInteropServer, type Circuit } from '../../../src/server.js';
import { connectToServer } from '../../../src/server-client.js';
import { REDACTED_CIRCUIT_ERROR } from '../../../src/host/redaction.js';
import { freshDotNet } from '../../support/page.js';
import { definePageGlobals, deferred, isRejected, openPage, patternBytes, RawPage, readAll, startServer } from './server-support.js';

describe('a circuit per connection', () => {
  test('the host calls the page and the page calls the host', async (t) => {
    const server = await startServer(t);
    const unregister = registerInvokables('CircuitsTest', { Add: (a: number, b: number) => a + b });
    t.after(unregister);
    definePageGlobals(t, { circuitsGreet: (name: string) => `hello ${name}` });
    const page = await openPage(t, server);
    assert.equal(await page.circuit.js.invokeAsync('circuitsGreet', 'server'), 'hello server');
    assert.equal(await page.DotNet.invokeMethodAsync('CircuitsTest', 'Add', 2, 3), 5);
    assert.equal(page.circuit.js.hostingModel, 'server');
    assert.equal(page.circuit.state, 'connected');
  });

  test('the runtime is async only: asInProcess throws naming the server', async (t) => {
    const server = await startServer(t);
    const page = await openPage(t, server);
    assert.throws(() => asInProcess(page.circuit.js), { message: /hosted on a server \(async only\)/ });
  });

  test('circuits arrive through onCircuit, the circuit event and async iteration; their end is reported', async (t) => {
    const fromCallback: Circuit[] = [];
    const ends: string[] = [];
    const server = await startServer(t, { onCircuit: (c) => void fromCallback.push(c), onCircuitEnd: (_c, reason) => void ends.push(reason) });
    const iterator = server[Symbol.asyncIterator]();
    const fromEvent = once(server, 'circuit');
    const page = await openPage(t, server);
    const [viaEvent] = await fromEvent;
    const { value: viaIterator } = await iterator.next();
    assert.equal(fromCallback[0], page.circuit);
    assert.equal(viaEvent, page.circuit);
    assert.equal(viaIterator, page.circuit);
    await iterator.return!();
    const ended = once(server, 'circuitEnd');
    page.connection.close('test over');
    const [circuit, reason] = await ended;
    assert.equal(circuit, page.circuit);
    assert.match(reason, /test over/);
    assert.equal(await page.circuit.ended, reason);
    assert.deepEqual(ends, [reason]);
    assert.equal(page.circuit.state, 'ended');
    assert.deepEqual(server.stats(), { circuits: 0, connected: 0, disconnected: 0, opening: 0, draining: false });
  });

  test('an onCircuit that fails ends its circuit, and the page learns it failed', async (t) => {
    const errors: unknown[] = [];
    const server = await startServer(t, {
      onCircuit: async () => {
        throw new Error('no session');
      },
      onError: (error) => void errors.push(error),
    });
    const connection = await connectToServer(server.url, { DotNet: await freshDotNet(), WebSocket: WebSocket as any });
    // The page gets Blazor's fixed text (redaction.test.ts); the host's reason names the error.
    assert.equal(await connection.ended, REDACTED_CIRCUIT_ERROR);
    assert.equal((errors[0] as Error).message, 'no session');
  });

  test('application code that throws from a callback or an event listener is reported to onError; the server goes on', async (t) => {
    const errors: string[] = [];
    const server = await startServer(t, {
      onProtocolError: () => {
        throw new Error('in onProtocolError');
      },
      onCircuitEnd: () => {
        throw new Error('in onCircuitEnd');
      },
      onError: (error) => void errors.push((error as Error).message),
    });
    const hostile = await RawPage.open(t, server.url);
    hostile.send('not json');
    await hostile.next(isRejected);
    const circuit = server.circuit(hostile.started[1])!;
    const down = once(server, 'connectionDown'); // before the listener that throws, which stops those after it
    // It runs inside ws's socket handlers: a throw that escaped would end the test process.
    server.on('connectionDown', () => {
      throw new Error('in a connectionDown listener');
    });
    hostile.socket.terminate();
    await down;
    circuit.end('done');
    assert.deepEqual(errors, ['in onProtocolError', 'in a connectionDown listener', 'in onCircuitEnd']);
    const page = await openPage(t, server);
    definePageGlobals(t, { stillServing: () => 'yes' });
    assert.equal(await page.circuit.js.invokeAsync('stillServing'), 'yes');
  });

  test('ending a circuit from the host tells the page, whose calls then fail', async (t) => {
    const server = await startServer(t);
    const page = await openPage(t, server);
    page.circuit.end('maintenance');
    assert.equal(await page.connection.ended, 'maintenance');
    assert.equal(page.connection.state, 'ended');
    await assert.rejects(page.DotNet.invokeMethodAsync('Any', 'Thing'), /no longer available/);
  });
});

describe('mounting', () => {
  test('attaches to an existing http.Server beside its routes and another WebSocket endpoint', async (t) => {
    const httpServer = http.createServer((_req, res) => res.end('plain route'));
    const other = new WebSocketServer({ noServer: true });
    httpServer.on('upgrade', (req, socket, head) => {
      if (req.url === '/other') other.handleUpgrade(req, socket, head, (ws) => ws.send('other endpoint'));
    });
    await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
    const server = await createInteropServer({ server: httpServer, path: '/interop' });
    // The interop server first: an HTTP server's close waits for upgraded sockets, which it ends.
    t.after(async () => {
      await server.close();
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
    });
    assert.match(server.url, /^ws:\/\/127\.0\.0\.1:\d+\/interop$/);

    const page = await openPage(t, server);
    definePageGlobals(t, { mountedAnswer: () => 42 });
    assert.equal(await page.circuit.js.invokeAsync('mountedAnswer'), 42);
    const response = await fetch(`http://127.0.0.1:${server.port}/`);
    assert.equal(await response.text(), 'plain route');
    const socket = new WebSocket(`ws://127.0.0.1:${server.port}/other`);
    const [message] = await once(socket, 'message');
    assert.equal(message.toString(), 'other endpoint');
    socket.close();
    other.close();
  });

  test('listens on a port of its own when no server is given', async (t) => {
    const server = await startServer(t, { port: 0 });
    assert.ok(server.port > 0);
    const page = await openPage(t, server);
    assert.equal(page.circuit.state, 'connected');
  });
});

class Counter {
  count = 0;
  @JSInvokable()
  increment(by: number): number {
    return (this.count += by);
  }
}

describe('references, byte arrays, streams and cancellation over the network', () => {
  test('a host object sent to the page is callable by it and released by its dispose()', async (t) => {
    const server = await startServer(t);
    const counter = new Counter();
    const reference = HostObjectReference.create(counter);
    definePageGlobals(t, {
      circuitsUseCounter: async (ref: any) => {
        const a = await ref.invokeMethodAsync('increment', 2);
        const b = await ref.invokeMethodAsync('increment', 3);
        await ref.dispose();
        return [a, b];
      },
    });
    const page = await openPage(t, server);
    assert.deepEqual(await page.circuit.js.invokeAsync('circuitsUseCounter', reference), [2, 5]);
    assert.equal(counter.count, 5);
    // dispose() is fire-and-forget on the page; an answered call after it proves it was handled.
    await page.circuit.js.invokeAsync('Math.max', 1);
    assert.equal(page.circuit.stats().hostObjectReferences, 0);
    assert.equal(reference.disposed, true);
  });

  test('byte arrays travel both ways as binary frames, larger than one message', async (t) => {
    const server = await startServer(t);
    const big = patternBytes(200_000);
    definePageGlobals(t, { circuitsEcho: (bytes: Uint8Array) => bytes });
    const page = await openPage(t, server);
    const back = await page.circuit.js.invokeAsync<Uint8Array>('circuitsEcho', big);
    assert.ok(back instanceof Uint8Array);
    assert.deepEqual(back, big);

    let received: Uint8Array | undefined;
    const unregister = registerInvokables('CircuitsBytes', { Take: (bytes: Uint8Array) => ((received = bytes), bytes.length) });
    t.after(unregister);
    assert.equal(await page.DotNet.invokeMethodAsync('CircuitsBytes', 'Take', big), big.length);
    assert.deepEqual(received, big);
  });

  test('a host stream reaches the page, and a page Blob is read by the host as a ReadableStream', async (t) => {
    const server = await startServer(t);
    const data = patternBytes(300_000);
    definePageGlobals(t, {
      circuitsReadStream: async (stream: any) => new Uint8Array(await stream.arrayBuffer()).length,
      circuitsBlob: () => new Blob([data]),
    });
    const page = await openPage(t, server);
    assert.equal(await page.circuit.js.invokeAsync('circuitsReadStream', HostStreamReference.create(data)), data.length);
    const reference = await page.circuit.js.invokeStreamReferenceAsync('circuitsBlob');
    assert.equal(reference.length, data.length);
    assert.deepEqual(await readAll(reference.openReadStream({ maxAllowedSize: 1_000_000 })), data);
    await reference.disposeAsync();
  });

  test("a call aborted by the host's AbortSignal rejects with its reason and aborts the AbortSignal the JS function received", async (t) => {
    const server = await startServer(t);
    const aborted = deferred<string>();
    definePageGlobals(t, {
      circuitsWait: (signal: AbortSignal) =>
        new Promise((_resolve, reject) => {
          signal.addEventListener('abort', () => {
            aborted.resolve((signal.reason as Error).name);
            reject(signal.reason);
          });
        }),
    });
    const page = await openPage(t, server);
    const controller = new AbortController();
    const call = page.circuit.js.with({ signal: controller.signal }).invokeAsync('circuitsWait', pageAbortSignal);
    // The page has the call once its abort signal exists; abort after the page answered an earlier call.
    await page.circuit.js.invokeAsync('Math.max', 0);
    controller.abort(new Error('user gave up'));
    await assert.rejects(call, /user gave up/);
    assert.equal(await aborted.promise, 'AbortError');
  });

  test('a call to a JS function that never settles rejects with JSTimeoutError after defaultTimeout; the circuit stays connected and serves the next calls', { timeout: 10_000 }, async (t) => {
    const server = await startServer(t, { defaultTimeout: 100 });
    const downs: Circuit[] = [];
    server.on('connectionDown', (circuit) => void downs.push(circuit));
    const aborted = deferred<string>();
    definePageGlobals(t, {
      // Settles neither on its own nor when its signal aborts: only the deadline ends the call.
      circuitsNever: (signal: AbortSignal) => new Promise(() => signal.addEventListener('abort', () => aborted.resolve((signal.reason as Error).name))),
      circuitsAdd: (a: number, b: number) => a + b,
    });
    t.after(registerInvokables('CircuitsTimeout', { Twice: (x: number) => 2 * x }));
    const page = await openPage(t, server);
    await assert.rejects(page.circuit.js.invokeAsync('circuitsNever', pageAbortSignal), (error: unknown) => {
      assert.ok(error instanceof JSTimeoutError, `rejected with ${error}`);
      assert.deepEqual([error.identifier, error.timeoutMs], ['circuitsNever', 100]);
      return true;
    });
    assert.equal(await aborted.promise, 'AbortError'); // the page was told to give up too
    // A deadline is not a liveness verdict: the same connection carries on, both ways.
    assert.equal(await page.circuit.js.invokeAsync('circuitsAdd', 2, 3), 5);
    assert.equal(await page.DotNet.invokeMethodAsync('CircuitsTimeout', 'Twice', 21), 42);
    assert.deepEqual([page.circuit.state, page.connection.state, downs.length], ['connected', 'connected', 0]);
    assert.equal(page.circuit.stats().pendingCalls, 0);
  });

  test('a byte array from the page reaches host code as a plain Uint8Array over its own memory, whether it came in one part or several', async (t) => {
    const server = await startServer(t);
    const seen: [kind: string, ownsBuffer: boolean][] = [];
    const record = (bytes: Uint8Array) => void seen.push([Object.getPrototypeOf(bytes).constructor.name, bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength]);
    t.after(registerInvokables('CircuitsBytesKind', { Kind: record }));
    const page = await openPage(t, server);
    await page.DotNet.invokeMethodAsync('CircuitsBytesKind', 'Kind', new Uint8Array(100)); // one part
    await page.DotNet.invokeMethodAsync('CircuitsBytesKind', 'Kind', new Uint8Array(100_000)); // several parts
    assert.deepEqual(seen, [['Uint8Array', true], ['Uint8Array', true]]);
  });

  test('host errors reach the page redacted by default and in full with detailedErrors', async (t) => {
    const unregister = registerInvokables('CircuitsErrors', {
      Fail: () => {
        throw new Error('secret database detail');
      },
    });
    t.after(unregister);
    const plain = await openPage(t, await startServer(t));
    const detailed = await openPage(t, await startServer(t, { detailedErrors: true }));
    await assert.rejects(plain.DotNet.invokeMethodAsync('CircuitsErrors', 'Fail'), (error: Error) => {
      assert.equal(error.message, "There was an exception invoking 'Fail' on assembly 'CircuitsErrors'. For more details turn on detailed exceptions in 'CircuitOptions.DetailedErrors'");
      return true;
    });
    await assert.rejects(detailed.DotNet.invokeMethodAsync('CircuitsErrors', 'Fail'), /secret database detail/);
  });

  test('an unknown assembly: Blazor’s text, one "Error:" prefix and the jsinterop hint with detailedErrors; redacted without', async (t) => {
    const plain = await openPage(t, await startServer(t));
    const detailed = await openPage(t, await startServer(t, { detailedErrors: true }));
    await assert.rejects(detailed.DotNet.invokeMethodAsync('CircuitsShop', 'Price'), (error: Error) => {
      assert.equal(
        String(error).split('\n')[0],
        "Error: There is no loaded assembly with the name 'CircuitsShop'. On a jsinterop host, register the functions before the page calls them: registerInvokables('CircuitsShop', { Price() {…} }).",
      );
      return true;
    });
    await assert.rejects(plain.DotNet.invokeMethodAsync('CircuitsShop', 'Price'), {
      message: "There was an exception invoking 'Price' on assembly 'CircuitsShop'. For more details turn on detailed exceptions in 'CircuitOptions.DetailedErrors'",
    });
  });

  test('JS errors reach the host as JSException', async (t) => {
    const server = await startServer(t);
    const page = await openPage(t, server);
    await assert.rejects(page.circuit.js.invokeAsync('circuitsMissing.fn'), (error: unknown) => error instanceof JSException && /circuitsMissing/.test(error.message));
  });
});
