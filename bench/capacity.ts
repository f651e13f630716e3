/*
 * Capacity bench (`npm run bench -- capacity`): how many active circuits one core serves.
 *
 * The server (bench/support/capacity-server.ts) runs in its own process pinned to core 0
 * (`taskset -c 0`); load generators (bench/support/capacity-pages.ts) run in other processes
 * pinned to core 1, each holding many pages: the official package (one instance per page) with
 * the real client `connectToServer`, over loopback. Every circuit is active: about once a second,
 * with jitter, one host → page call answered with a small object and one page → host call; now
 * and then a page's socket drops and the client resumes the circuit.
 *
 * N is ramped (pages are added, never closed between steps); each step settles, then measures a
 * window. The ramp stops when the p99 round trip passes 100 ms, a call fails, or the steps run out.
 * Reported per step: round trips (p50/p99, both directions), the server's CPU µs per call
 * (process.cpuUsage over calls answered), its heap and RSS per circuit (after GC, over a fresh
 * server's), its event-loop delay, and how busy the load generators were. Then, per server, the
 * largest N within p99 ≤ 100 ms and the circuits one core would serve by CPU (with the arithmetic),
 * and each row's CPU per call beside raw ws's at the same N.
 *
 *   env CAPACITY_STEPS=250,500,1000   the ramp (default 250,500,1000,2000,3000,4000,6000,8000,12000,16000,20000)
 *       CAPACITY_WINDOW_MS=10000      measured window per step; CAPACITY_SETTLE_MS=3000 before it
 *       CAPACITY_GENERATORS=2         load generator processes (all on the second core)
 *       CAPACITY_RECONNECT_S=120      mean seconds between dropped sockets, per page
 *       CAPACITY_KINDS=jsinterop,raw  which servers to ramp, in turn (default jsinterop,raw,birpc,capnweb):
 *                                     raw is the same traffic over bare ws sockets, no RPC (the transport's
 *                                     share); birpc and capnweb the peers over ws (bench/support/capacity-peers.ts)
 *       CAPACITY_NO_PIN=1             do not pin (when taskset is missing or there is one core)
 *       CAPACITY_ALL_STEPS=1          measure every step even past p99 100 ms (CPU per call on a busy machine)
 *       CAPACITY_PEER_PAGE_US=25      µs of CPU a comparison row's page spends per message and per call it starts
 *                                     (default 0): evens the generators' load with jsinterop's heavier pages
 *       CAPACITY_SERVER_OPTIONS='{"heartbeatInterval":2147483647}'   extra createInteropServer options (A/B runs)
 *       CAPACITY_SERVER_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof'   extra node options for the server
 */
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchRow } from './support/harness.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const P99_LIMIT_MS = 100;
const TARGET_CIRCUITS = 20_000;
const TARGET_HEAP = 16 * 1024;

const env = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
const steps = (process.env.CAPACITY_STEPS ?? '250,500,1000,2000,3000,4000,6000,8000,12000,16000,20000').split(',').map(Number);
const windowMs = env('CAPACITY_WINDOW_MS', 10_000);
const settleMs = env('CAPACITY_SETTLE_MS', 3_000);
const generators = env('CAPACITY_GENERATORS', 2);
const KINDS = ['jsinterop', 'raw', 'birpc', 'capnweb'] as const;
type Kind = (typeof KINDS)[number];
/** Which servers to ramp (CAPACITY_KINDS; CAPACITY_KIND, one kind, is read too). */
const kinds = (process.env.CAPACITY_KINDS ?? process.env.CAPACITY_KIND ?? KINDS.join(',')).split(',').map((k) => {
  if (!(KINDS as readonly string[]).includes(k)) throw new Error(`CAPACITY_KINDS: unknown server '${k}' (known: ${KINDS.join(', ')})`);
  return k as Kind;
});
const LABELS: Record<Kind, string> = { jsinterop: 'jsinterop circuits (official package + connectToServer)', raw: 'bare ws, no RPC (the transport)', birpc: 'birpc 4 over ws, JSON', capnweb: "Cap'n Web 0.12 over ws" };

