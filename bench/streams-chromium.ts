/*
 * The stream bench in Chromium (part of `npm run bench -- streams`; bench/streams.ts has the Node
 * part): the page (bench/browser/streams-page.ts) moves the payload both ways in every hosting
 * model, beside each model's raw transport, and reports the times. Chromium runs with no DevTools
 * client attached (bench/browser/raw-chromium.ts): Playwright's instrumentation slows WebSocket
 * traffic several times. No memory figures: a page cannot read its own heap reliably.
 *
 *   env STREAM_MIB (64), STREAM_REPS (5), STREAM_MIN_SAMPLE_MS (50; how long an in-process sample moves
 *       the payload again and again: one in-process move takes a fraction of a millisecond),
 *       STREAM_CHROMIUM_CASES (models or `<model>:<case id>`, e.g. in-process,server:ours-p2h-blob)
 */
import { WebSocketServer, type WebSocket } from 'ws';
import { startBenchServer } from './browser/bench-server.js';
import { withRawChromium, type PageReport } from './browser/raw-chromium.js';
import { startStreamHost } from './browser/stream-host.js';
import { RAW_STREAM_PATH } from './browser/paths.js';
import { payload } from './support/stream-bytes.js';
import type { ChromiumCase } from './browser/streams-page.js';
import type { BenchRow } from './support/harness.js';

const MODELS = ['in-process', 'worker', 'server'] as const;

interface Report extends PageReport {
  readonly cases: ChromiumCase[];
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** The raw end on the server: counts the page's frames ('expect <bytes>'), or sends frames ('send <bytes> <frame>'). */
function rawEndpoint(socket: WebSocket): void {
  let expected = 0;
  let received = 0;
  let bytes = new Uint8Array(0);
  socket.on('message', (data: Buffer, isBinary: boolean) => {
    if (isBinary) {
      received += data.byteLength;
      if (received >= expected) {
        received = 0;
        socket.send('received');
      }
      return;
    }
    const [what, size, frame] = String(data).split(' ').map((part, i) => (i ? Number(part) : part)) as [string, number, number];
    if (what === 'expect') return void (expected = size);
    if (bytes.byteLength !== size) bytes = payload(size);
    for (let offset = 0; offset < size; offset += frame) socket.send(bytes.subarray(offset, offset + frame), { binary: true });
  });
}

export async function run(): Promise<BenchRow[]> {
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  const server = await startBenchServer({
    entries: { 'streams-page': 'bench/browser/streams-page.ts', 'streams-worker': 'bench/browser/streams-worker.ts', 'raw-stream-worker': 'bench/browser/raw-stream-worker.ts' },
    pageScript: '/streams-page.js',
    interop: true,
    host: startStreamHost,
    onUpgrade: (request, socket, head) => {
      if (new URL(request.url ?? '/', 'http://bench').pathname === RAW_STREAM_PATH) wss.handleUpgrade(request, socket, head, rawEndpoint);
    },
    query: {
      mib: process.env.STREAM_MIB ?? '64',
      reps: process.env.STREAM_REPS ?? '5',
      minSampleMs: process.env.STREAM_MIN_SAMPLE_MS ?? '50',
      cases: process.env.STREAM_CHROMIUM_CASES ?? '',
    },
  });
  try {
    // gc() for the page: each sample starts from a collected heap, as the Node part's samples do.
    const report = (await withRawChromium(server.pageUrl, server.report, 600_000, ['--js-flags=--expose-gc'])) as Report;
    if (report.error) throw new Error(`the stream bench page failed: ${report.error}`);
    const browser = report.userAgent.match(/Chrome\/[\d.]+/)?.[0] ?? report.userAgent;
    console.log(`\nstreams in Chromium (${browser}; no DevTools client attached; cross-origin isolated: ${report.crossOriginIsolated}), ${report.cases[0]?.ms.length ?? 0} repetitions`);
    console.log('model      | direction    | case                                                   |   MB/s | × raw');
    const rows: BenchRow[] = [];
    for (const model of MODELS) {
      if (report.unavailable[model]) console.log(`${model}: not measured: ${report.unavailable[model]}`);
      const cases = report.cases.filter((c) => c.model === model);
      for (const c of cases) {
        const raws = cases.filter((r) => r.raw && r.direction === c.direction && r.pairing === c.pairing);
        const rate = (x: ChromiumCase, rep: number) => x.bytes / x.ms[rep]!;
        const ratio = median(c.ms.map((_, rep) => rate(c, rep) / Math.max(...raws.map((r) => rate(r, rep)))));
        const mbps = median(c.ms.map((ms) => c.bytes / 1e3 / ms));
        console.log(`${model.padEnd(10)} | ${c.direction.padEnd(12)} | ${c.label.padEnd(54)} | ${mbps.toFixed(0).padStart(6)} | ${ratio.toFixed(2).padStart(5)}`);
        const nsPerOp = median(c.ms) * 1e6;
        rows.push({
          suite: 'streams chromium', group: `${model} ${c.direction}`, id: `chromium-${model}-${c.id}`, label: c.label, nsPerOp, opsPerSec: 1e9 / nsPerOp,
          minNs: Math.min(...c.ms) * 1e6, maxNs: Math.max(...c.ms) * 1e6, spread: 0, rounds: c.ms.length, opsPerRound: 1, ratios: [{ to: 'raw', ratio }],
        });
      }
    }
    return rows;
  } finally {
    wss.close();
    await server.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
