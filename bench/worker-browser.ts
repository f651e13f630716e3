/*
 * The Worker bench in Chromium: the same designs as bench/worker.ts (raw MessagePort, a
 * hand-written SharedArrayBuffer call, jsinterop's async, sync and 16 MiB paths), measured in a
 * real browser started with no DevTools client attached (bench/browser/raw-chromium.ts). The
 * page is cross-origin isolated; the page POSTs its samples back.
 */
import http from 'node:http';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { formatNs, formatOps, formatRatio, sampleStats, type BenchRow } from './support/harness.js';
import { withRawChromium } from './browser/raw-chromium.js';
import { ISOLATION_HEADERS, repoRoot } from '../test/support/browser.js';
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

async function bundles(): Promise<Map<string, Uint8Array>> {
  const entries = { 'worker-transport-page': 'bench/browser/worker-transport-page.ts', 'worker-transport-host': 'bench/browser/worker-transport-host.ts' };
  const result = await esbuild.build({
    entryPoints: Object.fromEntries(Object.entries(entries).map(([name, file]) => [name, path.join(repoRoot, file)])),
    outdir: '/bundles',
    write: false,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'chrome120',
    logLevel: 'error',
  });
  return new Map(result.outputFiles.map((file) => [file.path.slice('/bundles'.length), file.contents]));
}

export async function run(): Promise<BenchRow[]> {
  const files = await bundles();
  let resolveReport!: (value: any) => void;
  const report = new Promise<any>((resolve) => (resolveReport = resolve));
  const headers = { ...ISOLATION_HEADERS, 'Cache-Control': 'no-store' };
  const server = http.createServer((req, res) => {
    const { pathname } = new URL(req.url ?? '/', 'http://bench');
    if (req.method === 'POST' && pathname === '/report') {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        res.writeHead(204, headers).end();
        resolveReport(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      });
      return;
    }
    if (pathname === '/') {
      return void res.writeHead(200, { ...headers, 'Content-Type': 'text/html; charset=utf-8' }).end('<!doctype html><meta charset="utf-8"><script type="module" src="/worker-transport-page.js"></script>');
    }
    const file = files.get(pathname);
    if (file) return void res.writeHead(200, { ...headers, 'Content-Type': 'text/javascript' }).end(file);
    res.writeHead(pathname === '/favicon.ico' ? 204 : 404, headers).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as { port: number };
    const query = new URLSearchParams({
      rounds: process.env.BENCH_ROUNDS || '15',
      roundMs: process.env.BENCH_ROUND_MS || '50',
      warmupMs: process.env.BENCH_WARMUP_MS || '250',
    });
    const result = await withRawChromium(`http://127.0.0.1:${port}/?${query}`, report, 300_000);
    if (result.error) throw new Error(`the bench page failed: ${result.error}`);
    const samples = result.samples as CaseSamples[];
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
    console.log(`\n${SUITE} (${String(result.userAgent).match(/Chrome\/[\d.]+/)?.[0] ?? result.userAgent}; no DevTools client attached; ratios of medians)`);
    let group: string | undefined;
    for (const row of rows) {
      if (row.group !== group) console.log(`-- ${(group = row.group)}`);
      const b = row.vsBaseline;
      const versus = b ? `${formatRatio(b.ratio)} ${b.to}${b.target !== undefined ? ` (≤ ${b.target}: ${b.met ? 'met' : 'MISSED'})` : ''}` : '';
      console.log(`${row.id.padEnd(20)} ${row.label.padEnd(58)} ${formatNs(row.nsPerOp).padStart(12)} ns  ${formatOps(row.opsPerSec).padStart(8)}/s  ${versus}`);
    }
    return rows;
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
