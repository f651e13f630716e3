/*
 * Browser bench: the three hosting models side by side, measured from a real Chromium page.
 * The page times page→host calls; host→page calls are timed on the host (in the page, in the
 * Worker, in Node), where they start. Chromium runs with no DevTools client attached, because
 * Playwright's instrumentation slows WebSocket traffic (see bench/browser/raw-chromium.ts).
 *
 *   env BENCH_ROUNDS, BENCH_ROUND_MS, BENCH_WARMUP_MS   as for the other benches (15, 50, 250 here)
 */
import { formatNs, formatOps, sampleStats, type BenchRow } from './support/harness.js';
import { startBenchServer } from './browser/bench-server.js';
import { withRawChromium, type PageReport } from './browser/raw-chromium.js';
import type { CaseSamples } from './browser/measure.js';

const SUITE = 'hosting models in Chromium';
const MODELS = ['in-process', 'worker', 'server'] as const;

interface Report extends PageReport {
  readonly samples: CaseSamples[];
}

function toRow(c: CaseSamples): BenchRow {
  return {
    suite: SUITE,
    group: c.group,
    id: c.id,
    label: c.label,
    ...sampleStats(c.samples),
    opsPerRound: c.opsPerRound,
    ratios: [],
  };
}

/** One line per measure, one column per model: µs per call and calls per second. */
function sideBySide(rows: readonly BenchRow[], unavailable: Record<string, string>): string {
  const groups = [...new Set(rows.map((r) => r.group!))];
  const cell = (group: string, model: string) => {
    const row = rows.find((r) => r.group === group && r.label === model);
    if (!row) return unavailable[model] ? 'n/a' : '—';
    return `${formatNs(row.nsPerOp / 1000)} µs · ${formatOps(row.opsPerSec)}/s`;
  };
  const table = [['', ...MODELS], ...groups.map((g) => [g, ...MODELS.map((m) => cell(g, m))])];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((line) => line[i]!.length)));
  return table.map((line) => line.map((text, i) => (i === 0 ? text.padEnd(widths[i]!) : text.padStart(widths[i]!))).join('  ')).join('\n');
}

/** This module runs in Chromium (bench/run.ts installs one first if there is none). */
export const usesChromium = (): boolean => true;

export async function run(): Promise<BenchRow[]> {
  const server = await startBenchServer({
    entries: { 'bench-page': 'bench/browser/page.ts', 'bench-worker': 'bench/browser/worker.ts' },
    pageScript: '/bench-page.js',
    interop: true,
  });
  try {
    const report = (await withRawChromium(server.pageUrl, server.report, 300_000)) as Report;
    if (report.error) throw new Error(`the bench page failed: ${report.error}`);
    if (!report.crossOriginIsolated) throw new Error('the bench page is not cross-origin isolated: the Worker would have no sync calls');
    const order = (c: CaseSamples) => MODELS.indexOf(c.label as (typeof MODELS)[number]);
    const groups = [...new Set(report.samples.map((c) => c.group))];
    const rows = groups.flatMap((g) => report.samples.filter((c) => c.group === g).sort((a, b) => order(a) - order(b)).map(toRow));
    console.log(`\n${SUITE} (${report.userAgent.match(/Chrome\/[\d.]+/)?.[0] ?? report.userAgent}; no DevTools client attached)`);
    console.log(sideBySide(rows, report.unavailable));
    for (const [model, reason] of Object.entries(report.unavailable)) console.log(`${model}: not measured: ${reason}`);
    return rows;
  } finally {
    await server.close();
  }
}
