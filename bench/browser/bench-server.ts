/*
 * The browser benches' server: their bundles, optionally the server hosting model's endpoint
 * running a bench host per circuit, and /report, where the page POSTs its samples. The same
 * isolation headers as the demo, on every response.
 */
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { createInteropServer, type InteropServer } from '../../src/server.js';
import type { IJSRuntime } from '../../src/index.js';
import { buildBundles } from '../../demo/build.js';
import { ISOLATION_HEADERS } from '../../demo/demo-server.js';
import { startBenchHost } from './bench-host.js';
import { BENCH_PATH, REPORT_PATH } from './paths.js';

export interface BenchServerOptions {
  /** Bundles to build and serve, by name (served as `/${name}.js`) → source file. */
  readonly entries: Record<string, string>;
  /** The bundle the page loads, e.g. '/bench-page.js'. */
  readonly pageScript: string;
  /** Also serve the server hosting model's endpoint (BENCH_PATH), with a bench host per circuit. */
  readonly interop?: boolean;
  /** What runs on each circuit. Default: the bench host (bench-host.ts). */
  readonly host?: (js: IJSRuntime) => Promise<void>;
  /** Other WebSocket upgrades (the interop server takes only its own path). */
  readonly onUpgrade?: (request: http.IncomingMessage, socket: Duplex, head: Buffer) => void;
  /** More parameters for the page's query. */
  readonly query?: Record<string, string>;
}

export interface BenchServer {
  /** The bench page, with the round settings (BENCH_ROUNDS, BENCH_ROUND_MS, BENCH_WARMUP_MS) in its query. */
  readonly pageUrl: string;
  /** Settles with the first report the page POSTs. */
  readonly report: Promise<unknown>;
  close(): Promise<void>;
}

export async function startBenchServer(options: BenchServerOptions): Promise<BenchServer> {
  const bundles = await buildBundles(options.entries);
  const page = `<!doctype html><meta charset="utf-8"><title>jsinterop browser bench</title><script type="module" src="${options.pageScript}"></script>`;
  let resolveReport!: (value: unknown) => void;
  const report = new Promise<unknown>((resolve) => (resolveReport = resolve));
  const headers = { ...ISOLATION_HEADERS, 'Cache-Control': 'no-store' };
  const server = http.createServer((req, res) => {
    const { pathname } = new URL(req.url ?? '/', 'http://bench');
    if (req.method === 'POST' && pathname === REPORT_PATH) {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        res.writeHead(204, headers).end();
        resolveReport(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      });
      return;
    }
    if (pathname === '/') return void res.writeHead(200, { ...headers, 'Content-Type': 'text/html; charset=utf-8' }).end(page);
    const bundle = bundles.get(pathname);
    if (bundle) return void res.writeHead(200, { ...headers, 'Content-Type': pathname.endsWith('.js') ? 'text/javascript' : 'application/json' }).end(bundle);
    res.writeHead(pathname === '/favicon.ico' ? 204 : 404, headers).end();
  });
  const interop: InteropServer | undefined = options.interop
    ? await createInteropServer({ server, path: BENCH_PATH, onCircuit: (circuit) => (options.host ?? startBenchHost)(circuit.js) })
    : undefined;
  if (options.onUpgrade) server.on('upgrade', options.onUpgrade);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const query = new URLSearchParams({
    rounds: process.env.BENCH_ROUNDS || '15',
    roundMs: process.env.BENCH_ROUND_MS || '50',
    warmupMs: process.env.BENCH_WARMUP_MS || '250',
    ...options.query,
  });
  return {
    pageUrl: `http://127.0.0.1:${port}/?${query}`,
    report,
    async close() {
      await interop?.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
