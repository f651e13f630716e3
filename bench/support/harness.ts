/*
 * A small measurement harness shared by the benches: warm up, calibrate, then time every case
 * in interleaved rounds (each round in a new order, so drift, GC debt and thermal effects
 * spread over all cases instead of landing on one), and report the median time per operation.
 *
 * Every sample starts with an empty young generation (see collectYoungGarbage).
 *
 * A case times its own loop (`run(n)` performs the operation n times) so that a cheap
 * operation is not dwarfed by the harness calling a closure per operation. Cases return a value
 * derived from every result; the harness keeps it in a sink so the work cannot be optimised away.
 *
 * Benchmarks measure; they never assert on speed.
 */

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * A young-generation collection before every timed sample, so that no case pays for the garbage
 * the case before it left (an async case right after another would inherit its GC debt). Minor,
 * not full: full collections age bytecode, and V8 would flush the code of cases idle for a few
 * rounds.
 * `--expose-gc` is turned on at run time, as `npm run bench` passes no node flags.
 */
export const collectYoungGarbage: () => void = (() => {
  let gc = (globalThis as { gc?: unknown }).gc as ((options?: object) => void) | undefined;
  if (typeof gc !== 'function') {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as (options?: object) => void;
  }
  return () => gc({ type: 'minor' });
})();

export interface BenchCase {
  /** Stable key: other cases and ratio columns refer to it. */
  readonly id: string;
  /** What the row shows. */
  readonly label: string;
  /** Heading the row is printed under (cases of one group should be adjacent). */
  readonly group?: string;
  /** Performs the operation `n` times; may be async (then it awaits each operation in turn). */
  readonly run: (n: number) => unknown;
  /** The id of the case this one is compared with (our path vs the hand-driven official one). */
  readonly baseline?: string;
  /** The ratio to `baseline` this case should stay under, if there is one. */
  readonly target?: number;
}

export interface SuiteOptions {
  /** Name of the suite, printed above the table and stored in each row. */
  readonly suite: string;
  readonly cases: readonly BenchCase[];
  /** Ids of cases every row is also compared with (one "vs <id>" column each). */
  readonly references?: readonly string[];
  /** Timed rounds per case; default 30 (env BENCH_ROUNDS). */
  readonly rounds?: number;
  /** Target wall time of one round of one case in ms; default 20 (env BENCH_ROUND_MS). */
  readonly roundMs?: number;
  /** Untimed warm-up per case in ms, before calibration; default 250 (env BENCH_WARMUP_MS). */
  readonly warmupMs?: number;
  /**
   * Untimed work before each sample, after this thread's young garbage is collected: suites whose
   * cases run in another thread collect that thread's garbage here too.
   */
  readonly beforeSample?: () => unknown;
}

export interface Ratio {
  /** Id of the case divided by. */
  readonly to: string;
  /**
   * This case's time / the time of `to`: the median over rounds of the ratio within each round
   * (paired samples, taken close together in time), which a noisy machine disturbs far less
   * than the ratio of the two medians.
   */
  readonly ratio: number;
}

export interface BaselineRatio extends Ratio {
  readonly target?: number;
  /** Whether ratio ≤ target; undefined without a target. */
  readonly met?: boolean;
}

export interface BenchRow {
  readonly suite: string;
  readonly group: string | undefined;
  readonly id: string;
  readonly label: string;
  /** Median over rounds of (round time / operations in the round). */
  readonly nsPerOp: number;
  /** 1e9 / nsPerOp. */
  readonly opsPerSec: number;
  /** Fastest and slowest round, ns per operation. */
  readonly minNs: number;
  readonly maxNs: number;
  /** Half the inter-quartile range of the rounds, as a fraction of the median. */
  readonly spread: number;
  readonly rounds: number;
  readonly opsPerRound: number;
  /** The comparison with this case's baseline, if it has one. */
  readonly vsBaseline?: BaselineRatio;
  /** One ratio per suite reference (e.g. vs the direct call, vs a bare JSON round trip). */
  readonly ratios: readonly Ratio[];
  /** What else a module measured for the row, for `--json` (the capacity bench's step: latencies, memory, event-loop delay). */
  readonly details?: Readonly<Record<string, unknown>>;
}

/** Results of every case end up here, so the JIT cannot prove them unused. */
export let sink: unknown;

function envNumber(name: string): number | undefined {
  const text = process.env[name];
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  if (!(value > 0)) throw new RangeError(`${name} must be a positive number, got '${text}'.`);
  return value;
}

const now = (): bigint => process.hrtime.bigint();

/** Runs `run(n)` once and returns the elapsed nanoseconds. */
async function timeOnce(run: (n: number) => unknown, n: number): Promise<number> {
  const start = now();
  let result = run(n);
  if (result instanceof Promise) result = await result;
  const elapsed = Number(now() - start);
  sink = result;
  return elapsed;
}

