import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { JSCallResultType, JSCallType } from '../../src/index.js';
import { IN_PROCESS_ONLY, test } from '../support/hosting-models.js';
import { openPage, openWirePage } from '../support/page.js';

class Point {
  constructor(
    public x: number,
    public y: number,
  ) {}
  length(): number {
    return Math.hypot(this.x, this.y);
  }
}

describe('function calls', () => {
  test('invokeAsync calls a global function with the arguments and resolves to its result', async (t) => {
    const { js, define } = await openPage(t);
    define('sumAll', (...values: number[]) => values.reduce((a, b) => a + b, 0));
    assert.equal(await js.invokeAsync('sumAll', 1, 2, 3), 6);
  });

  test('invokeAsync awaits a promise returned by the JS function', async (t) => {
    const { js, define } = await openPage(t);
    define('doubleLater', async (x: number) => {
      await Promise.resolve();
      return x * 2;
    });
    assert.equal(await js.invokeAsync('doubleLater', 21), 42);
  });

  test('invoke calls a global function synchronously and returns its result', IN_PROCESS_ONLY.syncCalls, async (t) => {
    const { js, define } = await openPage(t);
    define('concat', (a: string, b: string) => a + b);
    assert.equal(js.invoke('concat', 'ab', 'cd'), 'abcd');
  });

  const everyJsonKind = [0, -1.5, 'text', true, false, null, [1, [2]], { a: { b: 'c' } }];

  test('arguments of every JSON kind reach the JS function unchanged', async (t) => {
    const { js, define } = await openPage(t);
    const received: unknown[][] = [];
    define('record', (...args: unknown[]) => void received.push(args));
    await js.invokeVoidAsync('record', ...everyJsonKind);
    await js.invokeAsync('record', ...everyJsonKind);
    assert.deepEqual(received, [everyJsonKind, everyJsonKind]);
  });

  test('arguments of every JSON kind reach the JS function unchanged through invokeVoid', IN_PROCESS_ONLY.syncCalls, async (t) => {
    const { js, define } = await openPage(t);
    const received: unknown[][] = [];
    define('record', (...args: unknown[]) => void received.push(args));
    js.invokeVoid('record', ...everyJsonKind);
    assert.deepEqual(received, [everyJsonKind]);
  });

  test('invokeVoidAsync ignores a result that JSON cannot represent', async (t) => {
    const { js, define } = await openPage(t);
    let calls = 0;
    define('makeBigInt', () => {
      calls++;
      return 10n;
    });
    assert.equal(await js.invokeVoidAsync('makeBigInt'), undefined);
    assert.equal(calls, 1);
  });

  test('invokeVoid ignores a result that JSON cannot represent', IN_PROCESS_ONLY.syncCalls, async (t) => {
    const { js, define } = await openPage(t);
    let calls = 0;
    define('makeBigInt', () => {
      calls++;
      return 10n;
    });
    assert.equal(js.invokeVoid('makeBigInt'), undefined);
    assert.equal(calls, 1);
  });
});

describe('constructor calls', () => {
  test('invokeConstructorAsync runs `new` and returns a reference to the new instance', async (t) => {
    const { js, define } = await openPage(t);
    define('Point', Point);
    const point = await js.invokeConstructorAsync('Point', 3, 4);
    assert.equal(await point.getValueAsync('x'), 3);
    assert.equal(await point.invokeAsync('length'), 5);
    await point.disposeAsync();
  });

  test('invokeConstructor runs `new` synchronously and returns an in-process reference', IN_PROCESS_ONLY.syncCalls, async (t) => {
    const { js, define } = await openPage(t);
    define('Point', Point);
    const point = js.invokeConstructor('Point', 6, 8);
    assert.equal(point.invoke('length'), 10);
    assert.equal(point.getValue('y'), 8);
    point.dispose();
  });

  test('a constructor found through a nested identifier is constructed with its arguments', async (t) => {
    const { js, define } = await openPage(t);
    define('geometry', { shapes: { Point } });
    const point = await js.invokeConstructorAsync('geometry.shapes.Point', 1, 2);
    assert.deepEqual([await point.getValueAsync('x'), await point.getValueAsync('y')], [1, 2]);
    await point.disposeAsync();
  });
});

