import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { IN_PROCESS_ONLY, test } from '../support/hosting-models.js';
import { fixtureUrl, openPage } from '../support/page.js';

const moduleUrl = fixtureUrl('math-module.js');

describe('importing a module', () => {
  test('import returns a reference to the module, through which its functions are called', async (t) => {
    const { js } = await openPage(t);
    const module = await js.import(moduleUrl);
    assert.equal(await module.invokeAsync('add', 2, 3), 5);
    assert.equal(await module.invokeAsync('greet', 'node'), 'hello node');
    await module.disposeAsync();
  });

  test('an in-process module reference has the sync members too', IN_PROCESS_ONLY.syncCalls, async (t) => {
    const { js } = await openPage(t);
    const module = await js.import(moduleUrl);
    assert.equal(module.invoke('greet', 'node'), 'hello node');
    assert.equal(module.getValue('config.nested.label'), 'deep');
    module.dispose();
  });

  test('an async export is awaited', async (t) => {
    const { js } = await openPage(t);
    const module = await js.import(moduleUrl);
    assert.equal(await module.invokeAsync('addLater', 40, 2), 42);
    await module.disposeAsync();
  });

  test('functions of a module are called with `this` bound to the module namespace', async (t) => {
    const { js } = await openPage(t);
    const module = await js.import(moduleUrl);
    assert.equal(await module.invokeAsync('calledOnModule'), true);
    await module.disposeAsync();
  });

  test('an exported class is constructed through the module and its instance is usable', async (t) => {
    const { js } = await openPage(t);
    const module = await js.import(moduleUrl);
    const counter = await module.invokeConstructorAsync('Counter', 10);
    assert.equal(await counter.invokeAsync('increment'), 11);
    assert.equal(await counter.invokeAsync('increment', 5), 16);
    assert.equal(await counter.getValueAsync('value'), 16);
    await counter.disposeAsync();
    await module.disposeAsync();
  });

  test('exported values, nested ones included, are read with getValue', async (t) => {
    const { js } = await openPage(t);
    const module = await js.import(moduleUrl);
    assert.equal(await module.getValueAsync('version'), '1.2.3');
    assert.equal(await module.getValueAsync('config.answer'), 42);
    assert.equal(await module.getValueAsync('config.nested.label'), 'deep');
    await module.disposeAsync();
  });

  test('import sends Blazor’s "import" identifier on window with an object reference result', async (t) => {
    const page = await openPage(t);
    const module = await page.js.import(moduleUrl);
    const [handle, identifier, argsJson, resultType, target, callType] = page.calls('beginInvokeJSFromDotNet')[0]!;
    assert.deepEqual([handle, identifier, argsJson, resultType, target, callType], [2, 'import', JSON.stringify([moduleUrl]), 1, 0, 1]);
    await module.disposeAsync();
  });

  test('a "./" specifier is resolved against document.baseURI', async (t) => {
    const { js } = await openPage(t);
    const document = (globalThis as any).document as { baseURI: string };
    const previous = document.baseURI;
    document.baseURI = new URL('.', moduleUrl).href;
    t.after(() => {
      document.baseURI = previous;
    });
    const module = await js.import('./math-module.js');
    assert.equal(await module.invokeAsync('add', 1, 1), 2);
    await module.disposeAsync();
  });

  test('a module that does not exist rejects with Node’s import error (the page imports it)', async (t) => {
    const { js } = await openPage(t);
    const missing = new URL('does-not-exist.js', moduleUrl).href;
    const packageFile = fileURLToPath(import.meta.resolve('@microsoft/dotnet-js-interop'));
    const expected = `Cannot find module '${fileURLToPath(missing)}' imported from ${packageFile}`;
    await assert.rejects(js.import(missing), { name: 'JSException', message: expected });
    assert.equal(js.stats().jsObjectReferences, 0);
  });
});
