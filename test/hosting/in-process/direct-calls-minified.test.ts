/*
 * The direct path must survive a production build: a minifier renames the package's functions,
 * so the glue may not find the package's reviver list by a function's name. A page bundled and
 * minified with esbuild counts the JSON.parse calls made with a reviver (the package dispatcher
 * parses with one; the direct path and the host never do) around a plain call, and around a call
 * with a host stream and a byte array, whose markers the direct path revives with the package's
 * own DotNetStream class, found by what it does.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';

const run = promisify(execFile);
const repository = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

/** Evaluated before the bundle's other modules, so the glue captures the counting JSON.parse. */
const countRevivingParses = `
const parse = JSON.parse;
globalThis.revivingParses = 0;
JSON.parse = function (text, reviver) {
  if (typeof reviver === 'function') globalThis.revivingParses++;
  return parse.call(this, text, reviver);
};
`;

const page = (directCalls: boolean): string => `
import './count-reviving-parses.mjs';
import ${JSON.stringify(path.join(repository, 'dist/src/page/node-globals.js'))};
import { DotNet } from '@microsoft/dotnet-js-interop';
import { createInProcessRuntime, HostStreamReference } from ${JSON.stringify(path.join(repository, 'dist/src/index.js'))};
globalThis.echo = (value) => value;
globalThis.readAll = async (stream, bytes) => [...new Uint8Array(await stream.arrayBuffer()), ...bytes];
const js = createInProcessRuntime({ DotNet, directCalls: ${directCalls} });
const before = globalThis.revivingParses;
const result = js.invoke('echo', { a: [1, 'two'] });
const revivingParses = globalThis.revivingParses - before;
const beforeMarkers = globalThis.revivingParses;
const markers = await js.invokeAsync('readAll', HostStreamReference.create(new Uint8Array([1, 2])), new Uint8Array([3]));
console.log(JSON.stringify({ result, revivingParses, markers, markerParses: globalThis.revivingParses - beforeMarkers }));
`;

async function runMinified(directCalls: boolean): Promise<{ result: unknown; revivingParses: number; markers: unknown; markerParses: number }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'jsinterop-minified-'));
  try {
    await writeFile(path.join(dir, 'count-reviving-parses.mjs'), countRevivingParses);
    await writeFile(path.join(dir, 'page.mjs'), page(directCalls));
    const outfile = path.join(dir, 'bundle.mjs');
    await build({ entryPoints: [path.join(dir, 'page.mjs')], bundle: true, minify: true, format: 'esm', platform: 'node', outfile, nodePaths: [path.join(repository, 'node_modules')], logLevel: 'silent' });
    const { stdout } = await run(process.execPath, [outfile]);
    return JSON.parse(stdout);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('a minified page still takes the direct path for a plain call, and for a host stream and a byte array', async () => {
  const direct = await runMinified(true);
  assert.deepEqual(direct.result, { a: [1, 'two'] });
  assert.equal(direct.revivingParses, 0, "the call's arguments were parsed with the package's revivers: the direct path was not taken");
  // The package's DotNetStream class is found by what it does, not by its (minified) name.
  assert.deepEqual(direct.markers, [1, 2, 3]);
  assert.equal(direct.markerParses, 0, 'the markers were revived by the package dispatcher: the direct path did not find the DotNetStream class');
});

test('the count sees the package dispatcher when the direct path is off (the control)', async () => {
  const official = await runMinified(false);
  assert.deepEqual(official.result, { a: [1, 'two'] });
  assert.ok(official.revivingParses > 0, 'the package dispatcher parses with its revivers');
  assert.deepEqual(official.markers, [1, 2, 3]);
  assert.ok(official.markerParses > 0, 'the package dispatcher parses the markers with its revivers');
});