describe('property reads and writes', () => {
  test('getValueAsync reads a nested property', async (t) => {
    const { js, define } = await openPage(t);
    define('settings', { theme: { color: 'teal' } });
    assert.equal(await js.getValueAsync('settings.theme.color'), 'teal');
  });

  test('getValue and setValue read and write a nested property synchronously', IN_PROCESS_ONLY.syncCalls, async (t) => {
    const { js, define } = await openPage(t);
    const settings = { theme: { color: 'teal' } };
    define('settings', settings);
    assert.equal(js.getValue('settings.theme.color'), 'teal');
    assert.equal(js.setValue('settings.theme.color', { rgb: [1, 2, 3] }), undefined);
    assert.deepEqual(settings.theme.color, { rgb: [1, 2, 3] });
  });

  test('getValue re-reads the property on every call', async (t) => {
    const { js, define } = await openPage(t);
    const counter = { hits: 1 };
    define('counter', counter);
    assert.equal(await js.getValueAsync('counter.hits'), 1);
    counter.hits = 2;
    assert.equal(await js.getValueAsync('counter.hits'), 2);
  });

  test('a getter is read through getValue', async (t) => {
    const { js, define } = await openPage(t);
    define('clock', {
      get now() {
        return 'tick';
      },
    });
    assert.equal(await js.getValueAsync('clock.now'), 'tick');
  });

  test('setValueAsync writes a nested property and resolves to nothing', async (t) => {
    const { js, define } = await openPage(t);
    const settings = { theme: { color: 'teal' } };
    define('settings', settings);
    assert.equal(await js.setValueAsync('settings.theme.color', 'plum'), undefined);
    assert.equal(settings.theme.color, 'plum');
    assert.equal(await js.setValueAsync('settings.theme.color', { rgb: [1, 2, 3] }), undefined);
    assert.deepEqual(settings.theme.color, { rgb: [1, 2, 3] });
  });

  test('setValue adds a property that did not exist on an extensible object', async (t) => {
    const { js, define } = await openPage(t);
    const bag: Record<string, unknown> = {};
    define('bag', bag);
    await js.setValueAsync('bag.fresh', 7);
    assert.deepEqual(bag, { fresh: 7 });
  });

  test('setValue on the runtime writes a global of the page', async (t) => {
    const { js } = await openPage(t);
    t.after(() => delete (globalThis as any).writtenByHost);
    await js.setValueAsync('writtenByHost', 123);
    assert.equal((globalThis as any).writtenByHost, 123);
  });
});

describe('the page’s handler cache (Blazor behaviour kept as is)', () => {
  test('a function re-assigned after its first call is not seen: the page keeps the function it resolved first', async (t) => {
    const { js, define } = await openPage(t);
    define('version', () => 'first');
    assert.equal(await js.invokeAsync('version'), 'first');
    (globalThis as any).version = () => 'second';
    assert.equal(await js.invokeAsync('version'), 'first');
  });
});

describe('`this` binding and nested identifiers', () => {
  test('a top-level function is called with `this` bound to the page global object', async (t) => {
    const { js, define } = await openPage(t);
    define('whoIsThis', function (this: unknown) {
      return this === globalThis;
    });
    assert.equal(await js.invokeAsync('whoIsThis'), true);
  });

  test('a nested function is called with `this` bound to its immediate parent', async (t) => {
    const { js, define } = await openPage(t);
    define('outer', {
      name: 'outer',
      who(this: { name: string }) {
        return this.name;
      },
      inner: {
        name: 'inner',
        who(this: { name: string }) {
          return this.name;
        },
      },
    });
    assert.equal(await js.invokeAsync('outer.who'), 'outer');
    assert.equal(await js.invokeAsync('outer.inner.who'), 'inner');
  });

  test('a method inherited through the prototype chain is callable', async (t) => {
    const { js, define } = await openPage(t);
    define('plain', { a: 1 });
    assert.equal(await js.invokeAsync('plain.hasOwnProperty', 'a'), true);
  });
});

