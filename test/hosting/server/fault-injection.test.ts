/*
 * Many circuits with calls in flight both ways while connections are cut at random (at the
 * network, by the server, all at once), circuits are ended by the host or the page, and more
 * circuits disconnect at once than the server retains. The calls carry what a circuit keeps
 * tables for: host objects the page calls back into and disposes, JS object references the
 * host calls and disposes, and byte arrays both ways. Every call must complete with its own
 * answer, run at most once, or reject with JSDisconnectedException (host) / the page's
 * "no longer available" error; none may hang. Then, while the surviving circuits are still
 * alive, every table on both sides must be empty and every frame acknowledged.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HostObjectReference, JSDisconnectedException, registerInvokables } from '../../../src/index.js';
import { FaultProxy } from './fault-proxy.js';
import { definePageGlobals, openPage, SocketWatch, startServer, StateLog, type SimulatedPage } from './server-support.js';

/** A small seeded PRNG (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/** Marks a rejection as handled now (it is inspected at the end), so it is not reported as unhandled. */
function settledLater<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {});
  return promise;
}

/**
 * Different bytes for every call, so an array delivered to the wrong call, reassembled from the
 * wrong parts or replayed twice is caught. Lengths run from 0 to past the 32 KB message size,
 * so some arrays travel in several parts and a connection can be cut between two of them.
 */
function bytesFor(n: number): Uint8Array {
  const bytes = new Uint8Array((n * 7919) % 50_000);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + n) & 0xff;
  return bytes;
}

/**
 * Compares byte arrays by content: a single-part array from the page reaches the host as a
 * Node Buffer (see the todo test in circuits.test.ts), a multi-part one as a Uint8Array.
 */
const content = (value: unknown): unknown => (value instanceof Uint8Array ? new Uint8Array(value) : value);

const PAGES = 12;
const ROUNDS = 8;
const CALLS_PER_ROUND = 6;
// Short, so idle pages acknowledge what they received (they do it on heartbeats) within the test.
const HEARTBEAT = 100;
const SEED = Number(process.env.FAULT_SEED ?? 20261123);

interface Watched extends SimulatedPage {
  readonly watch: SocketWatch;
  readonly log: StateLog;
}

/** One call of the test: who started it, its answer if it completes, and how often its code ran. */
interface Call {
  readonly kind: string;
  readonly n: number;
  readonly from: 'host' | 'page';
  readonly expected: unknown;
  readonly result: Promise<unknown>;
  /** The run counts of the functions the call runs (the page's, the host's, or both). */
  readonly runs: () => number[];
}

/** Waits until a page and its circuit agree: both connected (true), or both ended (false). */
async function settle(page: Watched): Promise<boolean> {
  for (;;) {
    const state = page.connection.state;
    if (state === 'ended' || page.circuit.state === 'ended') {
      await Promise.all([page.connection.ended, page.circuit.ended]);
      return false;
    }
    if (state === 'connected' && page.circuit.state === 'connected') return true;
    await Promise.race([page.log.next('connected'), page.connection.ended, page.circuit.ended]);
  }
}

