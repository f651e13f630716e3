import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';

/**
 * Size of what a page ships for `contents` (a TypeScript module, resolved from `resolveDir`):
 * bundled for the browser, minified, and gzipped at level 9.
 */
export async function minGzipSize(contents: string, resolveDir: string, alias?: Record<string, string>): Promise<{ minified: number; gzipped: number }> {
  const result = await esbuild.build({
    stdin: { contents, resolveDir, loader: 'ts', sourcefile: 'bundle-size.ts' },
    ...(alias ? { alias } : {}),
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'chrome120',
    write: false,
    logLevel: 'error',
  });
  const code = result.outputFiles[0]!.contents;
  return { minified: code.byteLength, gzipped: gzipSync(code, { level: 9 }).byteLength };
}
