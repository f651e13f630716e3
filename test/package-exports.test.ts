/*
 * The package's exports map, as a user's `import` resolves it: every entry point loads by its
 * public name (a package may import itself by name, through the same map) and offers the API
 * the README documents, and every entry's type declarations exist.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { repoRoot } from './support/browser.js';
import './support/page.js'; // the page entry needs the browser globals the official package reads

const documented: Record<string, string[]> = {
  jsinterop: ['createInProcessRuntime', 'isInProcess', 'asInProcess', 'HostObjectReference', 'JSInvokable', 'registerInvokables', 'JSException', 'JSDisconnectedException', 'pageAbortSignal'],
  'jsinterop/page': ['DotNet'],
  'jsinterop/worker': ['connectToPage', 'hostInWorker', 'transfer'],
  'jsinterop/server': ['createInteropServer', 'CIRCUIT_GONE', 'SERVER_DRAINING', 'CIRCUIT_DISCONNECTED', 'PAGE_CLOSED'],
  'jsinterop/server/client': ['connectToServer', 'CIRCUIT_GONE', 'SERVER_DRAINING'],
};

test('every entry point of the exports map loads by its public name, with its documented API and its types', async () => {
  const manifest = JSON.parse(await readFile(path.join(repoRoot, 'package.json'), 'utf8')) as { name: string; exports: Record<string, { types: string; default: string }> };
  const names = Object.keys(manifest.exports).map((subpath) => (subpath === '.' ? manifest.name : `${manifest.name}${subpath.slice(1)}`));
  assert.deepEqual(names.sort(), Object.keys(documented).sort());
  for (const { types } of Object.values(manifest.exports)) await access(path.join(repoRoot, types));
  for (const [name, members] of Object.entries(documented)) {
    const module = (await import(name)) as Record<string, unknown>;
    for (const member of members) assert.notEqual(module[member], undefined, `${name} exports ${member}`);
  }
});
