/*
 * The demo's HTTP server: the page, its bundles and the server hosting model's endpoint on one
 * loopback origin. Every response carries the cross-origin isolation headers, because the
 * Worker's synchronous calls need SharedArrayBuffer, and a Worker script served without them
 * fails to load with no message at all.
 */
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { InteropServer } from '../src/server.js';
import { buildBundles, repoRoot } from './build.js';
import { attachServerHost } from './server-host.js';

export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
};

/** Files served from the source tree as they are. */
const STATIC_FILES: Record<string, string> = {
  '/': 'demo/page/index.html',
  '/index.html': 'demo/page/index.html',
  '/style.css': 'demo/page/style.css',
};

export interface DemoServerOptions {
  /** Default 0 (any free port). */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
}

export interface DemoServer {
  readonly url: string;
  readonly server: http.Server;
  /** The server hosting model's endpoint (its circuits, for tests that drop connections). */
  readonly interop: InteropServer;
  close(): Promise<void>;
}

export async function startDemoServer(options: DemoServerOptions = {}): Promise<DemoServer> {
  const bundles = await buildBundles();
  const server = http.createServer((req, res) => void serve(req, res, bundles));
  const interop = await attachServerHost(server);
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as { port: number };
  return {
    url: `http://${host}:${port}/`,
    server,
    interop,
    close: async () => {
      await interop.close();
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}

async function serve(req: http.IncomingMessage, res: http.ServerResponse, bundles: Map<string, Uint8Array>): Promise<void> {
  const headers = { ...ISOLATION_HEADERS, 'Cache-Control': 'no-store' };
  const { pathname } = new URL(req.url ?? '/', 'http://demo');
  if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405, headers).end();
  if (pathname === '/favicon.ico') return void res.writeHead(204, headers).end();
  const type = TYPES[path.extname(pathname)] ?? TYPES['.html']!;
  const bundle = bundles.get(pathname);
  if (bundle) return void res.writeHead(200, { ...headers, 'Content-Type': type }).end(bundle);
  const file = STATIC_FILES[pathname];
  if (file) {
    try {
      return void res.writeHead(200, { ...headers, 'Content-Type': type }).end(await readFile(path.join(repoRoot, file)));
    } catch (error) {
      return void res.writeHead(500, { ...headers, 'Content-Type': 'text/plain' }).end(String(error));
    }
  }
  res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end('not found');
}
