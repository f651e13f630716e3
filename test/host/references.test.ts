import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { IN_PROCESS_ONLY, test } from '../support/hosting-models.js';
import { openPage, openWirePage } from '../support/page.js';

describe('JS object references as arguments', () => {
  test('a reference passed as an argument arrives as the very object it refers to', async (t) => {
    const { js, define } = await openPage(t);
    const box = { content: 1 };
    define('getBox', () => box);
    define('isBox', (candidate: unknown) => candidate === box);
    const ref = await js.invokeObjectReferenceAsync('getBox');
    assert.ok(ref);
    assert.equal(await js.invokeAsync('isBox', ref), true);
    await ref.disposeAsync();
  });

  test('references nested in objects and arrays arrive as their objects', async (t) => {
    const { js, define } = await openPage(t);
    const a = { name: 'a' };
    const b = { name: 'b' };
    define('getA', () => a);
    define('getB', () => b);
    define('check', (arg: { first: unknown; rest: unknown[] }) => arg.first === a && arg.rest[0] === b && arg.rest[1] === a);
    const refA = (await js.invokeObjectReferenceAsync('getA'))!;
    const refB = (await js.invokeObjectReferenceAsync('getB'))!;
    assert.equal(await js.invokeAsync('check', { first: refA, rest: [refB, refA] }), true);
    await refA.disposeAsync();
    await refB.disposeAsync();
  });

  test('a reference passed to a sync call arrives as the very object it refers to', IN_PROCESS_ONLY.syncCalls, async (t) => {
    const { js, define } = await openPage(t);
    const box = { content: 1 };
    define('getBox', () => box);
    define('isBox', (candidate: unknown) => candidate === box);
    const ref = js.invokeObjectReference('getBox');
    assert.ok(ref);
    assert.equal(js.invoke('isBox', ref), true);
    ref.dispose();
  });

  test('a reference is written as {"__jsObjectId": id}', async (t) => {
    const page = await openWirePage(t);
    page.define('getBox', () => ({}));
    page.define('ignore', () => undefined);
    const ref = (await page.js.invokeObjectReferenceAsync('getBox'))!;
    await page.js.invokeVoidAsync('ignore', ref, { inner: ref });
    const argsJson = page.calls('beginInvokeJSFromDotNet')[1]![2];
    assert.equal(argsJson, `[{"__jsObjectId":${ref.id}},{"inner":{"__jsObjectId":${ref.id}}}]`);
    await ref.disposeAsync();
  });

  test('a stream reference passed back as an argument arrives as its data source', async (t) => {
    const { js, define } = await openPage(t);
    const blob = new Blob(['abc']);
    define('getBlob', () => blob);
    define('isBlob', (candidate: unknown) => candidate === blob);
    const stream = await js.invokeStreamReferenceAsync('getBlob');
    assert.equal(await js.invokeAsync('isBlob', stream), true);
    await stream.disposeAsync();
  });

  const foreignMessage = (id: number) =>
    `The JS reference with id ${id} belongs to another runtime; JS object ids are only meaningful to the page that issued them.`;
  const disposedMessage = (id: number) =>
    `Cannot access a disposed object: the JS object reference with id ${id} was disposed. Keep the reference until you are done with it, or obtain a new one.`;

  test('a reference from another runtime is rejected before anything is sent', async (t) => {
    const mine = await openPage(t);
    const theirs = await openPage(t);
    theirs.define('makeTheirs', () => ({}));
    mine.define('takeArg', () => 'called');
    const foreign = (await theirs.js.invokeObjectReferenceAsync('makeTheirs'))!;
    const before = mine.js.stats().callsToJS;
    await assert.rejects(mine.js.invokeAsync('takeArg', foreign), { name: 'TypeError', message: foreignMessage(foreign.id) });
    assert.equal(mine.js.stats().callsToJS, before);
    assert.equal(mine.js.stats().pendingCalls, 0);
    await foreign.disposeAsync();
  });

  test('a disposed reference cannot be passed as an argument: ObjectDisposedError, nothing sent', async (t) => {
    const { js, define } = await openPage(t);
    define('makeBox', () => ({}));
    define('makeBytes', () => new Uint8Array(3));
    define('takeArg', () => 'called');
    const ref = (await js.invokeObjectReferenceAsync('makeBox'))!;
    const stream = await js.invokeStreamReferenceAsync('makeBytes');
    await ref.disposeAsync();
    await stream.disposeAsync();
    const before = js.stats().callsToJS;
    await assert.rejects(js.invokeAsync('takeArg', ref), { name: 'ObjectDisposedError', message: disposedMessage(ref.id) });
    await assert.rejects(js.invokeAsync('takeArg', stream), {
      name: 'ObjectDisposedError',
      message: `A disposed JS reference (id ${stream.id}) cannot be passed to JavaScript.`,
    });
    await assert.rejects(js.invokeAsync('takeArg', { inner: ref }), { name: 'ObjectDisposedError' });
    assert.equal(js.stats().callsToJS, before);
  });

  test('a sync call refuses foreign and disposed references before anything is sent', IN_PROCESS_ONLY.syncCalls, async (t) => {
    const mine = await openPage(t);
    const theirs = await openPage(t);
    theirs.define('makeTheirs', () => ({}));
    mine.define('makeBox', () => ({}));
    mine.define('takeArg', () => 'called');
    const foreign = theirs.js.invokeObjectReference('makeTheirs')!;
    const ref = mine.js.invokeObjectReference('makeBox')!;
    ref.dispose();
    const before = mine.js.stats().callsToJS;
    assert.throws(() => mine.js.invoke('takeArg', [foreign]), { name: 'TypeError', message: foreignMessage(foreign.id) });
    assert.throws(() => mine.js.invoke('takeArg', { inner: ref }), { name: 'ObjectDisposedError', message: disposedMessage(ref.id) });
    assert.equal(mine.js.stats().callsToJS, before);
    foreign.dispose();
  });
});

