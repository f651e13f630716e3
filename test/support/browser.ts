/*
 * Real-browser test support: Debian's Chromium driven by playwright-core (no browser download),
 * a loopback static server that can send the cross-origin isolation headers, and esbuild
 * bundles of page and worker entry points.
 */
import http from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { chromium, type Browser } from 'playwright-core';
import { findChromium } from './chromium.js';

export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** Launches Debian's Chromium headless; `extraArgs` follow {@link CHROMIUM_ARGS}. */
export function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: findChromium(), headless: true, args: [...CHROMIUM_ARGS, ...extraArgs], timeout: 60_000 });
}

/** The repository root (dist/test/support → ../../..). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * Bundles browser entry points (TypeScript sources, relative to the repo root) into `outdir`.
 * Returns the output directory; serve it with {@link serveStatic}.
 */
export async function bundle(entryPoints: Record<string, string>, outdir: string, minify = false): Promise<string> {
  await esbuild.build({
    entryPoints: Object.fromEntries(Object.entries(entryPoints).map(([name, file]) => [name, path.join(repoRoot, file)])),
    outdir,
    bundle: true,
    splitting: true, // as applications ship it: code loaded on demand stays in its own chunk
    format: 'esm',
    platform: 'browser',
    target: 'chrome120',
    minify,
    sourcemap: !minify,
    logLevel: 'error',
  });
  return outdir;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
  '.json': 'application/json',
  '.css': 'text/css',
  '.png': 'image/png',
};

export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export interface StaticServer {
  readonly server: http.Server;
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serves files from `roots` on 127.0.0.1. Paths under `/isolated/` get the cross-origin isolation
 * headers (SharedArrayBuffer available); other paths get none, for the negative control.
 * `pages` maps a path to inline HTML.
 */
export function serveStatic(roots: string[], pages: Record<string, string> = {}): Promise<StaticServer> {
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/favicon.ico') return void res.writeHead(204).end();
    let p = url.pathname;
    const isolated = p.startsWith('/isolated/');
    if (isolated) p = p.slice('/isolated'.length);
    const headers: Record<string, string> = { 'Cache-Control': 'no-store', ...(isolated ? ISOLATION_HEADERS : {}) };
    if (pages[p] !== undefined) return void res.writeHead(200, { ...headers, 'Content-Type': TYPES['.html']! }).end(pages[p]);
    const rel = path.normalize(p).replace(/^([/\\])+/, '');
    if (rel.startsWith('..')) return void res.writeHead(403).end();
    for (const root of roots) {
      try {
        const body = await readFile(path.join(root, rel));
        return void res.writeHead(200, { ...headers, 'Content-Type': TYPES[path.extname(rel)] ?? 'application/octet-stream' }).end(body);
      } catch {}
    }
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve({
        server,
        url: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

/** What {@link chromiumSite} gives a describe block's tests, once its `before` has run. */
export interface ChromiumSite {
  readonly browser: Browser;
  readonly site: StaticServer;
}

/**
 * A describe block's site in Chromium: before its tests, `entries` are bundled into a temp
 * folder (`prepare` may add files to it), served with `pages`, and Chromium is launched (with
 * `launchArgs` after the usual ones); after them, all of it is closed and removed. Call it inside `describe`.
 */
export function chromiumSite(
  name: string,
  entries: Record<string, string>,
  pages: Record<string, string>,
  options: { prepare?: (outdir: string) => Promise<void>; launchArgs?: readonly string[] } = {},
): ChromiumSite {
  const state = {} as { browser: Browser; site: StaticServer; outdir?: string };
  before(async () => {
    state.outdir = await mkdtemp(path.join(os.tmpdir(), `jsinterop-${name}-`));
    await bundle(entries, state.outdir);
    await options.prepare?.(state.outdir);
    state.site = await serveStatic([state.outdir], pages);
    state.browser = await launchChromium(options.launchArgs);
  });
  after(async () => {
    await state.browser?.close();
    await state.site?.close();
    if (state.outdir) await rm(state.outdir, { recursive: true, force: true });
  });
  return state;
}
