/*
 * The server process of the capacity bench (bench/capacity.ts), started pinned to one core
 * (`taskset -c 0 node --expose-gc dist/bench/support/capacity-server.js`). An interop server
 * with default options on loopback; every circuit is active: about once a second, with jitter,
 * the host calls the page (`capItem(i)`, a small object comes back), and the page calls the host
 * (`Cap.Ping`, registered below) on its own schedule (bench/support/capacity-pages.ts). With
 * argv[2] raw, birpc or capnweb, the same traffic without jsinterop (bench/support/capacity-peers.ts).
 *
 * IPC from the parent:
 *   {cmd: 'window-start'}  resets the counters, the CPU clock and the event-loop delay histogram
 *   {cmd: 'window-end'}    answers {cmd: 'window', …} with what the window measured
 *   {cmd: 'memory'}        two GCs, then answers {cmd: 'memory', circuits, heapUsed, rss} (growth over the fresh server)
 *   {cmd: 'exit'}          exits (so that a --cpu-prof profile is written)
 * env CAPACITY_PROFILE=<dir>: a CPU profile of each measured window (steady load only, no opening
 * of circuits), written to <dir>/capacity-<kind>-<circuits>.cpuprofile.
 * Sends {url} once listening.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInteropServer, type Circuit } from '../../src/server.js';
import { registerInvokables } from '../../src/index.js';
import { servePeer, type PeerKind, type ServerCounts } from './capacity-peers.js';

const gc = (globalThis as any).gc as () => void;

const MAX_SAMPLES = 200_000;
let latencies: number[] = [];
/** What the window reports; the comparison rows' servers count into it too. */
const counts: ServerCounts = {
  hostCalls: 0,
  pageCalls: 0,
  hostFailures: 0,
  circuits: 0,
  record: (ms) => void (latencies.length < MAX_SAMPLES && latencies.push(ms)),
};

/** A page → host call: takes a small object, answers a small object (and counts the calls answered). */
registerInvokables('Cap', { Ping: (item: { id: number }) => (counts.pageCalls++, { id: item.id, ok: true }) });

let circuitsEver = 0;
const ended = new WeakSet<Circuit>();

function schedule(circuit: Circuit, index: number): void {
  // 0.5–1.5 s: one call a second on average, spread so that circuits opened together drift apart.
  const timer = setTimeout(async () => {
    if (ended.has(circuit)) return;
    const started = performance.now();
    try {
      const item = await circuit.js.invokeAsync<{ id: number }>('capItem', index);
      if (item.id !== index) throw new Error(`capItem(${index}) answered ${item.id}`);
      counts.hostCalls++;
      counts.record(performance.now() - started);
    } catch (error) {
      if (ended.has(circuit)) return;
      counts.hostFailures++;
      counts.firstFailure ??= String(error);
    }
    schedule(circuit, index);
  }, 500 + Math.random() * 1000);
  timer.unref();
}

/** argv[2]: `jsinterop`, or a comparison row (bench/support/capacity-peers.ts: raw, birpc, capnweb). */
const kind = process.argv[2] ?? 'jsinterop';

let url: string;
let reconnects = 0;
if (kind !== 'jsinterop') {
  url = await servePeer(kind as PeerKind, counts);
} else {
  // env CAPACITY_SERVER_OPTIONS: JSON of extra server options, for A/B runs ("Infinity" reads as Infinity).
  const extra = JSON.parse(process.env.CAPACITY_SERVER_OPTIONS ?? '{}', (_, v) => (v === 'Infinity' ? Infinity : v));
  const server = await createInteropServer({ port: 0, host: '127.0.0.1', ...extra });
  url = server.url;
  server.on('circuit', (circuit: Circuit) => {
    counts.circuits++;
    schedule(circuit, ++circuitsEver);
  });
  server.on('circuitEnd', (circuit: Circuit) => {
    counts.circuits--;
    ended.add(circuit);
  });
  server.on('connectionUp', () => reconnects++);
}

gc();
gc();
const baseline = process.memoryUsage();
const LOOP_RESOLUTION = 10;
const loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION });
loop.enable();
let cpu = process.cpuUsage();
let windowStart = performance.now();
let pageCallsAtStart = 0;
let reconnectsAtStart = 0;

const profileDir = process.env.CAPACITY_PROFILE;
const profiler = profileDir ? new Session() : undefined;
profiler?.connect();

process.on('message', async (message: { cmd: string }) => {
  if (message.cmd === 'window-start') {
    if (profiler) {
      await profiler.post('Profiler.enable');
      await profiler.post('Profiler.start');
    }
    counts.hostCalls = counts.hostFailures = 0;
    counts.firstFailure = undefined;
    latencies = [];
    loop.reset();
    cpu = process.cpuUsage();
    pageCallsAtStart = counts.pageCalls;
    reconnectsAtStart = reconnects;
    windowStart = performance.now();
  } else if (message.cmd === 'window-end') {
    const used = process.cpuUsage(cpu);
    if (profiler) {
      const { profile } = await profiler.post('Profiler.stop');
      writeFileSync(path.join(profileDir!, `capacity-${kind}-${counts.circuits}.cpuprofile`), JSON.stringify(profile));
    }
    latencies.sort((a, b) => a - b);
    const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
    process.send!({
      cmd: 'window',
      ms: performance.now() - windowStart,
      circuits: counts.circuits,
      hostCalls: counts.hostCalls,
      hostFailures: counts.hostFailures,
      firstFailure: counts.firstFailure,
      pageCalls: counts.pageCalls - pageCallsAtStart,
      reconnects: reconnects - reconnectsAtStart,
      cpuUserUs: used.user,
      cpuSystemUs: used.system,
      hostP50: q(0.5),
      hostP99: q(0.99),
      hostMax: latencies[latencies.length - 1] ?? NaN,
      // The histogram records the time between its 10 ms samples; the delay is what exceeds 10 ms.
      loopP50: Math.max(0, loop.percentile(50) / 1e6 - LOOP_RESOLUTION),
      loopP99: Math.max(0, loop.percentile(99) / 1e6 - LOOP_RESOLUTION),
      loopMax: Math.max(0, loop.max / 1e6 - LOOP_RESOLUTION),
    });
  } else if (message.cmd === 'exit') {
    process.exit(0); // lets --cpu-prof write its profile
  } else if (message.cmd === 'memory') {
    gc();
    gc();
    const now = process.memoryUsage();
    process.send!({ cmd: 'memory', circuits: counts.circuits, heapUsed: now.heapUsed - baseline.heapUsed, rss: now.rss - baseline.rss, external: now.external - baseline.external });
  }
});
process.on('disconnect', () => process.exit(0));
process.send!({ url });
