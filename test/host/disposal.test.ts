import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { ObjectDisposedError, type IJSInProcessObjectReference, type IJSObjectReference } from '../../src/index.js';
import { IN_PROCESS_ONLY, test } from '../support/hosting-models.js';
import { openPage, type InProcessPage, type Page } from '../support/page.js';

const makeTarget = () => ({ fn: () => 1, Ctor: class {}, bytes: () => new Uint8Array(1), value: 1 });

async function disposedReference(page: Page): Promise<IJSObjectReference> {
  page.define('makeTarget', makeTarget);
  const ref = (await page.js.invokeObjectReferenceAsync('makeTarget'))!;
  await ref.disposeAsync();
  return ref;
}

function disposedInProcessReference(page: InProcessPage): IJSInProcessObjectReference {
  page.define('makeTarget', makeTarget);
  const ref = page.js.invokeObjectReference('makeTarget')!;
  ref.dispose();
  return ref;
}

const disposedMessage = (id: number) =>
  `Cannot access a disposed object: the JS object reference with id ${id} was disposed. Keep the reference until you are done with it, or obtain a new one.`;

describe('a disposed JS object reference', () => {
  const asyncMembers: [string, (ref: IJSObjectReference) => Promise<unknown>][] = [
    ['invokeAsync', (ref) => ref.invokeAsync('fn')],
    ['invokeVoidAsync', (ref) => ref.invokeVoidAsync('fn')],
    ['invokeConstructorAsync', (ref) => ref.invokeConstructorAsync('Ctor')],
    ['invokeObjectReferenceAsync', (ref) => ref.invokeObjectReferenceAsync('fn')],
    ['invokeStreamReferenceAsync', (ref) => ref.invokeStreamReferenceAsync('bytes')],
    ['getValueAsync', (ref) => ref.getValueAsync('value')],
    ['setValueAsync', (ref) => ref.setValueAsync('value', 2)],
    ['with(...).invokeAsync', (ref) => ref.with({ timeout: 1000 }).invokeAsync('fn')],
  ];
  for (const [member, call] of asyncMembers) {
    test(`${member} rejects with ObjectDisposedError and sends nothing`, async (t) => {
      const page = await openPage(t);
      const ref = await disposedReference(page);
      const before = page.js.stats().callsToJS;
      const wireBefore = page.wire.length;
      await assert.rejects(call(ref), { name: 'ObjectDisposedError', message: disposedMessage(ref.id) });
      assert.equal(page.js.stats().callsToJS, before);
      assert.equal(page.wire.length, wireBefore);
    });
  }

  const syncMembers: [string, (ref: IJSInProcessObjectReference) => unknown][] = [
    ['invoke', (ref) => ref.invoke('fn')],
    ['invokeVoid', (ref) => ref.invokeVoid('fn')],
    ['invokeConstructor', (ref) => ref.invokeConstructor('Ctor')],
    ['invokeObjectReference', (ref) => ref.invokeObjectReference('fn')],
    ['invokeStreamReference', (ref) => ref.invokeStreamReference('bytes')],
    ['getValue', (ref) => ref.getValue('value')],
    ['setValue', (ref) => ref.setValue('value', 2)],
  ];
  for (const [member, call] of syncMembers) {
    test(`${member} throws ObjectDisposedError and sends nothing`, IN_PROCESS_ONLY.syncCalls, async (t) => {
      const page = await openPage(t);
      const ref = disposedInProcessReference(page);
      const before = page.js.stats().callsToJS;
      const wireBefore = page.wire.length;
      assert.throws(() => call(ref), (error: unknown) => error instanceof ObjectDisposedError && error.message === disposedMessage(ref.id));
      assert.equal(page.js.stats().callsToJS, before);
      assert.equal(page.wire.length, wireBefore);
    });
  }
});

describe('releasing references', () => {
  test('disposeAsync releases the object on the page; the page no longer knows its id', async (t) => {
    const page = await openPage(t);
    page.define('makeBox', () => ({}));
    const ref = (await page.js.invokeObjectReferenceAsync('makeBox'))!;
    assert.equal(page.js.stats().jsObjectReferences, 1);
    await ref.disposeAsync();
    assert.equal(ref.disposed, true);
    assert.equal(page.js.stats().jsObjectReferences, 0);
    assert.deepEqual(page.calls('disposeJSObjectReferenceById'), [[ref.id]]);
    assert.throws(() => page.DotNet.findJSFunction('valueOf', ref.id), {
      message: `JS object instance with ID ${ref.id} does not exist (has it been disposed?).`,
    });
  });

  test('disposing twice, at once or through a with() view, releases once', async (t) => {
    const page = await openPage(t);
    page.define('makeBox', () => ({}));
    const first = (await page.js.invokeObjectReferenceAsync('makeBox'))!;
    const second = (await page.js.invokeObjectReferenceAsync('makeBox'))!;
    await Promise.all([first.disposeAsync(), first.disposeAsync()]);
    await second.disposeAsync();
    await second.with({}).disposeAsync();
    assert.deepEqual(page.calls('disposeJSObjectReferenceById'), [[first.id], [second.id]]);
    assert.equal(page.js.stats().jsObjectReferences, 0);
  });

  test('disposing through both dispose and disposeAsync releases once', IN_PROCESS_ONLY.syncCalls, async (t) => {
    const page = await openPage(t);
    page.define('makeBox', () => ({}));
    const ref = page.js.invokeObjectReference('makeBox')!;
    ref.dispose();
    await ref.disposeAsync();
    ref.with({}).dispose();
    assert.deepEqual(page.calls('disposeJSObjectReferenceById'), [[ref.id]]);
    assert.equal(page.js.stats().jsObjectReferences, 0);
  });

  test('`using` releases a reference at the end of its block', IN_PROCESS_ONLY.syncCalls, async (t) => {
    const page = await openPage(t);
    page.define('makeBox', () => ({ n: 3 }));
    let id: number;
    {
      using ref = page.js.invokeObjectReference('makeBox')!;
      id = ref.id;
      assert.equal(ref.getValue('n'), 3);
      assert.equal(page.js.stats().jsObjectReferences, 1);
    }
    assert.equal(page.js.stats().jsObjectReferences, 0);
    assert.deepEqual(page.calls('disposeJSObjectReferenceById'), [[id]]);
  });

  test('`await using` releases object and stream references, also when the block throws', async (t) => {
    const page = await openPage(t);
    page.define('makeBox', () => ({}));
    page.define('makeBytes', () => new Uint8Array(4));
    const ids: number[] = [];
    await assert.rejects(async () => {
      await using box = await page.js.invokeObjectReferenceAsync('makeBox');
      await using bytes = await page.js.invokeStreamReferenceAsync('makeBytes');
      ids.push(box!.id, bytes.id);
      throw new Error('leaving the block early');
    }, /leaving the block early/);
    assert.equal(page.js.stats().jsObjectReferences, 0);
    assert.deepEqual(page.calls('disposeJSObjectReferenceById'), [[ids[1]], [ids[0]]]);
  });

  test('releasing in-process sends no interop call: the page table is updated directly', { inProcessOnly: 'it checks the in-process shortcut; over messages a release is an interop call, as in Blazor' }, async (t) => {
    const page = await openPage(t);
    page.define('makeBox', () => ({}));
    const ref = page.js.invokeObjectReference('makeBox')!;
    const calls = page.js.stats().callsToJS;
    await ref.disposeAsync();
    assert.equal(page.js.stats().callsToJS, calls);
    assert.equal(page.calls('beginInvokeJSFromDotNet').length, 0);
  });
});
