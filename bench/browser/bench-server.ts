/*
 * The bench page's server: the bundles, the server hosting model's endpoint running a bench
 * host per circuit, and /report, where the page POSTs its samples. The same isolation headers
 * as the demo, on every response.
 */
import http from 'node:http';
import { createInteropServer } from '../../src/server.js';
import { buildBundles } from '../../demo/build.js';
import { ISOLATION_HEADERS } from '../../demo/demo-server.js';
import { startBenchHost } from './bench-host.js';
import { BENCH_PATH, REPORT_PATH } from './paths.js';

const PAGE = '<!doctype html><meta charset="utf-8"><title>jsinterop browser bench</title><script type="module" src="/bench-page.js"></script>';

export interface BenchServer {
  readonly url: string;
  /** Settles with the first report the page POSTs. */
  readonly report: Promise<unknown>;
  close(): Promise<void>;
}

export async function startBenchServer(): Promise<BenchServer> {
  const bundles = await buildBundles({ 'bench-page': 'bench/browser/page.ts', 'bench-worker': 'bench/browser/worker.ts' });
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
    if (pathname === '/') return void res.writeHead(200, { ...headers, 'Content-Type': 'text/html; charset=utf-8' }).end(PAGE);
    const bundle = bundles.get(pathname);
    if (bundle) return void res.writeHead(200, { ...headers, 'Content-Type': pathname.endsWith('.js') ? 'text/javascript' : 'application/json' }).end(bundle);
    res.writeHead(pathname === '/favicon.ico' ? 204 : 404, headers).end();
  });
  const interop = await createInteropServer({ server, path: BENCH_PATH, onCircuit: (circuit) => startBenchHost(circuit.js) });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/`,
    report,
    async close() {
      await interop.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
