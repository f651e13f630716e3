/*
 * Timing in the page, after bench/support/harness.ts (which needs Node's clock): calibrate each
 * case to a round of about `roundMs`, warm it up, then time interleaved rounds whose starting
 * case rotates, and keep every round's time per operation for the Node side to summarise.
 */

export interface PageCase {
  readonly id: string;
  readonly label: string;
  readonly group: string;
  /** Performs the operation `n` times and returns the elapsed milliseconds (wherever it was timed). */
  readonly run: (n: number) => Promise<number>;
}

export interface CaseSamples {
  readonly id: string;
  readonly label: string;
  readonly group: string;
  readonly opsPerRound: number;
  /** Nanoseconds per operation, one per round. */
  readonly samples: number[];
}

export interface MeasureOptions {
  readonly rounds: number;
  readonly roundMs: number;
  readonly warmupMs: number;
}

async function calibrate(run: PageCase['run'], roundMs: number): Promise<number> {
  for (let n = 1; ; n *= 2) {
    const elapsed = await run(n);
    if (elapsed >= roundMs / 4 || n >= 2 ** 24) return Math.max(1, Math.round((n * roundMs) / Math.max(elapsed, 0.01)));
  }
}

export async function measure(cases: readonly PageCase[], options: MeasureOptions): Promise<CaseSamples[]> {
  const ops = new Map<string, number>();
  for (const c of cases) {
    const n = await calibrate(c.run, options.roundMs);
    for (let spent = 0; spent < options.warmupMs; ) spent += await c.run(n);
    ops.set(c.id, n);
  }
  const samples = new Map<string, number[]>(cases.map((c) => [c.id, []]));
  for (let round = 0; round < options.rounds; round++) {
    for (let k = 0; k < cases.length; k++) {
      const c = cases[(round + k) % cases.length]!;
      const n = ops.get(c.id)!;
      samples.get(c.id)!.push(((await c.run(n)) * 1e6) / n);
    }
  }
  return cases.map((c) => ({ id: c.id, label: c.label, group: c.group, opsPerRound: ops.get(c.id)!, samples: samples.get(c.id)! }));
}