interface ServerWindow {
  ms: number;
  circuits: number;
  hostCalls: number;
  hostFailures: number;
  firstFailure?: string;
  pageCalls: number;
  reconnects: number;
  cpuUserUs: number;
  cpuSystemUs: number;
  hostP50: number;
  hostP99: number;
  hostMax: number;
  loopP50: number;
  loopP99: number;
  loopMax: number;
}
interface PagesWindow {
  ms: number;
  pages: number;
  calls: number;
  failures: number;
  firstFailure?: string;
  drops: number;
  latencies: number[];
  cpuUs: number;
  loopP99: number;
}
interface Memory {
  circuits: number;
  heapUsed: number;
  rss: number;
}

export interface CapacityStep {
  readonly circuits: number;
  readonly callsPerSec: number;
  readonly hostToPageP50: number;
  readonly hostToPageP99: number;
  readonly pageToHostP50: number;
  readonly pageToHostP99: number;
  readonly p99: number;
  readonly failures: number;
  readonly reconnects: number;
  readonly cpuUsPerCall: number;
  readonly systemUsPerCall: number;
  readonly serverCpu: number;
  readonly generatorCpu: number;
  readonly heapPerCircuit: number;
  readonly rssPerCircuit: number;
  readonly loopP50: number;
  readonly loopP99: number;
  readonly loopMax: number;
  readonly firstFailure?: string;
}

function pinning(): { server: string[]; pages: string[]; how: string } {
  const cores = os.cpus().length;
  const taskset = spawnSync('taskset', ['--version']).status === 0;
  if (process.env.CAPACITY_NO_PIN || !taskset || cores < 2) {
    return { server: [], pages: [], how: `not pinned (${!taskset ? 'no taskset' : cores < 2 ? 'one core' : 'CAPACITY_NO_PIN'})` };
  }
  const rest = cores === 2 ? '1' : `1-${cores - 1}`;
  return { server: ['taskset', '-c', '0'], pages: ['taskset', '-c', rest], how: `server: taskset -c 0; load generators: taskset -c ${rest}` };
}

