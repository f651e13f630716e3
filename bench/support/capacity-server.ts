/*
 * The server process of the capacity bench (bench/capacity.ts), started pinned to one core
 * (`taskset -c 0 node --expose-gc dist/bench/support/capacity-server.js`). An interop server
 * with default options on loopback; every circuit is active: about once a second, with jitter,
 * the host calls the page (`capItem(i)`, a small object comes back), and the page calls the host
 * (`Cap.Ping`, registered below) on its own schedule (bench/support/capacity-pages.ts).
 *
 * IPC from the parent:
 *   {cmd: 'window-start'}  resets the counters, the CPU clock and the event-loop delay histogram
 *   {cmd: 'window-end'}    answers {cmd: 'window', …} with what the window measured
 *   {cmd: 'memory'}        two GCs, then answers {cmd: 'memory', circuits, heapUsed, rss} (growth over the fresh server)
 *   {cmd: 'exit'}          exits (so that a --cpu-prof profile is written)
 * Sends {url} once listening.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { WebSocketServer, type WebSocket } from 'ws';
import { createInteropServer, type Circuit } from '../../src/server.js';
import { registerInvokables } from '../../src/index.js';

const gc = (globalThis as any).gc as () => void;

/** A page → host call: takes a small object, answers a small object (and counts the calls answered). */
registerInvokables('Cap', { Ping: (item: { id: number }) => (pageCalls++, { id: item.id, ok: true }) });

let hostCalls = 0;
let pageCalls = 0;
let hostFailures = 0;
let firstFailure: string | undefined;
let latencies: number[] = [];
const MAX_SAMPLES = 200_000;
let circuits = 0;
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
      hostCalls++;
      if (latencies.length < MAX_SAMPLES) latencies.push(performance.now() - started);
    } catch (error) {
      if (ended.has(circuit)) return;
      hostFailures++;
      firstFailure ??= String(error);
    }
    schedule(circuit, index);
  }, 500 + Math.random() * 1000);
  timer.unref();
}

/**
 * `raw` (argv[2]): the same load over bare `ws` sockets, no RPC: the server sends `[id]` and the page
 * answers a small object as JSON text; the page sends `{"p":id,…}` and the server answers `{"id":…,"ok":true}`.
 * What any server over `ws` pays for this traffic.
 */
const raw = process.argv[2] === 'raw';

function scheduleRaw(socket: WebSocket, index: number, waiting: Map<number, number>): void {
  const timer = setTimeout(() => {
    if (socket.readyState !== socket.OPEN) return;
    waiting.set(index, performance.now());
    socket.send(`[${index}]`);
    scheduleRaw(socket, index, waiting);
  }, 500 + Math.random() * 1000);
  timer.unref();
}

let url: string;
let reconnects = 0;
if (raw) {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', clientTracking: false, perMessageDeflate: false });
  await new Promise((resolve) => wss.once('listening', resolve));
  url = `ws://127.0.0.1:${(wss.address() as { port: number }).port}/`;
  wss.on('connection', (socket) => {
    circuits++;
    const index = ++circuitsEver;
    const waiting = new Map<number, number>();
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString());
      if ('p' in message) {
        pageCalls++;
        socket.send(JSON.stringify({ id: message.p, ok: true }));
      } else {
        const started = waiting.get(message.id);
        waiting.delete(message.id);
        if (started === undefined) return;
        hostCalls++;
        if (latencies.length < MAX_SAMPLES) latencies.push(performance.now() - started);
      }
    });
    socket.on('close', () => circuits--);
    scheduleRaw(socket, index, waiting);
  });
} else {
  // env CAPACITY_SERVER_OPTIONS: JSON of extra server options, for A/B runs ("Infinity" reads as Infinity).
  const extra = JSON.parse(process.env.CAPACITY_SERVER_OPTIONS ?? '{}', (_, v) => (v === 'Infinity' ? Infinity : v));
  const server = await createInteropServer({ port: 0, host: '127.0.0.1', ...extra });
  url = server.url;
  server.on('circuit', (circuit: Circuit) => {
    circuits++;
    schedule(circuit, ++circuitsEver);
  });
  server.on('circuitEnd', (circuit: Circuit) => {
    circuits--;
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

process.on('message', (message: { cmd: string }) => {
  if (message.cmd === 'window-start') {
    hostCalls = hostFailures = 0;
    firstFailure = undefined;
    latencies = [];
    loop.reset();
    cpu = process.cpuUsage();
    pageCallsAtStart = pageCalls;
    reconnectsAtStart = reconnects;
    windowStart = performance.now();
  } else if (message.cmd === 'window-end') {
    const used = process.cpuUsage(cpu);
    latencies.sort((a, b) => a - b);
    const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
    process.send!({
      cmd: 'window',
      ms: performance.now() - windowStart,
      circuits,
      hostCalls,
      hostFailures,
      firstFailure,
      pageCalls: pageCalls - pageCallsAtStart,
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
    process.send!({ cmd: 'memory', circuits, heapUsed: now.heapUsed - baseline.heapUsed, rss: now.rss - baseline.rss, external: now.external - baseline.external });
  }
});
process.on('disconnect', () => process.exit(0));
process.send!({ url });
