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
 * server's), its event-loop delay, and how busy the load generators were.
 *
 *   env CAPACITY_STEPS=250,500,1000   the ramp (default 250,500,1000,2000,3000,4000,6000,8000,12000,16000,20000)
 *       CAPACITY_WINDOW_MS=10000      measured window per step; CAPACITY_SETTLE_MS=3000 before it
 *       CAPACITY_GENERATORS=2         load generator processes (all on the second core)
 *       CAPACITY_RECONNECT_S=120      mean seconds between dropped sockets, per page
 *       CAPACITY_KIND=raw             the same traffic over bare ws sockets, no RPC (the transport's share)
 *       CAPACITY_NO_PIN=1             do not pin (when taskset is missing or there is one core)
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
/** CAPACITY_KIND=raw: the same load over bare ws sockets (no RPC, no reconnects): what any ws server pays. */
const kind = process.env.CAPACITY_KIND === 'raw' ? 'raw' : 'jsinterop';

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

export async function measureCapacity(): Promise<{ steps: CapacityStep[]; pinned: string }> {
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
      if (step.p99 > P99_LIMIT_MS || failures) break;
    }
  } finally {
    for (const p of pages) p.kill();
    const exited = once(server, 'exit');
    server.send({ cmd: 'exit' });
    await Promise.race([exited, sleep(10_000)]);
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

export async function run(): Promise<BenchRow[]> {
  console.log(`\ncapacity (${kind}): every circuit active (≈1 host → page and ≈1 page → host call a second each, jittered); ${generators} load generator process(es); window ${windowMs} ms after ${settleMs} ms settling`);
  const pin = pinning();
  console.log(`pinning: ${pin.how}`);
  console.log(HEADER);
  console.log(`|${'---:|'.repeat(13)}`);
  const { steps: done } = await measureCapacity();
  const within = done.filter((s) => s.p99 <= P99_LIMIT_MS && !s.failures);
  const best = within[within.length - 1];
  if (!best) {
    console.log('no step met p99 ≤ 100 ms');
    return [];
  }
  const last = done[done.length - 1]!;
  console.log(`largest N at p99 ≤ ${P99_LIMIT_MS} ms without failures: ${best.circuits.toLocaleString('en-US')} (${last === best ? 'the ramp ended before p99 passed 100 ms' : `next step ${last.circuits.toLocaleString('en-US')}: p99 ${ms(last.p99)} ms, ${last.failures} failures`})`);
  // At 2 calls a second per circuit, one core (1e6 µs of CPU a second) serves 1e6 / (2 × µs per call) circuits.
  const perCall = best.cpuUsPerCall;
  console.log(`server CPU at N = ${best.circuits}: ${perCall.toFixed(1)} µs per call → one core saturates at 1e6 / (2 × ${perCall.toFixed(1)}) ≈ ${Math.round(1e6 / (2 * perCall)).toLocaleString('en-US')} active circuits (target ${TARGET_CIRCUITS.toLocaleString('en-US')}: ${1e6 / (2 * perCall) >= TARGET_CIRCUITS ? 'met by extrapolation' : 'MISSED by extrapolation'})`);
  console.log(`heap per active circuit at N = ${best.circuits}: ${kb(best.heapPerCircuit)} (target ≤ 16 KB: ${best.heapPerCircuit <= TARGET_HEAP ? 'met' : 'MISSED'}), RSS ${kb(best.rssPerCircuit)}`);
  return [];
}

// Run on its own: node dist/bench/capacity.js
if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) await run();