/** Starts `script` under `prefix` (taskset) with an IPC channel. */
function start(prefix: string[], nodeArgs: string[], script: string, args: string[]): ChildProcess {
  const [command, ...rest] = prefix.length ? [...prefix, process.execPath] : [process.execPath];
  // fork() cannot put taskset in front of node; spawn with an 'ipc' stdio entry does the same.
  return fork(script, args, { execPath: command!, execArgv: [...rest, ...nodeArgs] as string[], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

function request<T>(child: ChildProcess, message: object, answer: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onMessage = (m: any) => {
      if (m?.cmd !== answer) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(m as T);
    };
    const onExit = (code: number | null) => reject(new Error(`a bench process exited (${code}) while waiting for '${answer}'`));
    child.on('message', onMessage);
    child.once('exit', onExit);
    child.send(message);
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const quantile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;

export async function measureCapacity(kind: Kind): Promise<{ steps: CapacityStep[]; pinned: string }> {
  const pin = pinning();
  const serverArgs = process.env.CAPACITY_SERVER_ARGS?.split(' ').filter(Boolean) ?? [];
  const server = start(pin.server, ['--expose-gc', ...serverArgs], path.join(here, 'support', 'capacity-server.js'), [kind]);
  const [{ url }] = (await once(server, 'message')) as [{ url: string }];
  const pages: ChildProcess[] = [];
  for (let i = 0; i < generators; i++) {
    const child = start(pin.pages, ['--max-old-space-size=8192'], path.join(here, 'support', 'capacity-pages.js'), [url, kind]);
    await once(child, 'message');
    pages.push(child);
  }
  const results: CapacityStep[] = [];
  let open = 0;
  try {
    for (const n of steps) {
      // Spread the new pages over the generators.
      const more = n - open;
      if (more <= 0) continue;
      const opened = await Promise.all(pages.map((p, i) => request<{ pages: number; failures: number; firstFailure?: string }>(p, { cmd: 'open', count: Math.floor(more / generators) + (i < more % generators ? 1 : 0) }, 'opened')));
      open = n;
      const openFailures = opened.reduce((s, o) => s + o.failures, 0);
      if (openFailures) {
        console.log(`capacity: ${openFailures} pages could not connect at N = ${n}: ${opened.find((o) => o.firstFailure)?.firstFailure}`);
        break;
      }
      await sleep(settleMs);
      server.send({ cmd: 'window-start' });
      for (const p of pages) p.send({ cmd: 'window-start' });
      await sleep(windowMs);
      const [sw, ...pw] = await Promise.all([request<ServerWindow>(server, { cmd: 'window-end' }, 'window'), ...pages.map((p) => request<PagesWindow>(p, { cmd: 'window-end' }, 'window'))]);
      const memory = await request<Memory>(server, { cmd: 'memory' }, 'memory');
      const pageLatencies = pw.flatMap((w) => w.latencies).sort((a, b) => a - b);
      const calls = sw.hostCalls + sw.pageCalls;
      const failures = sw.hostFailures + pw.reduce((s, w) => s + w.failures, 0);
      const pageToHostP99 = quantile(pageLatencies, 0.99);
      const step: CapacityStep = {
        circuits: sw.circuits,
        callsPerSec: (calls / sw.ms) * 1000,
        hostToPageP50: sw.hostP50,
        hostToPageP99: sw.hostP99,
        pageToHostP50: quantile(pageLatencies, 0.5),
        pageToHostP99,
        p99: Math.max(sw.hostP99, pageToHostP99),
        failures,
        reconnects: sw.reconnects,
        cpuUsPerCall: (sw.cpuUserUs + sw.cpuSystemUs) / calls,
        systemUsPerCall: sw.cpuSystemUs / calls,
        serverCpu: (sw.cpuUserUs + sw.cpuSystemUs) / 1000 / sw.ms,
        generatorCpu: pw.reduce((s, w) => s + w.cpuUs / 1000 / w.ms, 0),
        heapPerCircuit: memory.heapUsed / memory.circuits,
        rssPerCircuit: memory.rss / memory.circuits,
        loopP50: sw.loopP50,
        loopP99: sw.loopP99,
        loopMax: sw.loopMax,
        ...(failures ? { firstFailure: sw.firstFailure ?? pw.find((w) => w.firstFailure)?.firstFailure } : {}),
      };
      results.push(step);
      console.log(formatStep(step));
      if ((step.p99 > P99_LIMIT_MS && !process.env.CAPACITY_ALL_STEPS) || failures) break;
    }
  } finally {
    for (const p of pages) p.kill();
    const exited = once(server, 'exit');
    server.send({ cmd: 'exit' });
    // The bound on waiting must not itself hold the bench's process open for its 10 s once the server has exited.
    let bound: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise((resolve) => (bound = setTimeout(resolve, 10_000)))]);
    clearTimeout(bound);
    server.kill();
  }
  return { steps: results, pinned: pin.how };
}

const ms = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

export const HEADER = '| circuits | calls/s | host → page p50 / p99 (ms) | page → host p50 / p99 (ms) | failures | reconnects | server CPU | µs CPU / call (of it system) | heap / circuit | RSS / circuit | loop delay p50 / p99 / max (ms) | generators CPU |';

function formatStep(s: CapacityStep): string {
  return `| ${s.circuits.toLocaleString('en-US')} | ${Math.round(s.callsPerSec).toLocaleString('en-US')} | ${ms(s.hostToPageP50)} / ${ms(s.hostToPageP99)} | ${ms(s.pageToHostP50)} / ${ms(s.pageToHostP99)} | ${s.failures} | ${s.reconnects} | ${(s.serverCpu * 100).toFixed(0)} % | ${s.cpuUsPerCall.toFixed(1)} (${s.systemUsPerCall.toFixed(1)}) | ${kb(s.heapPerCircuit)} | ${kb(s.rssPerCircuit)} | ${ms(s.loopP50)} / ${ms(s.loopP99)} / ${ms(s.loopMax)} | ${(s.generatorCpu * 100).toFixed(0)} % |`;
}

/** The ramp's last step within p99 ≤ 100 ms and without failures, and the step that ended the ramp. */
function verdict(steps: CapacityStep[]): { best: CapacityStep | undefined; last: CapacityStep | undefined } {
  const within = steps.filter((s) => s.p99 <= P99_LIMIT_MS && !s.failures);
  return { best: within[within.length - 1], last: steps[steps.length - 1] };
}

const n = (v: number) => Math.round(v).toLocaleString('en-US');

/**
 * How many active circuits one core serves by CPU. Each circuit makes 2 calls a second, so one core
 * (10⁶ µs of CPU a second) serves 10⁶ / (2 × µs per call). Once with all costs at the best step; once
 * from the marginal cost between the first step of at least 1,000 and the best one (the CPU a call
 * adds), with the fixed share of the core (timers, heartbeats, GC of the idle heap) taken off.
 */
function extrapolate(kind: Kind, steps: CapacityStep[], best: CapacityStep): string[] {
  const lines = [`${kind}: all costs at N = ${n(best.circuits)}: 10⁶ / (2 × ${best.cpuUsPerCall.toFixed(1)}) ≈ ${n(1e6 / (2 * best.cpuUsPerCall))} circuits per core`];
  const from = steps.find((s) => s.circuits >= 1000 && s.circuits < best.circuits);
  if (from) {
    const marginal = ((best.serverCpu - from.serverCpu) * 1e6) / (best.callsPerSec - from.callsPerSec);
    const fixed = Math.max(0, best.serverCpu - (best.callsPerSec * marginal) / 1e6);
    lines.push(
      `${kind}: marginal, N = ${n(from.circuits)} → ${n(best.circuits)}: (${(best.serverCpu * 100).toFixed(0)} % − ${(from.serverCpu * 100).toFixed(0)} %) of a core / (${n(best.callsPerSec)} − ${n(from.callsPerSec)}) calls/s = ${marginal.toFixed(1)} µs a call, ` +
        `fixed ${(fixed * 100).toFixed(0)} % of the core; (1 − ${fixed.toFixed(2)}) × 10⁶ / (2 × ${marginal.toFixed(1)}) ≈ ${n(((1 - fixed) * 1e6) / (2 * marginal))} circuits per core`,
    );
  }
  return lines;
}

export async function run(): Promise<BenchRow[]> {
  const pin = pinning();
  console.log(`\ncapacity: every connection active (≈1 server → page and ≈1 page → server call a second each, jittered); ${generators} load generator process(es); window ${windowMs} ms after ${settleMs} ms settling`);
  console.log(`pinning: ${pin.how}`);
  if (process.env.CAPACITY_PEER_PAGE_US) console.log(`comparison rows' pages: ${process.env.CAPACITY_PEER_PAGE_US} µs of CPU per message received and per call started (CAPACITY_PEER_PAGE_US)`);
  const ramps = new Map<Kind, CapacityStep[]>();
  for (const kind of kinds) {
    console.log(`\n${LABELS[kind]}${kind === 'jsinterop' ? ` (a reconnect per page every ${process.env.CAPACITY_RECONNECT_S ?? 120} s on average)` : ''}`);
    console.log(HEADER);
    console.log(`|${'---:|'.repeat(HEADER.split('|').length - 2)}`);
    const { steps: done } = await measureCapacity(kind);
    ramps.set(kind, done);
    const { best, last } = verdict(done);
    if (!best) console.log(`${kind}: no step met p99 ≤ ${P99_LIMIT_MS} ms`);
    else console.log(`${kind}: largest N at p99 ≤ ${P99_LIMIT_MS} ms without failures: ${n(best.circuits)} (${last === best ? 'the ramp ended before p99 passed 100 ms' : `next step ${n(last!.circuits)}: p99 ${ms(last!.p99)} ms, ${last!.failures} failures`})`);
  }

  console.log(`\nsummary (target: ${n(TARGET_CIRCUITS)} active circuits on one core at p99 ≤ ${P99_LIMIT_MS} ms, ≤ ${TARGET_HEAP / 1024} KB heap per active circuit; ${n(TARGET_CIRCUITS)} circuits are ${n(2 * TARGET_CIRCUITS)} calls a second: ≤ ${(1e6 / (2 * TARGET_CIRCUITS)).toFixed(0)} µs of server CPU a call)`);
  console.log('| server | largest N at p99 ≤ 100 ms | p99 there (ms) | µs CPU / call there | circuits per core by CPU (all costs) | heap / circuit | RSS / circuit | loop delay p99 / max (ms) |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  const arithmetic: string[] = [];
  for (const [kind, done] of ramps) {
    const { best } = verdict(done);
    if (!best) {
      console.log(`| ${kind} | none | | | | | | |`);
      continue;
    }
    console.log(`| ${kind} | ${n(best.circuits)} | ${ms(best.p99)} | ${best.cpuUsPerCall.toFixed(1)} | ${n(1e6 / (2 * best.cpuUsPerCall))} | ${kb(best.heapPerCircuit)} | ${kb(best.rssPerCircuit)} | ${ms(best.loopP99)} / ${ms(best.loopMax)} |`);
    arithmetic.push(...extrapolate(kind, done, best));
  }
  for (const line of arithmetic) console.log(line);
  const raw = ramps.get('raw');
  const jsinterop = ramps.get('jsinterop');
  if (jsinterop) {
    const { best } = verdict(jsinterop);
    if (best) {
      const perCore = 1e6 / (2 * best.cpuUsPerCall);
      console.log(`jsinterop: ${n(perCore)} circuits per core by CPU at N = ${n(best.circuits)}: target ${perCore >= TARGET_CIRCUITS ? 'met' : 'MISSED'} by extrapolation (${(TARGET_CIRCUITS / perCore).toFixed(1)}× short of the CPU it needs); heap ${kb(best.heapPerCircuit)} per active circuit: ${best.heapPerCircuit <= TARGET_HEAP ? 'met' : 'MISSED'}`);
    }
  }
  if (raw) {
    // Each row's CPU per call beside raw ws's at the same N (the same traffic, same windows).
    const others = [...ramps].filter(([kind]) => kind !== 'raw');
    console.log(`\nµs of server CPU per call, and ÷ raw ws's at the same N`);
    console.log(`| circuits | raw ws | ${others.map(([kind]) => kind).join(' | ')} |`);
    console.log(`|---:|---:|${others.map(() => '---:|').join('')}`);
    for (const r of raw) {
      const cells = others.map(([, steps]) => {
        const s = steps.find((x) => x.circuits === r.circuits);
        return s ? `${s.cpuUsPerCall.toFixed(1)} (${(s.cpuUsPerCall / r.cpuUsPerCall).toFixed(2)}×)` : '';
      });
      console.log(`| ${n(r.circuits)} | ${r.cpuUsPerCall.toFixed(1)} | ${cells.join(' | ')} |`);
    }
  }
  return [...ramps].flatMap(([kind, steps]) => steps.map((step) => asRow(kind, step, raw?.find((r) => r.circuits === step.circuits))));
}

/** A step as a row of `npm run bench -- --json`: the time per operation is the server's CPU per call, the rest in `details`. */
function asRow(kind: Kind, step: CapacityStep, raw: CapacityStep | undefined): BenchRow {
  const ns = step.cpuUsPerCall * 1000;
  return {
    suite: 'capacity', group: LABELS[kind], id: `${kind}-${step.circuits}`, label: `${kind}: ${n(step.circuits)} active circuits, server CPU per call`,
    nsPerOp: ns, opsPerSec: step.callsPerSec, minNs: ns, maxNs: ns, spread: 0, rounds: 1, opsPerRound: Math.round(step.callsPerSec * windowMs / 1000),
    ratios: raw && kind !== 'raw' ? [{ to: 'raw ws at the same N', ratio: step.cpuUsPerCall / raw.cpuUsPerCall }] : [],
    details: { ...step },
  };
}

// Run on its own: node dist/bench/capacity.js
if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) await run();
