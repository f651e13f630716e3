/*
 * The Worker bench in Chromium: the same designs as bench/worker.ts (raw MessagePort, a
 * hand-written SharedArrayBuffer call, jsinterop's async, sync and 16 MiB paths), measured in a
 * real browser started with no DevTools client attached (bench/browser/raw-chromium.ts). The
 * page is cross-origin isolated; the page POSTs its samples back.
 */
import { formatNs, formatOps, formatRatio, sampleStats, type BenchRow } from './support/harness.js';
import { withRawChromium } from './browser/raw-chromium.js';
import { startBenchServer } from './browser/bench-server.js';
import type { CaseSamples } from './browser/measure.js';

const SUITE = 'worker in Chromium';
/** Case → [baseline, target]. */
const BASELINES: Record<string, [string, number | undefined]> = {
  'ours-seq': ['raw-seq', 1.15],
  'ours-pipe': ['raw-pipe', 1.667],
  'sab-wait-spin': ['sab-wait', undefined],
  'sab-wait-spin-both': ['sab-wait', undefined],
  'sab-dispatcher': ['sab-wait', undefined],
  'sab-dispatcher-spin-both': ['sab-wait', undefined],
  'ours-sync-nospin': ['sab-dispatcher', 1.1],
  'ours-sync': ['sab-dispatcher-spin-both', 1.1],
  'ours-16m-transfer': ['raw-16m', 1.2],
  'ours-16m-copy': ['raw-16m', undefined],
};

/** What bench/browser/worker-transport-page.ts POSTs. */
interface WorkerPageReport {
  readonly error?: string;
  readonly userAgent: string;
  readonly samples: CaseSamples[];
}

/** This module runs in Chromium (bench/run.ts installs one first if there is none). */
export const usesChromium = (): boolean => true;

export async function run(): Promise<BenchRow[]> {
  const server = await startBenchServer({
    entries: { 'worker-transport-page': 'bench/browser/worker-transport-page.ts', 'worker-transport-host': 'bench/browser/worker-transport-host.ts' },
    pageScript: '/worker-transport-page.js',
  });
  try {
    const result = (await withRawChromium(server.pageUrl, server.report, 300_000)) as WorkerPageReport;
    if (result.error) throw new Error(`the bench page failed: ${result.error}`);
    const samples = result.samples;
    const stats = new Map(samples.map((c) => [c.id, sampleStats(c.samples)]));
    const rows: BenchRow[] = samples.map((c) => {
      const own = stats.get(c.id)!;
      const [to, target] = BASELINES[c.id] ?? [];
      const ratio = to ? own.nsPerOp / stats.get(to)!.nsPerOp : undefined;
      return {
        suite: SUITE,
        group: c.group,
        id: c.id,
        label: c.label,
        ...own,
        opsPerRound: c.opsPerRound,
        ...(to && ratio !== undefined ? { vsBaseline: target === undefined ? { to, ratio } : { to, ratio, target, met: ratio <= target } } : {}),
        ratios: [],
      };
    });
    console.log(`\n${SUITE} (${result.userAgent.match(/Chrome\/[\d.]+/)?.[0] ?? result.userAgent}; no DevTools client attached; ratios of medians)`);
    let group: string | undefined;
    for (const row of rows) {
      if (row.group !== group) console.log(`-- ${(group = row.group)}`);
      const b = row.vsBaseline;
      const versus = b ? `${formatRatio(b.ratio)} ${b.to}${b.target !== undefined ? ` (≤ ${b.target}: ${b.met ? 'met' : 'MISSED'})` : ''}` : '';
      console.log(`${row.id.padEnd(20)} ${row.label.padEnd(58)} ${formatNs(row.nsPerOp).padStart(12)} ns  ${formatOps(row.opsPerSec).padStart(8)}/s  ${versus}`);
    }
    return rows;
  } finally {
    await server.close();
  }
}