/**
 * Warms a case up: runs it with n doubling (while a run is shorter than `roundMs`) until
 * `warmupMs` is spent and one run takes at least 2 ms; returns the last n.
 */
async function warmUp(run: (n: number) => unknown, roundMs: number, warmupMs: number): Promise<number> {
  let n = 1;
  let spent = 0;
  for (;;) {
    const elapsed = await timeOnce(run, n);
    spent += elapsed;
    if (spent >= warmupMs * 1e6 && elapsed >= 2e6) return n;
    if (elapsed < roundMs * 1e6) n *= 2;
  }
}

/**
 * The n that makes one timed sample of a warm case last about `roundMs`, from the median of three
 * warm runs: calibrating on the first, unoptimised runs would make the rounds of fast paths far
 * too short.
 */
async function calibrate(run: (n: number) => unknown, n: number, roundMs: number): Promise<number> {
  const perOp: number[] = [];
  for (let k = 0; k < 3; k++) perOp.push((await timeOnce(run, n)) / n);
  perOp.sort((x, y) => x - y);
  return Math.max(1, Math.round((roundMs * 1e6) / perOp[1]!));
}

/**
 * The order of the cases in each round: a shuffle from a fixed seed, so a run is repeatable.
 * Rotating one order gives every case the same neighbour before it in every round, so whatever
 * a heavy case leaves behind (old-generation garbage, timers, the other thread's or process's
 * state) always lands on the same successor; shuffled, each case follows each other one about
 * equally often.
 */