describe('calls on JS object references', () => {
  function makeWidget() {
    return {
      label: 'w',
      nested: { depth: 2, where(this: { depth: number }) { return this.depth; } },
      Point,
      rename(this: { label: string }, label: string) {
        this.label = label;
        return `renamed to ${label}`;
      },
      later: async (x: number) => x + 1,
      bytes: () => new Uint8Array([9, 8]),
    };
  }

  test('every async member targets the referenced object', async (t) => {
    const { js, define } = await openPage(t);
    const widget = makeWidget();
    define('makeWidget', () => widget);
    const ref = await js.invokeObjectReferenceAsync('makeWidget');
    assert.ok(ref);
    assert.equal(await ref.invokeAsync('rename', 'x'), 'renamed to x');
    assert.equal(widget.label, 'x');
    assert.equal(await ref.invokeAsync('later', 1), 2);
    assert.equal(await ref.invokeAsync('nested.where'), 2);
    assert.equal(await ref.invokeVoidAsync('rename', 'y'), undefined);
    assert.equal(await ref.getValueAsync('label'), 'y');
    await ref.setValueAsync('nested.depth', 5);
    assert.equal(widget.nested.depth, 5);
    const point = await ref.invokeConstructorAsync('Point', 5, 12);
    assert.equal(await point.invokeAsync('length'), 13);
    const inner = await ref.invokeObjectReferenceAsync('valueOf');
    assert.ok(inner);
    assert.equal(await inner.getValueAsync('label'), 'y');
    const bytes = await ref.invokeStreamReferenceAsync('bytes');
    assert.equal(bytes.length, 2);
    await Promise.all([point.disposeAsync(), inner.disposeAsync(), bytes.disposeAsync(), ref.disposeAsync()]);
    assert.equal(js.stats().jsObjectReferences, 0);
  });

  test('every sync member targets the referenced object', IN_PROCESS_ONLY.syncCalls, async (t) => {
    const { js, define } = await openPage(t);
    const widget = makeWidget();
    define('makeWidget', () => widget);
    const ref = js.invokeObjectReference('makeWidget');
    assert.ok(ref);
    assert.equal(ref.invoke('rename', 'x'), 'renamed to x');
    assert.equal(ref.invoke('nested.where'), 2);
    assert.equal(ref.invokeVoid('rename', 'z'), undefined);
    assert.equal(ref.getValue('label'), 'z');
    ref.setValue('label', 'q');
    assert.equal(widget.label, 'q');
    const point = ref.invokeConstructor('Point', 8, 15);
    assert.equal(point.invoke('length'), 17);
    const inner = ref.invokeObjectReference('nested.valueOf');
    assert.equal(inner?.getValue('depth'), 2);
    const bytes = ref.invokeStreamReference('bytes');
    assert.equal(bytes.length, 2);
    point.dispose();
    inner?.dispose();
    await bytes.disposeAsync();
    ref.dispose();
    assert.equal(js.stats().jsObjectReferences, 0);
  });
});

