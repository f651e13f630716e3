import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DotNet } from '../src/page.js';
import { createInProcessRuntime } from '../src/index.js';

test('importing jsinterop/page provides window, document.baseURI (the entry script\'s folder, as a page\'s is its document\'s) and globalThis.DotNet, as a browser page has', () => {
  const g = globalThis as any;
  assert.equal(g.window, globalThis);
  assert.equal(g.document.baseURI, pathToFileURL(path.dirname(process.argv[1]!) + '/').href);
  assert.equal(g.DotNet, DotNet);
  assert.equal(typeof DotNet.attachDispatcher, 'function');
});

test('a runtime created without options attaches to that package, and Blazor’s disposal identifier resolves', async () => {
  const js = createInProcessRuntime();
  (globalThis as any).makeThing = () => ({});
  const ref = js.invokeObjectReference('makeThing')!;
  // Blazor hosts release references by calling "DotNet.disposeJSObjectReferenceById" on window.
  await js.invokeVoidAsync('DotNet.disposeJSObjectReferenceById', ref.id);
  assert.throws(() => DotNet.findJSFunction('valueOf', ref.id), {
    message: `JS object instance with ID ${ref.id} does not exist (has it been disposed?).`,
  });
  ref.dispose();
  delete (globalThis as any).makeThing;
});
