/*
 * The official page package expects a browser: `window` when it is evaluated, `document.baseURI`
 * to resolve `import('./x')`, and `window.DotNet` for Blazor's disposal identifier. In Node we
 * provide them before the package loads (this module is imported first for that reason).
 * Browsers never load this module: "#node-globals" in package.json maps it to browser-globals.ts
 * outside Node.
 *
 * A page's base URI is the address of its document, whatever folder the browser was started in.
 * In Node the program's entry script plays the document's part, so `./x` resolves beside it and
 * `node some/dir/app.mjs` finds `some/dir/x.mjs` from any working directory. Without an entry
 * script (the REPL, `node -e`) the working directory is the base.
 */
const g = globalThis as any;

// Node's modules are taken from `process`, not imported: bundlers that follow this file for a
// browser build must not be asked to resolve `node:` modules.
function nodeBaseURI(): string {
  const builtin = (name: string) => g.process.getBuiltinModule?.(name);
  const fs = builtin('node:fs');
  const path = builtin('node:path');
  const url = builtin('node:url');
  let folder: string = g.process.cwd();
  const entry: unknown = g.process.argv?.[1];
  if (fs && path && typeof entry === 'string' && path.isAbsolute(entry) && fs.statSync(entry, { throwIfNoEntry: false })?.isFile()) {
    folder = path.dirname(fs.realpathSync(entry));
  }
  if (!folder.endsWith('/')) folder += '/';
  return url ? url.pathToFileURL(folder).href : 'file://' + encodeURI(folder);
}

if (typeof g.window === 'undefined') g.window = globalThis;
if (typeof g.document === 'undefined' && typeof g.process?.cwd === 'function') g.document = { baseURI: nodeBaseURI() };
export {};
