import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { JSException } from '../../src/index.js';
import { IN_PROCESS_ONLY, test } from '../support/hosting-models.js';
import { openPage, openWirePage } from '../support/page.js';

const jsonValue = { n: 1.25, s: 'text', b: false, nothing: null, list: [1, 'two', [3]], nested: { deep: { x: -7 } } };

describe('value results', () => {
  test('JSON values come back as the same values', async (t) => {
    const { js, define } = await openPage(t);
    define('giveValue', () => jsonValue);
    assert.deepEqual(await js.invokeAsync('giveValue'), jsonValue);
  });

  test('undefined, a missing result and NaN all come back as null (JSON has no undefined)', async (t) => {
    const { js, define } = await openPage(t);
    define('giveUndefined', () => undefined);
    define('giveNaN', () => NaN);
    assert.equal(await js.invokeAsync('giveUndefined'), null);
    assert.equal(await js.invokeAsync('giveNaN'), null);
  });

  test('a Date comes back as its ISO string, as JSON.stringify writes it', async (t) => {
    const { js, define } = await openPage(t);
    define('epoch', () => new Date(0));
    assert.equal(await js.invokeAsync('epoch'), '1970-01-01T00:00:00.000Z');
  });

  test('sync calls give the same values', IN_PROCESS_ONLY.syncCalls, async (t) => {
    const { js, define } = await openPage(t);
    define('giveValue', () => jsonValue);
    define('giveUndefined', () => undefined);
    define('epoch', () => new Date(0));
    assert.deepEqual(js.invoke('giveValue'), jsonValue);
    assert.equal(js.invoke('giveUndefined'), null);
    assert.equal(js.invoke('epoch'), '1970-01-01T00:00:00.000Z');
  });

  test('a sync call does not await a promise: it comes back as {} (the page never awaits in the sync path)', IN_PROCESS_ONLY.syncCalls, async (t) => {
    const { js, define } = await openPage(t);
    define('later', async () => 5);
    assert.deepEqual(js.invoke('later'), {});
  });
});

describe('object reference results', () => {
  test('invokeObjectReferenceAsync returns a reference to the very object the function returned', async (t) => {
    const { js, define } = await openPage(t);
    const box = { content: 'x' };
    define('getBox', () => box);
    define('isBox', (candidate: unknown) => candidate === box);
    const ref = await js.invokeObjectReferenceAsync('getBox');
    assert.ok(ref);
    assert.ok(ref.id > 0);
    assert.equal(ref.disposed, false);
    assert.equal(await js.invokeAsync('isBox', ref), true);
    await ref.disposeAsync();
  });

  test('two references to the same object get distinct ids (the page does not deduplicate)', async (t) => {
    const { js, define } = await openPage(t);
    const box = {};
    define('getBox', () => box);
    const first = await js.invokeObjectReferenceAsync('getBox');
    const second = await js.invokeObjectReferenceAsync('getBox');
    assert.ok(first && second);
    assert.notEqual(first.id, second.id);
    assert.equal(js.stats().jsObjectReferences, 2);
    await first.disposeAsync();
    await second.disposeAsync();
  });

  test('a function can be returned as a reference and called through it', async (t) => {
    const { js, define } = await openPage(t);
    define('makeAdder', (n: number) => Object.assign((x: number) => x + n, { base: n }));
    const adder = await js.invokeObjectReferenceAsync('makeAdder', 10);
    assert.ok(adder);
    assert.equal(await adder.invokeAsync('call', null, 5), 15);
    assert.equal(await adder.getValueAsync('base'), 10);
    await adder.disposeAsync();
  });

  test('null and undefined come back as null (the page sends {"__jsObjectId":-1}) and hold nothing', async (t) => {
    const page = await openPage(t);
    page.define('giveNull', () => null);
    page.define('giveUndefined', () => undefined);
    assert.equal(await page.js.invokeObjectReferenceAsync('giveNull'), null);
    assert.equal(await page.js.invokeObjectReferenceAsync('giveUndefined'), null);
    assert.deepEqual(
      page.calls('endInvokeJSFromDotNet').map(([, , json]) => json),
      ['[2,true,{"__jsObjectId":-1}]', '[3,true,{"__jsObjectId":-1}]'],
    );
    assert.equal(page.js.stats().jsObjectReferences, 0);
  });

  const notAnObject = { name: 'JSException', message: "Cannot create a JSObjectReference from the value '5'." };

  test('a primitive cannot become a reference: the page’s error comes back', async (t) => {
    const { js, define } = await openPage(t);
    define('giveFive', () => 5);
    await assert.rejects(js.invokeObjectReferenceAsync('giveFive'), notAnObject);
    assert.equal(js.stats().jsObjectReferences, 0);
  });

  test('a sync call gives null for undefined, and the page’s error for a primitive', IN_PROCESS_ONLY.syncCalls, async (t) => {
    const page = await openPage(t);
    page.define('giveUndefined', () => undefined);
    page.define('giveFive', () => 5);
    assert.equal(page.js.invokeObjectReference('giveUndefined'), null);
    assert.deepEqual(page.calls('invokeJSFromDotNet').length, 1);
    assert.throws(() => page.js.invokeObjectReference('giveFive'), notAnObject);
    assert.equal(page.js.stats().jsObjectReferences, 0);
  });
});

