/*
 * The benchmark page: starts a bench host in each hosting model, times calls both ways with
 * every model's host up at once (rounds interleave the models, so drift hits all alike), and
 * POSTs the samples to /report. It runs in a Chromium with no CDP client attached, because
 * DevTools instrumentation slows WebSocket traffic several times.
 */
import '../../src/page.js';
import type { HostingModel } from '../../src/index.js';
import type { DotNetObjectLike } from '../../demo/component/page-api.js';
import { BENCH_GLOBAL, WINDOW, pipelined, type HostToPageKind } from './bench-host.js';
import { measure, type PageCase } from './measure.js';
import { startHosts } from './page-hosts.js';
import { REPORT_PATH } from './paths.js';

interface Attached {
  readonly host: DotNetObjectLike;
  readonly sync: boolean;
}

const attached = new Map<HostingModel, (value: Attached) => void>();
const waiting = new Map<HostingModel, Promise<Attached>>();
for (const model of ['in-process', 'worker', 'server'] as const) {
  waiting.set(model, new Promise((resolve) => attached.set(model, resolve)));
}

(globalThis as Record<string, unknown>)[BENCH_GLOBAL] = {
  echo: (value: number) => value,
  attach: (model: HostingModel, host: DotNetObjectLike, sync: boolean) => attached.get(model)!({ host, sync }),
};

const GROUPS = {
  h2pAsync: 'host → page call, awaited one at a time (round trip)',
  h2pSync: 'host → page call, synchronous (round trip)',
  h2pPipelined: `host → page calls, ${WINDOW} in flight (throughput)`,
  p2hAsync: 'page → host call, awaited one at a time (round trip)',
  p2hPipelined: `page → host calls, ${WINDOW} in flight (throughput)`,
};

function casesFor(model: HostingModel, { host, sync }: Attached): PageCase[] {
  const onHost = (kind: HostToPageKind) => (n: number) => host.invokeMethodAsync<number>('HostToPage', kind, n);
  const timed = (body: (n: number) => Promise<void>) => async (n: number) => {
    const started = performance.now();
    await body(n);
    return performance.now() - started;
  };
  return [
    { id: `${model}.h2p-async`, label: model, group: GROUPS.h2pAsync, run: onHost('async') },
    ...(sync ? [{ id: `${model}.h2p-sync`, label: model, group: GROUPS.h2pSync, run: onHost('sync') }] : []),
    { id: `${model}.h2p-pipelined`, label: model, group: GROUPS.h2pPipelined, run: onHost('pipelined') },
    {
      id: `${model}.p2h-async`,
      label: model,
      group: GROUPS.p2hAsync,
      run: timed(async (n) => {
        for (let i = 0; i < n; i++) await host.invokeMethodAsync('Echo', i);
      }),
    },
    { id: `${model}.p2h-pipelined`, label: model, group: GROUPS.p2hPipelined, run: timed((n) => pipelined(n, WINDOW, (i) => host.invokeMethodAsync('Echo', i))) },
  ];
}

async function report(body: unknown): Promise<void> {
  await fetch(REPORT_PATH, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
}

try {
  const query = new URLSearchParams(location.search);
  const number = (name: string, fallback: number) => Number(query.get(name) ?? fallback);
  const unavailable = await startHosts();
  const cases: PageCase[] = [];
  for (const [model, promise] of waiting) {
    if (unavailable[model] === undefined) cases.push(...casesFor(model, await promise));
  }
  const samples = await measure(cases, { rounds: number('rounds', 15), roundMs: number('roundMs', 50), warmupMs: number('warmupMs', 250) });
  await report({ userAgent: navigator.userAgent, crossOriginIsolated, unavailable, samples });
} catch (error) {
  await report({ error: error instanceof Error ? `${error.message}\n${error.stack}` : String(error) });
}
