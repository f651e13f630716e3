/*
 * A Worker script of the Chromium test that throws while it loads, before it connects to the
 * page. Outside a browser Worker (node --test runs every file under test/) it does nothing.
 */
const g = globalThis as any;
if (typeof g.WorkerGlobalScope === 'function' && g instanceof g.WorkerGlobalScope) throw new Error('the host script failed at start');
export {};