describe('references nested in value results', () => {
  test('a JS object reference inside a value result becomes a reference the host can use and must dispose', async (t) => {
    const { js, define, DotNet } = await openPage(t);
    const box = { content: 'inside' };
    define('giveWrapped', () => ({ label: 'wrapper', box: DotNet.createJSObjectReference(box), none: DotNet.createJSObjectReference(null) }));
    const result = await js.invokeAsync<{ label: string; box: any; none: unknown }>('giveWrapped');
    assert.equal(result.label, 'wrapper');
    assert.equal(result.none, null);
    assert.equal(await result.box.getValueAsync('content'), 'inside');
    assert.equal(js.stats().jsObjectReferences, 1);
    await result.box.disposeAsync();
    assert.equal(js.stats().jsObjectReferences, 0);
  });

  test('a JS stream reference inside a value result becomes a readable stream reference', async (t) => {
    const { js, define, DotNet } = await openPage(t);
    define('giveFiles', () => [DotNet.createJSStreamReference(new Uint8Array([1, 2, 3]))]);
    const [file] = await js.invokeAsync<any[]>('giveFiles');
    assert.equal(file.length, 3);
    assert.deepEqual([...new Uint8Array(await new Response(file.openReadStream()).arrayBuffer())], [1, 2, 3]);
    await file.disposeAsync();
  });
});

describe('stream reference results', () => {
  test('invokeStreamReferenceAsync returns a stream reference with the data’s length', async (t) => {
    const page = await openPage(t);
    page.define('giveBytes', () => new Uint8Array(1000));
    const stream = await page.js.invokeStreamReferenceAsync('giveBytes');
    assert.equal(stream.length, 1000);
    assert.ok(stream.id > 0);
    assert.equal(page.calls('endInvokeJSFromDotNet')[0]![2], `[2,true,{"__jsStreamReferenceLength":1000,"__jsObjectId":${stream.id}}]`);
    await stream.disposeAsync();
  });

  test('invokeStreamReference (sync) returns a stream reference too', IN_PROCESS_ONLY.syncCalls, async (t) => {
    const { js, define } = await openPage(t);
    define('giveBlob', () => new Blob(['abcd']));
    const stream = js.invokeStreamReference('giveBlob');
    assert.equal(stream.length, 4);
    await stream.disposeAsync();
  });

  test('a value that is not a Blob, ArrayBuffer or typed array fails with the page’s text', async (t) => {
    const { js, define } = await openPage(t);
    define('giveText', () => 'abc');
    await assert.rejects(js.invokeStreamReferenceAsync('giveText'), {
      name: 'JSException',
      message: 'Supplied value is not a typed array or blob.',
    });
  });
});

describe('void results', () => {
  test('invokeVoidAsync resolves to undefined on the direct path too, whatever the function returns', async (t) => {
    const page = await openPage(t);
    page.define('giveObject', () => ({ ignored: true }));
    page.define('giveNumber', () => 7);
    assert.equal(await page.js.invokeVoidAsync('giveObject'), undefined);
    assert.equal(await page.js.invokeVoidAsync('giveNumber'), undefined);
  });

  test('invokeVoidAsync resolves to undefined and the page sends null as the result', async (t) => {
    const page = await openWirePage(t);
    page.define('giveObject', () => ({ ignored: true }));
    assert.equal(await page.js.invokeVoidAsync('giveObject'), undefined);
    assert.equal(page.calls('endInvokeJSFromDotNet')[0]![2], '[2,true,null]');
  });

  test('a value JSON cannot serialise fails a default call but not a void call', async (t) => {
    const { js, define } = await openPage(t);
    define('giveBigInt', () => 1n);
    await assert.rejects(js.invokeAsync('giveBigInt'), (error: unknown) => {
      assert.ok(error instanceof JSException);
      assert.equal(error.message, 'Do not know how to serialize a BigInt');
      return true;
    });
    assert.equal(await js.invokeVoidAsync('giveBigInt'), undefined);
  });
});