test('calls survive random connection faults or fail with JSDisconnectedException; nothing hangs, and every table is empty while the circuits live', { timeout: 30_000 }, async (t) => {
  const rand = random(SEED);
  // The official package logs a page's dispose() that failed because its circuit had just ended;
  // here that is expected, and anything else it logs is still shown.
  const logError = console.error;
  t.mock.method(console, 'error', (...args: unknown[]) => {
    if (!/no longer available/.test(String(args[0]))) logError(...args);
  });
  const server = await startServer(t, { disconnectedCircuitMaxRetained: 6, disconnectedCircuitRetention: 1_000, heartbeatInterval: HEARTBEAT });
  const proxy = await FaultProxy.start(t, server.port);
  const runs = new Map<string, number>();
  const ran = (kind: string, n: number): void => void runs.set(`${kind} ${n}`, (runs.get(`${kind} ${n}`) ?? 0) + 1);
  const runsOf = (...kinds: string[]) => (n: number) => () => kinds.map((kind) => runs.get(`${kind} ${n}`) ?? 0);
  const hostWork = new Set<Promise<unknown>>();
  const later = <T>(value: T) => new Promise<T>((resolve) => setImmediate(() => resolve(value)));
  const hostLater = <T>(value: T) => {
    const work = later(value);
    hostWork.add(work);
    return work;
  };
  definePageGlobals(t, {
    faultEcho: (n: number) => (ran('page echo', n), later(n)),
    faultEchoBytes: (bytes: Uint8Array, n: number) => (ran('page bytes', n), later(bytes)),
    faultMakeObject: (n: number) => (ran('page object', n), { get: () => n }),
    // Disposes only after a call that worked: after a failed one the circuit is gone, and the
    // official package would log the failed dispose.
    faultUseHostObject: async (reference: { invokeMethodAsync(method: string, ...args: unknown[]): Promise<unknown>; dispose(): void }, n: number) => {
      ran('page uses host object', n);
      const answer = await reference.invokeMethodAsync('echo', n);
      reference.dispose();
      return answer;
    },
  });
  t.after(
    registerInvokables('FaultTest', {
      Echo: (n: number) => (ran('host echo', n), hostLater(n)),
      Bytes: (bytes: Uint8Array, n: number) => (ran('host bytes', n), hostLater(bytes)),
      // The replay buffer as it is when this call arrives: after everything the page sent before it.
      Unacknowledged: (circuitId: string) => {
        const stats = server.circuit(circuitId)!.stats();
        return [stats.unacknowledgedFrames, stats.unacknowledgedBytes];
      },
    }),
  );

  const pages: Watched[] = [];
  for (let i = 0; i < PAGES; i++) {
    const watch = new SocketWatch();
    const log = new StateLog();
    const page = await openPage(t, server, { url: proxy.url(server.path), reconnectDelay: 2, maxReconnectDelay: 20, WebSocket: watch.WebSocket, onStateChange: log.onStateChange });
    pages.push({ ...page, watch, log });
  }
  const circuits = pages.map((p) => p.circuit);

  const calls: Call[] = [];
  const hostObjects: HostObjectReference<object>[] = [];
  /** JS object references the host disposed after a completed call, by page: the page must have forgotten them. */
  const disposedObjects = new Map<Watched, number[]>(pages.map((p) => [p, []]));
  let next = 0;
  const add = (page: Watched, kind: string, from: Call['from'], runs: (n: number) => () => number[], start: (n: number) => Promise<unknown>, expected: (n: number) => unknown = (n) => n) => {
    const n = ++next;
    calls.push({ kind, n, from, expected: expected(n), result: settledLater(start(n)), runs: runs(n) });
  };
  for (let round = 0; round < ROUNDS; round++) {
    for (const page of pages) {
      if (page.connection.state === 'ended') continue;
      const { js } = page.circuit;
      for (let k = 0; k < CALLS_PER_ROUND; k++) {
        add(page, 'host→page echo', 'host', runsOf('page echo'), (n) => js.invokeAsync('faultEcho', n));
        add(page, 'page→host echo', 'page', runsOf('host echo'), (n) => page.DotNet.invokeMethodAsync('FaultTest', 'Echo', n));
      }
      for (let k = 0; k < 2; k++) {
        add(page, 'host object', 'host', runsOf('page uses host object', 'host object echo'), (n) => {
          const reference = HostObjectReference.create({ echo: (m: number) => (ran('host object echo', m), hostLater(m)) }, { invokable: ['echo'] });
          hostObjects.push(reference);
          return js.invokeAsync('faultUseHostObject', reference, n).then((answer) => {
            assert.equal(reference.disposed, true, `the page disposed host object ${reference.id} before answering`);
            return answer;
          });
        });
        add(page, 'JS object', 'host', runsOf('page object'), async (n) => {
          const reference = (await js.invokeObjectReferenceAsync('faultMakeObject', n))!;
          try {
            return await reference.invokeAsync('get');
          } finally {
            await reference.disposeAsync(); // a no-op once the circuit is gone
            disposedObjects.get(page)!.push(reference.id);
          }
        });
        add(page, 'host→page bytes', 'host', runsOf('page bytes'), (n) => js.invokeAsync('faultEchoBytes', bytesFor(n), n), bytesFor);
        add(page, 'page→host bytes', 'page', runsOf('host bytes'), (n) => page.DotNet.invokeMethodAsync('FaultTest', 'Bytes', bytesFor(n), n), bytesFor);
      }
    }
    // Faults, while those calls are in flight.
    const roll = rand();
    if (roll < 0.1) proxy.cut(); // every connection at once: more disconnected circuits than are retained
    for (let i = 0; i < 3; i++) proxy.cutOne(Math.floor(rand() * proxy.open));
    circuits[Math.floor(rand() * PAGES)]!.dropConnection();
    if (rand() < 0.2) circuits[Math.floor(rand() * PAGES)]!.end('the host ended it');
    if (rand() < 0.2) pages[Math.floor(rand() * PAGES)]!.connection.close('the page left');
    // Let some of the calls make progress before the next round's faults.
    await Promise.race(calls.slice(-6).map((c) => c.result)).catch(() => {});
  }

  const outcomes = await Promise.allSettled(calls.map((c) => c.result));
  const completed = new Map<string, number>();
  outcomes.forEach((outcome, i) => {
    const { kind, n, from, expected, runs: counts } = calls[i]!;
    if (outcome.status === 'fulfilled') {
      assert.deepEqual(content(outcome.value), expected, `${kind} ${n}`);
      for (const count of counts()) assert.equal(count, 1, `${kind} ${n} ran ${counts()} times`);
      completed.set(kind, (completed.get(kind) ?? 0) + 1);
    } else {
      if (from === 'host') assert.ok(outcome.reason instanceof JSDisconnectedException, `${kind} ${n} failed with ${outcome.reason}`);
      else assert.match(String(outcome.reason), /no longer available/, `${kind} ${n} failed with ${outcome.reason}`);
      for (const count of counts()) assert.ok(count <= 1, `${kind} ${n} ran ${counts()} times`);
    }
  });
  t.diagnostic(`${[...completed.values()].reduce((a, b) => a + b, 0)} of ${calls.length} calls completed; ${proxy.connections} connections`);
  // Every kind of call completed somewhere, so the checks below are about tables that were used.
  assert.deepEqual([...completed.keys()].sort(), [...new Set(calls.map((c) => c.kind))].sort());

  // Pages between connections come back; pages and circuits that ended agree on it.
  await Promise.all(hostWork);
  const settled = await Promise.all(pages.map(settle));
  const survivors = pages.filter((_, i) => settled[i]);
  t.diagnostic(`${survivors.length} of ${PAGES} circuits survived`);
  assert.ok(survivors.length > 0, 'no circuit survived: nothing left to check');

  for (const page of survivors) {
    const { circuit } = page;
    const stats = circuit.stats();
    assert.deepEqual(
      { pendingCalls: stats.pendingCalls, pendingCallsFromJS: stats.pendingCallsFromJS, hostObjectReferences: stats.hostObjectReferences, jsObjectReferences: stats.jsObjectReferences },
      { pendingCalls: 0, pendingCallsFromJS: 0, hostObjectReferences: 0, jsObjectReferences: 0 },
      `circuit ${circuit.id}`,
    );
    // The page's package forgot every JS object the host disposed.
    for (const id of disposedObjects.get(page)!) {
      assert.throws(() => page.DotNet.findJSFunction('get', id), /does not exist/, `JS object ${id} of circuit ${circuit.id} is still held by its page`);
    }
    // Both sides still carry calls, byte arrays included: no half-received array or stale id is left behind.
    const bytes = bytesFor(4242);
    assert.deepEqual(content(await circuit.js.invokeAsync('faultEchoBytes', bytes, -1)), bytes);
    assert.deepEqual(content(await page.DotNet.invokeMethodAsync('FaultTest', 'Bytes', bytes, -1)), bytes);
  }

  // Every frame sent to a surviving page is acknowledged. Pages acknowledge when a heartbeat
  // finds them behind; a page→host call sent after that reaches the server after the Ack.
  await Promise.all(
    survivors.map(async (page) => {
      for (;;) {
        const sockets = page.watch.sockets.length;
        await page.watch.nextHeartbeat();
        const unacknowledged = await page.DotNet.invokeMethodAsync('FaultTest', 'Unacknowledged', page.circuit.id);
        // On a new connection the Resume acknowledged instead, and the heartbeat seen may be the old one's.
        if (page.watch.sockets.length !== sockets) continue;
        assert.deepEqual(unacknowledged, [0, 0], `circuit ${page.circuit.id}: [frames, bytes] not acknowledged`);
        return;
      }
    }),
  );
  for (const page of survivors) assert.equal(page.circuit.stats().pendingCallsFromJS, 0);

  // Once they end, nothing is left on the server, and every host object a page could reach is
  // released. (A page that is between connections cannot say goodbye, so the host ends what is left.)
  for (const page of pages) page.connection.close();
  for (const circuit of circuits) circuit.end();
  await Promise.all(circuits.map((c) => c.ended));
  assert.deepEqual(server.stats(), { circuits: 0, connected: 0, disconnected: 0, opening: 0, draining: false });
  for (const reference of hostObjects) if (reference.id !== 0) assert.equal(reference.disposed, true, `host object ${reference.id} outlived its circuit`);
});
