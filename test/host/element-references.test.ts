/*
 * ElementReference on the host (src/host/element-reference.ts): Blazor's JSON form on the way
 * out, without the codec's marker replacer; the same form from the page revived as one (the
 * official package 11 sends it for an element, jsinterop/page's elementReference() writes it);
 * FocusAsync as Blazor's call to Blazor._internal.domWrapper.focus. The page side is exercised
 * with elements in Chromium (test/hosting/*\/browser tests); here, in Node, there is no DOM.
 */
import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { ElementReference, registerInvokables } from '../../src/index.js';
import { scanArguments, scanResult, Serialization } from '../../src/host/sendable-values.js';
import { IN_PROCESS_ONLY, test } from '../support/hosting-models.js';
import { openPage } from '../support/page.js';

describe('an ElementReference on the way to the page', () => {
  test('is written as Blazor writes it, {"__internalId": id}, alone, nested and beside other markers', async (t) => {
    const page = await openPage(t);
    let received: unknown[] = [];
    page.define('take', (...args: unknown[]) => {
      received = args;
    });
    const first = new ElementReference('7a5f0c2e-1b3d-4e5f-8a9b-0c1d2e3f4a5b');
    await page.js.invokeVoidAsync('take', first, { inner: [new ElementReference('42')] }, new Uint8Array([1]));
    const [, , json] = page.calls('beginInvokeJSFromDotNet').at(-1)!;
    assert.equal(json, '[{"__internalId":"7a5f0c2e-1b3d-4e5f-8a9b-0c1d2e3f4a5b"},{"inner":[{"__internalId":"42"}]},{"__byte[]":1}]');
    // Without a DOM the glue attaches no element reviver: functions get the marker, as from the package alone.
    assert.deepEqual(received.slice(0, 2), [{ __internalId: '7a5f0c2e-1b3d-4e5f-8a9b-0c1d2e3f4a5b' }, { inner: [{ __internalId: '42' }] }]);
  });

  test('needs no marker replacer: its toJSON is the wire form, so plain JSON.stringify keeps its fast path', IN_PROCESS_ONLY.noPage, () => {
    const reference = new ElementReference('x');
    assert.equal(scanArguments('f', [reference, { nested: reference }]), Serialization.plain);
    assert.equal(scanResult('M', { nested: [reference] }), Serialization.plain);
    assert.equal(JSON.stringify(reference), '{"__internalId":"x"}');
  });

  test('is a frozen value with a non-empty string id', IN_PROCESS_ONLY.noPage, () => {
    const reference = new ElementReference('abc');
    assert.equal(reference.id, 'abc');
    assert.ok(Object.isFrozen(reference));
    for (const bad of ['', null, 3]) {
      assert.throws(() => new ElementReference(bad as string), { name: 'TypeError', message: /needs the non-empty id of the element's _bl_<id> attribute/ });
    }
  });

  test('focusAsync calls Blazor._internal.domWrapper.focus with the element and preventScroll, as FocusAsync does', async (t) => {
    const page = await openPage(t);
    const seen: unknown[][] = [];
    page.define('Blazor', { _internal: { domWrapper: { focus: (...args: unknown[]) => void seen.push(args) } } });
    const reference = new ElementReference('f1');
    await reference.focusAsync(page.js);
    await reference.focusAsync(page.js, true);
    const sent = page.calls('beginInvokeJSFromDotNet').slice(-2).map(([, identifier, json, resultType]) => [identifier, json, resultType]);
    assert.deepEqual(sent, [
      ['Blazor._internal.domWrapper.focus', '[{"__internalId":"f1"},false]', 3],
      ['Blazor._internal.domWrapper.focus', '[{"__internalId":"f1"},true]', 3],
    ]);
    assert.deepEqual(seen, [
      [{ __internalId: 'f1' }, false],
      [{ __internalId: 'f1' }, true],
    ]);
  });

  test('capture on a page without a DOM fails with the reason', async (t) => {
    const page = await openPage(t);
    await assert.rejects(ElementReference.capture(page.js, '#x'), { name: 'JSException', message: /ElementReference\.capture needs a page with a DOM/ });
  });

  test('capture without a jsinterop runtime is refused with the reason', IN_PROCESS_ONLY.noPage, async () => {
    await assert.rejects(ElementReference.capture({} as any, '#x'), { name: 'TypeError', message: /needs a runtime created by jsinterop/ });
  });
});

describe('an element from the page', () => {
  test('{"__internalId": id} (the official package 11 form of an element) arrives as an ElementReference', async (t) => {
    const page = await openPage(t);
    let received: unknown[] = [];
    t.after(
      registerInvokables('Elements.A', {
        Take: (...args: unknown[]) => {
          received = args;
          return args.length;
        },
      }),
    );
    await page.DotNet.invokeMethodAsync('Elements.A', 'Take', { __internalId: 'abc' }, [{ __internalId: '12' }]);
    assert.ok(received[0] instanceof ElementReference);
    assert.equal((received[0] as ElementReference).id, 'abc');
    assert.ok((received[1] as unknown[])[0] instanceof ElementReference);
    assert.equal(((received[1] as unknown[])[0] as ElementReference).id, '12');
  });

  test('objects that only share the key stay as they are: other keys, an id that is not a non-empty string', async (t) => {
    const page = await openPage(t);
    let received: unknown[] = [];
    t.after(registerInvokables('Elements.B', { Take: (...args: unknown[]) => void (received = args) }));
    const others = [{ __internalId: 'a', more: 1 }, { __internalId: 5 }, { __internalId: '' }, { __internalId: null }];
    await page.DotNet.invokeMethodAsync('Elements.B', 'Take', ...others);
    assert.deepEqual(received, others);
  });

  test('an ElementReference the host returns reaches the page in Blazor\'s form', async (t) => {
    const page = await openPage(t);
    t.after(registerInvokables('Elements.C', { Make: () => ({ element: new ElementReference('r1') }) }));
    assert.deepEqual(await page.DotNet.invokeMethodAsync('Elements.C', 'Make'), { element: { __internalId: 'r1' } });
  });
});
