/*
 * Bundles the demo's browser code at start-up, in memory: the page (with the official package),
 * the chart module the hosts import, and the Worker's host. Building from the TypeScript sources
 * on every start keeps `npm start` to one step and the bundles always in step with src/.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

/** The repository root (this file runs as dist/demo/build.js). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Bundle name (served as /<name>.js) → entry point, relative to the repository root. */
export const DEMO_ENTRIES: Record<string, string> = {
  main: 'demo/page/main.ts',
  chart: 'demo/page/chart.ts',
  worker: 'demo/worker/main.ts',
};

/** Builds `entries` and returns the files by URL path ('/main.js', '/main.js.map', …). */
export async function buildBundles(entries: Record<string, string> = DEMO_ENTRIES): Promise<Map<string, Uint8Array>> {
  const result = await esbuild.build({
    entryPoints: Object.fromEntries(Object.entries(entries).map(([name, file]) => [name, path.join(repoRoot, file)])),
    outdir: '/bundles',
    write: false,
    bundle: true,
    splitting: true, // as applications ship it: code loaded on demand stays in its own chunk
    format: 'esm',
    platform: 'browser',
    target: 'chrome120',
    sourcemap: 'linked',
    logLevel: 'error',
  });
  return new Map(result.outputFiles.map((file) => [file.path.slice('/bundles'.length), file.contents]));
}
