/*
 * The host side of the browser benchmarks, written once like the demo component and run in
 * each hosting model. The page drives it: it calls `Echo` to time page→host calls itself, and
 * asks `HostToPage` to time host→page calls where they start, on the host.
 */
import { HostObjectReference, JSInvokable, asInProcess, isInProcess, type IJSRuntime } from '../../src/index.js';

/** The page global the host calls. */
export const BENCH_GLOBAL = 'jsinteropBench';
/** Calls kept in flight by the pipelined cases (below every model's limit on pending calls). */
export const WINDOW = 64;

export type HostToPageKind = 'async' | 'sync' | 'pipelined';

/** Runs `n` calls of `call`, at most `window` at a time; resolves when all are answered. */
export async function pipelined(n: number, window: number, call: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < n) await call(next++);
  };
  await Promise.all(Array.from({ length: Math.min(window, n) }, lane));
}

class BenchHost {
  constructor(private readonly js: IJSRuntime) {}

  @JSInvokable('Echo')
  echo(value: number): number {
    return value;
  }

  /** Times `n` host→page calls of a trivial page function, in milliseconds, measured here. */
  @JSInvokable('HostToPage')
  async hostToPage(kind: HostToPageKind, n: number): Promise<number> {
    const identifier = `${BENCH_GLOBAL}.echo`;
    const started = performance.now();
    if (kind === 'sync') {
      const js = asInProcess(this.js);
      for (let i = 0; i < n; i++) js.invoke<number>(identifier, i);
    } else if (kind === 'async') {
      for (let i = 0; i < n; i++) await this.js.invokeAsync<number>(identifier, i);
    } else {
      await pipelined(n, WINDOW, (i) => this.js.invokeAsync<number>(identifier, i));
    }
    return performance.now() - started;
  }
}

/** Hands the page a reference to a bench host on this runtime. */
export async function startBenchHost(js: IJSRuntime): Promise<void> {
  await js.invokeVoidAsync(`${BENCH_GLOBAL}.attach`, js.hostingModel, HostObjectReference.create(new BenchHost(js)), isInProcess(js));
}
