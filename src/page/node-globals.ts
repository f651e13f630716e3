/*
 * The official page package expects a browser: `window` when it is evaluated, `document.baseURI`
 * to resolve `import('./x')`, and `window.DotNet` for Blazor's disposal identifier. In Node we
 * provide them before the package loads (this module is imported first for that reason).
 * Browsers never load this module: "#node-globals" in package.json maps it to browser-globals.ts
 * outside Node.
 */
const g = globalThis as any;
if (typeof g.window === 'undefined') g.window = globalThis;
if (typeof g.document === 'undefined' && typeof g.process?.cwd === 'function') {
  const url = g.process.getBuiltinModule?.('node:url');
  const cwd: string = g.process.cwd();
  const baseURI = url ? url.pathToFileURL(cwd.endsWith('/') ? cwd : cwd + '/').href : 'file://' + encodeURI(cwd) + '/';
  g.document = { baseURI };
}
export {};