export function roundOrders(caseCount: number, rounds: number, seed = 0x9e3779b9): number[][] {
  let state = seed >>> 0;
  const random = (): number => {
    // mulberry32: small, fast and well mixed; good enough to vary an order.
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  return Array.from({ length: rounds }, () => {
    const order = Array.from({ length: caseCount }, (_, i) => i);
    for (let i = caseCount - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    return order;
  });
}

function quantile(sorted: readonly number[], q: number): number {
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (position - low);
}

/** The per-case figures every bench reports, from its per-round ns/op samples. */
export function sampleStats(samples: readonly number[]): Pick<BenchRow, 'nsPerOp' | 'opsPerSec' | 'minNs' | 'maxNs' | 'spread' | 'rounds'> {
  const sorted = [...samples].sort((a, b) => a - b);
  const nsPerOp = quantile(sorted, 0.5);
  return {
    nsPerOp,
    opsPerSec: 1e9 / nsPerOp,
    minNs: sorted[0]!,
    maxNs: sorted[sorted.length - 1]!,
    spread: (quantile(sorted, 0.75) - quantile(sorted, 0.25)) / 2 / nsPerOp,
    rounds: sorted.length,
  };
}

/** Measures every case of a suite, prints its table and returns one row per case. */
export async function runSuite(options: SuiteOptions): Promise<BenchRow[]> {
  const rounds = options.rounds ?? envNumber('BENCH_ROUNDS') ?? 30;
  const roundMs = options.roundMs ?? envNumber('BENCH_ROUND_MS') ?? 20;
  const warmupMs = options.warmupMs ?? envNumber('BENCH_WARMUP_MS') ?? 250;
  const cases = options.cases;
  const ids = new Set<string>();
  for (const c of cases) {
    if (ids.has(c.id)) throw new Error(`duplicate bench case id '${c.id}'`);
    ids.add(c.id);
  }
  for (const c of cases) if (c.baseline && !ids.has(c.baseline)) throw new Error(`case '${c.id}': unknown baseline '${c.baseline}'`);
  for (const r of options.references ?? []) if (!ids.has(r)) throw new Error(`unknown reference case '${r}'`);

  // Warm up every case first, then calibrate each: a case calibrated before the others have run
  // is timed in a colder process (an A/A control got 263 operations a round against 453 for
  // its twin), and rounds of very different lengths weigh per-sample costs differently.
  const warmN = new Map<string, number>();
  for (const c of cases) warmN.set(c.id, await warmUp(c.run, roundMs, warmupMs));
  const opsPerRound = new Map<string, number>();
  for (const c of cases) opsPerRound.set(c.id, await calibrate(c.run, warmN.get(c.id)!, roundMs));

  // Interleaved rounds, each in a new order (see roundOrders).
  const samples = new Map<string, number[]>(cases.map((c) => [c.id, []]));
  for (const order of roundOrders(cases.length, rounds)) {
    for (const index of order) {
      const c = cases[index]!;
      const n = opsPerRound.get(c.id)!;
      collectYoungGarbage();
      await options.beforeSample?.();
      samples.get(c.id)!.push((await timeOnce(c.run, n)) / n);
    }
  }

  const sortedMedian = (values: number[]) => quantile([...values].sort((a, b) => a - b), 0.5);
  const pairedRatio = (id: string, to: string): number => {
    const mine = samples.get(id)!;
    const theirs = samples.get(to)!;
    return sortedMedian(mine.map((ns, round) => ns / theirs[round]!));
  };

  const rows: BenchRow[] = cases.map((c) => {
    const stats = sampleStats(samples.get(c.id)!);
    let vsBaseline: BaselineRatio | undefined;
    if (c.baseline) {
      const ratio = pairedRatio(c.id, c.baseline);
      vsBaseline = c.target === undefined ? { to: c.baseline, ratio } : { to: c.baseline, ratio, target: c.target, met: ratio <= c.target };
    }
    return {
      suite: options.suite,
      group: c.group,
      id: c.id,
      label: c.label,
      ...stats,
      rounds,
      opsPerRound: opsPerRound.get(c.id)!,
      ...(vsBaseline ? { vsBaseline } : {}),
      ratios: (options.references ?? []).map((to) => ({ to, ratio: pairedRatio(c.id, to) })),
    };
  });
  console.log(formatTable(options.suite, rows));
  return rows;
}

// ---- formatting ----

export function formatNs(ns: number): string {
  if (ns < 10) return ns.toFixed(2);
  if (ns < 100) return ns.toFixed(1);
  return Math.round(ns).toLocaleString('en-US');
}

export function formatOps(ops: number): string {
  if (ops >= 1e9) return `${(ops / 1e9).toFixed(2)} G`;
  if (ops >= 1e6) return `${(ops / 1e6).toFixed(2)} M`;
  if (ops >= 1e3) return `${(ops / 1e3).toFixed(1)} k`;
  return ops.toFixed(0);
}

export function formatRatio(ratio: number): string {
  if (ratio < 0.01) return '<0.01×';
  if (ratio >= 100) return `${Math.round(ratio).toLocaleString('en-US')}×`;
  if (ratio >= 10) return `${ratio.toFixed(1)}×`;
  return `${ratio.toFixed(2)}×`;
}

function pad(text: string, width: number, right: boolean): string {
  return right ? text.padStart(width) : text.padEnd(width);
}

/** The cells of one row, shared by the console and Markdown tables. */
function cells(row: BenchRow): string[] {
  const b = row.vsBaseline;
  return [
    row.id,
    row.label,
    formatNs(row.nsPerOp),
    `${(row.spread * 100).toFixed(1)}%`,
    formatOps(row.opsPerSec),
    b ? `${formatRatio(b.ratio)} ${b.to}` : '',
    b?.target !== undefined ? `≤ ${b.target}: ${b.met ? 'met' : 'MISSED'}` : '',
    ...row.ratios.map((r) => (r.to === row.id ? '' : formatRatio(r.ratio))),
  ];
}

function headerOf(rows: readonly BenchRow[]): string[] {
  const refs = rows[0]?.ratios.map((r) => r.to) ?? [];
  return ['id', 'case', 'ns/op', '±', 'ops/s', 'vs baseline', 'target', ...refs.map((r) => `vs ${r}`)];
}

const RIGHT_ALIGNED = new Set(['ns/op', '±', 'ops/s', 'vs baseline']);

function formatTable(suite: string, rows: readonly BenchRow[]): string {
  const header = headerOf(rows);
  const right = header.map((h) => RIGHT_ALIGNED.has(h) || h.startsWith('vs '));
  const body = rows.map(cells);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((l) => l[i]!.length)));
  const line = (l: string[]) => l.map((cell, j) => pad(cell, widths[j]!, right[j]!)).join('  ');
  const out = [`\n${suite}`, line(header), widths.map((w) => '-'.repeat(w)).join('  ')];
  let group: string | undefined;
  rows.forEach((row, i) => {
    if (row.group && row.group !== group) out.push(`-- ${row.group}`);
    group = row.group;
    out.push(line(body[i]!));
  });
  out.push(
    `(ns/op: median of ${rows[0]?.rounds ?? 0} interleaved rounds; ± = half the inter-quartile range / median; ` +
      'ratios: median of the per-round ratios)',
  );
  return out.join('\n');
}

/** The rows as a Markdown table (for docs/benchmarks.md), grouped like the console table. */
export function toMarkdown(rows: readonly BenchRow[]): string {
  const header = headerOf(rows);
  const out = [`| ${header.join(' | ')} |`, `|${header.map((h) => (RIGHT_ALIGNED.has(h) || h.startsWith('vs ') ? '---:' : '---')).join('|')}|`];
  let group: string | undefined;
  for (const row of rows) {
    if (row.group && row.group !== group) out.push(`| **${row.group}** |${' |'.repeat(header.length - 1)}`);
    group = row.group;
    out.push(`| ${cells(row).join(' | ')} |`);
  }
  return out.join('\n');
}