describe('reference identity and views', () => {
  test('ids are positive, distinct and stable for the life of a reference', async (t) => {
    const { js, define } = await openPage(t);
    define('makeBox', () => ({}));
    const refs = [(await js.invokeObjectReferenceAsync('makeBox'))!, (await js.invokeObjectReferenceAsync('makeBox'))!, (await js.invokeObjectReferenceAsync('makeBox'))!];
    const ids = refs.map((ref) => ref.id);
    assert.equal(new Set(ids).size, 3);
    assert.ok(ids.every((id) => Number.isInteger(id) && id > 0));
    await refs[0]!.invokeAsync('valueOf');
    assert.deepEqual(
      refs.map((ref) => ref.id),
      ids,
    );
    for (const ref of refs) await ref.disposeAsync();
  });

  test('a with() view calls the same object, and disposing either disposes both', async (t) => {
    const { js, define } = await openPage(t);
    const box = { n: 1 };
    define('getBox', () => box);
    const ref = (await js.invokeObjectReferenceAsync('getBox'))!;
    const view = ref.with({ timeout: 1000 });
    assert.equal(view.id, ref.id);
    assert.equal(await view.getValueAsync('n'), 1);
    await view.disposeAsync();
    assert.equal(ref.disposed, true);
    assert.equal(js.stats().jsObjectReferences, 0);
  });
});

describe('reading a value as a reference', () => {
  test('getValueObjectReferenceAsync reads a property as a reference (GetValue with an object result); null for null and undefined', async (t) => {
    const page = await openPage(t);
    const settings = { theme: 'dark', apply() { return this.theme; } };
    page.define('app', { settings, missing: null, unset: undefined });
    const ref = await page.js.getValueObjectReferenceAsync('app.settings');
    assert.ok(ref);
    assert.equal(await ref.invokeAsync('apply'), 'dark');
    // Changing the object through the reference changes the page's own object, as in Blazor's E2E scenario.
    await ref.setValueAsync('theme', 'light');
    assert.equal(settings.theme, 'light');
    assert.equal(await page.js.getValueObjectReferenceAsync('app.missing'), null);
    assert.equal(await page.js.getValueObjectReferenceAsync('app.unset'), null);
    // A property that does not exist fails with the page package's text, as getValueAsync does.
    await assert.rejects(page.js.getValueObjectReferenceAsync('app.absent'), { name: 'JSException', message: /The property 'app\.absent' is not defined or is not readable/ });
    const [call] = page.calls('beginInvokeJSFromDotNet').filter(([, identifier]) => identifier === 'app.settings');
    assert.deepEqual([call![3], call![5]], [1, 3], 'result type JSObjectReference (1), call type GetValue (3)');
    await ref.disposeAsync();
  });

  test('on a reference, and synchronously where the host shares the page’s thread', IN_PROCESS_ONLY.syncCalls, async (t) => {
    const { js, define } = await openPage(t);
    const inner = { n: 2 };
    define('outer', { inner, none: null });
    const outer = (await js.getValueObjectReferenceAsync('outer'))!;
    const viaRef = (await outer.getValueObjectReferenceAsync('inner'))!;
    assert.equal(await viaRef.getValueAsync('n'), 2);
    const sync = (js as import('../../src/index.js').IJSInProcessRuntime).getValueObjectReference('outer.inner')!;
    assert.equal(sync.getValue('n'), 2);
    assert.equal((js as import('../../src/index.js').IJSInProcessRuntime).getValueObjectReference('outer.none'), null);
    assert.throws(() => (js as import('../../src/index.js').IJSInProcessRuntime).getValueObjectReference('outer.absent'), { name: 'JSException' });
    sync.dispose();
    await viaRef.disposeAsync();
    await outer.disposeAsync();
  });
});