describe('the wire', () => {
  test('each async member sends Blazor’s call type and result type, targeting window (0)', async (t) => {
    const page = await openWirePage(t);
    page.define('target', { fn: () => 1, obj: () => ({}), Point, bytes: () => new Uint8Array([1]), value: 5 });
    await page.js.invokeAsync('target.fn');
    await page.js.invokeVoidAsync('target.fn');
    await page.js.invokeConstructorAsync('target.Point', 1, 1);
    await page.js.invokeObjectReferenceAsync('target.obj');
    await page.js.invokeStreamReferenceAsync('target.bytes');
    await page.js.getValueAsync('target.value');
    await page.js.setValueAsync('target.value', 6);
    const sent = page.calls('beginInvokeJSFromDotNet').map(([, identifier, , resultType, target, callType]) => [identifier, resultType, target, callType]);
    const { FunctionCall, ConstructorCall, GetValue, SetValue } = JSCallType;
    const { Default, JSObjectReference, JSStreamReference, JSVoidResult } = JSCallResultType;
    assert.deepEqual(sent, [
      ['target.fn', Default, 0, FunctionCall],
      ['target.fn', JSVoidResult, 0, FunctionCall],
      ['target.Point', JSObjectReference, 0, ConstructorCall],
      ['target.obj', JSObjectReference, 0, FunctionCall],
      ['target.bytes', JSStreamReference, 0, FunctionCall],
      ['target.value', Default, 0, GetValue],
      ['target.value', JSVoidResult, 0, SetValue],
    ]);
    assert.deepEqual([JSCallType.FunctionCall, JSCallType.ConstructorCall, JSCallType.GetValue, JSCallType.SetValue], [1, 2, 3, 4]);
    assert.deepEqual([Default, JSObjectReference, JSStreamReference, JSVoidResult], [0, 1, 2, 3]);
  });

  test('each sync member sends the same call type and result type through invokeJSFromDotNet', IN_PROCESS_ONLY.syncCalls, async (t) => {
    const page = await openWirePage(t);
    page.define('target', { fn: () => 1, obj: () => ({}), Point, bytes: () => new Uint8Array([1]), value: 5 });
    page.js.invoke('target.fn');
    page.js.invokeVoid('target.fn');
    page.js.invokeConstructor('target.Point', 1, 1);
    page.js.invokeObjectReference('target.obj');
    page.js.invokeStreamReference('target.bytes');
    page.js.getValue('target.value');
    page.js.setValue('target.value', 6);
    const sent = page.calls('invokeJSFromDotNet').map(([identifier, argsJson, resultType, target, callType]) => [identifier, argsJson, resultType, target, callType]);
    assert.deepEqual(sent, [
      ['target.fn', '[]', 0, 0, 1],
      ['target.fn', '[]', 3, 0, 1],
      ['target.Point', '[1,1]', 1, 0, 2],
      ['target.obj', '[]', 1, 0, 1],
      ['target.bytes', '[]', 2, 0, 1],
      ['target.value', '[]', 0, 0, 3],
      ['target.value', '[6]', 3, 0, 4],
    ]);
    assert.equal(page.calls('beginInvokeJSFromDotNet').length, 0);
  });

  test('a call on a reference sends the reference’s id as the target', async (t) => {
    const page = await openWirePage(t);
    page.define('makeThing', () => ({ ping: () => 'pong' }));
    const thing = await page.js.invokeObjectReferenceAsync('makeThing');
    assert.ok(thing);
    await thing.invokeAsync('ping');
    assert.equal(page.calls('beginInvokeJSFromDotNet').at(-1)![4], thing.id);
    await thing.disposeAsync();
  });

  test('a sync call on a reference sends the reference’s id as the target', IN_PROCESS_ONLY.syncCalls, async (t) => {
    const page = await openWirePage(t);
    page.define('makeThing', () => ({ ping: () => 'pong' }));
    const thing = page.js.invokeObjectReference('makeThing');
    assert.ok(thing);
    thing.invoke('ping');
    assert.equal(page.calls('invokeJSFromDotNet').at(-1)![3], thing.id);
    thing.dispose();
  });

  test('arguments travel as one JSON array ("[]" for none) and async handles start at 2', async (t) => {
    const page = await openWirePage(t);
    page.define('noop', () => undefined);
    await page.js.invokeAsync('noop');
    await page.js.invokeAsync('noop', 'a', 1);
    const sent = page.calls('beginInvokeJSFromDotNet').map(([handle, , argsJson]) => [handle, argsJson]);
    assert.deepEqual(sent, [
      [2, '[]'],
      [3, '["a",1]'],
    ]);
  });

  test('the page’s completion is the JSON triple [asyncHandle, succeeded, result]', async (t) => {
    const page = await openWirePage(t);
    page.define('answer', () => ({ value: 42 }));
    await page.js.invokeAsync('answer');
    assert.deepEqual(page.calls('endInvokeJSFromDotNet'), [[2, true, '[2,true,{"value":42}]']]);
  });
});
