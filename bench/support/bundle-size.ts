import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';

/** One file of a bundle: its bytes minified, and gzipped at level 9. */
export interface ChunkSize {
  readonly minified: number;
  readonly gzipped: number;
}

/** What a page ships: the entry chunk (with every chunk it imports statically) and the chunks it loads on demand. */
export interface BundleSize extends ChunkSize {
  /** Chunks loaded only by a dynamic `import()`, named by the source modules in them. */
  readonly lazy: (ChunkSize & { readonly modules: string[] })[];
}

/**
 * Size of what a page ships for `contents` (a TypeScript module, resolved from `resolveDir`):
 * bundled for the browser with code splitting, as an application's bundler would, minified,
 * and gzipped at level 9. The entry and its static imports count as the page's bundle; chunks
 * behind a dynamic `import()` are reported apart.
 */
export async function minGzipSize(contents: string, resolveDir: string, alias?: Record<string, string>): Promise<BundleSize> {
  const result = await esbuild.build({
    stdin: { contents, resolveDir, loader: 'ts', sourcefile: 'bundle-size.ts' },
    ...(alias ? { alias } : {}),
    bundle: true,
    splitting: true,
    outdir: 'bundle-size.out', // only names the chunks: nothing is written
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'chrome120',
    write: false,
    metafile: true,
    logLevel: 'error',
  });
  const outputs = result.metafile.outputs;
  const sizeOf = (path: string): ChunkSize => {
    const file = result.outputFiles.find((f) => f.path.endsWith(path.replace(/^.*bundle-size\.out/, 'bundle-size.out')))!;
    return { minified: file.contents.byteLength, gzipped: gzipSync(file.contents, { level: 9 }).byteLength };
  };
  const entry = Object.keys(outputs).find((path) => outputs[path]!.entryPoint !== undefined)!;
  const eager = new Set<string>();
  const visit = (path: string): void => {
    if (eager.has(path)) return;
    eager.add(path);
    for (const imported of outputs[path]!.imports) if (imported.kind === 'import-statement') visit(imported.path);
  };
  visit(entry);
  const total = [...eager].map(sizeOf).reduce((sum, s) => ({ minified: sum.minified + s.minified, gzipped: sum.gzipped + s.gzipped }));
  const lazy = Object.keys(outputs)
    .filter((path) => !eager.has(path))
    .map((path) => ({ ...sizeOf(path), modules: Object.keys(outputs[path]!.inputs) }));
  return { ...total, lazy };
}
