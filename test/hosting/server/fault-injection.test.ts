/*
 * Many circuits with calls in flight both ways while connections are cut at random (at the
 * network, by the server, all at once), circuits are ended by the host or the page, and more
 * circuits disconnect at once than the server retains. Every call must complete with its own
 * answer, run at most once, or reject with JSDisconnectedException (host) / the page's
 * "no longer available" error; none may hang, and every table must be empty at the end.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JSDisconnectedException, registerInvokables } from '../../../src/index.js';
import { FaultProxy } from './fault-proxy.js';
import { definePageGlobals, openPage, startServer, type SimulatedPage } from './server-support.js';

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

const PAGES = 12;
const ROUNDS = 8;
const CALLS_PER_ROUND = 6;
const SEED = Number(process.env.FAULT_SEED ?? 20261123);

test('calls survive random connection faults or fail with JSDisconnectedException; nothing hangs or leaks', { timeout: 30_000 }, async (t) => {
  const rand = random(SEED);
  const server = await startServer(t, { disconnectedCircuitMaxRetained: 6, disconnectedCircuitRetention: 1_000 });
  const proxy = await FaultProxy.start(t, server.port);
  const pageRuns = new Map<number, number>();
  const hostRuns = new Map<number, number>();
  const hostWork = new Set<Promise<number>>();
  const later = <T>(value: T) => new Promise<T>((resolve) => setImmediate(() => resolve(value)));
  definePageGlobals(t, {
    faultEcho: (n: number) => {
      pageRuns.set(n, (pageRuns.get(n) ?? 0) + 1);
      return later(n);
    },
  });
  t.after(
    registerInvokables('FaultTest', {
      Echo: (n: number) => {
        hostRuns.set(n, (hostRuns.get(n) ?? 0) + 1);
        const work = later(n);
        hostWork.add(work);
        return work;
      },
    }),
  );

  const pages: SimulatedPage[] = [];
  for (let i = 0; i < PAGES; i++) pages.push(await openPage(t, server, { url: proxy.url(server.path), reconnectDelay: 2, maxReconnectDelay: 20 }));
  const circuits = pages.map((p) => p.circuit);

  const toPage: { n: number; result: Promise<unknown> }[] = [];
  const toHost: { n: number; result: Promise<unknown> }[] = [];
  let next = 0;
  for (let round = 0; round < ROUNDS; round++) {
    for (const page of pages) {
      if (page.connection.state === 'ended') continue;
      for (let k = 0; k < CALLS_PER_ROUND; k++) {
        const a = ++next;
        toPage.push({ n: a, result: settledLater(page.circuit.js.invokeAsync('faultEcho', a)) });
        const b = ++next;
        toHost.push({ n: b, result: settledLater(page.DotNet.invokeMethodAsync('FaultTest', 'Echo', b)) });
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
    await Promise.race([toPage.at(-1)!.result, toHost.at(-1)!.result]).catch(() => {});
  }

  const [pageResults, hostResults] = await Promise.all([
    Promise.allSettled(toPage.map((c) => c.result)),
    Promise.allSettled(toHost.map((c) => c.result)),
  ]);
  let completed = 0;
  pageResults.forEach((outcome, i) => {
    const { n } = toPage[i]!;
    if (outcome.status === 'fulfilled') {
      assert.equal(outcome.value, n);
      assert.equal(pageRuns.get(n), 1, `host→page call ${n} ran ${pageRuns.get(n)} times`);
      completed++;
    } else {
      assert.ok(outcome.reason instanceof JSDisconnectedException, `host→page call ${n} failed with ${outcome.reason}`);
      assert.ok((pageRuns.get(n) ?? 0) <= 1);
    }
  });
  hostResults.forEach((outcome, i) => {
    const { n } = toHost[i]!;
    if (outcome.status === 'fulfilled') {
      assert.equal(outcome.value, n);
      assert.equal(hostRuns.get(n), 1, `page→host call ${n} ran ${hostRuns.get(n)} times`);
      completed++;
    } else {
      assert.match(String(outcome.reason), /no longer available/, `page→host call ${n} failed with ${outcome.reason}`);
      assert.ok((hostRuns.get(n) ?? 0) <= 1);
    }
  });
  t.diagnostic(`${completed} of ${toPage.length + toHost.length} calls completed; ${pages.filter((p) => p.connection.state === 'ended').length} of ${PAGES} circuits ended; ${proxy.connections} connections`);
  assert.ok(completed > 0);

  // Nothing is left in the tables of the circuits still alive…
  await Promise.all(hostWork);
  for (const circuit of circuits) {
    const stats = circuit.stats();
    assert.deepEqual([stats.pendingCalls, stats.pendingCallsFromJS, stats.hostObjectReferences], [0, 0, 0], `circuit ${circuit.id} (${stats.state})`);
  }
  // …and once they end, nothing is left on the server. (A page that is between connections
  // cannot say goodbye, so the host ends what is left.)
  for (const page of pages) page.connection.close();
  for (const circuit of circuits) circuit.end();
  await Promise.all(circuits.map((c) => c.ended));
  assert.deepEqual(server.stats(), { circuits: 0, connected: 0, disconnected: 0, opening: 0 });
  for (const circuit of circuits) assert.deepEqual([circuit.stats().unacknowledgedFrames, circuit.stats().unacknowledgedBytes], [0, 0]);
});
