import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { HostObjectReference, JSInvokable, registerInvokables } from '../../src/index.js';
import { IN_PROCESS_ONLY, test } from '../support/hosting-models.js';
import { openPage, openWirePage } from '../support/page.js';

/** What a page function saw: its argument's class and bytes. */
function describeBytes(value: unknown): { type: string; bytes: number[] } {
  return { type: (value as object)?.constructor?.name ?? typeof value, bytes: [...(value as Uint8Array)] };
}

describe('byte arrays from the host to the page', () => {
  test('a Uint8Array argument arrives as a Uint8Array, sent out of band before the call', async (t) => {
    const page = await openWirePage(t);
    page.define('inspect', (value: unknown) => describeBytes(value));
    assert.deepEqual(await page.js.invokeAsync('inspect', new Uint8Array([1, 2, 3])), { type: 'Uint8Array', bytes: [1, 2, 3] });
    const order = page.wire.filter((e) => e.direction === 'toPage').map((e) => e.method);
    assert.deepEqual(order, ['receiveByteArray', 'beginInvokeJSFromDotNet']);
    assert.deepEqual(page.calls('receiveByteArray').map(([id, data]) => [id, [...data]]), [[1, [1, 2, 3]]]);
    assert.equal(page.calls('beginInvokeJSFromDotNet')[0]![2], '[{"__byte[]":1}]');
  });

  test('a Node Buffer travels as bytes, not as its toJSON form', async (t) => {
    const page = await openWirePage(t);
    page.define('inspect', (value: unknown) => ({ isBytes: value instanceof Uint8Array, bytes: [...(value as Uint8Array)] }));
    assert.deepEqual(await page.js.invokeAsync('inspect', Buffer.from('hi')), { isBytes: true, bytes: [104, 105] });
    assert.equal(page.calls('beginInvokeJSFromDotNet')[0]![2], '[{"__byte[]":1}]');
  });

  test('a Node Buffer travels as bytes through a sync call too', IN_PROCESS_ONLY.syncCalls, async (t) => {
    const page = await openWirePage(t);
    page.define('inspect', (value: unknown) => ({ isBytes: value instanceof Uint8Array, bytes: [...(value as Uint8Array)] }));
    assert.deepEqual(page.js.invoke('inspect', Buffer.from([7])), { isBytes: true, bytes: [7] });
    assert.equal(page.calls('invokeJSFromDotNet')[0]![1], '[{"__byte[]":1}]');
  });

  test('host byte array ids start at 1 and are never reset, across calls and within one call', async (t) => {
    const page = await openWirePage(t);
    page.define('count', (...arrays: Uint8Array[]) => arrays.map((a) => a.length));
    assert.deepEqual(await page.js.invokeAsync('count', new Uint8Array(1), new Uint8Array(2)), [1, 2]);
    assert.deepEqual(await page.js.invokeAsync('count', new Uint8Array(3)), [3]);
    page.define('ignore', () => undefined);
    await page.js.invokeVoidAsync('ignore', { list: [new Uint8Array(4)] });
    assert.deepEqual(page.calls('receiveByteArray').map(([id, data]) => [id, data.length]), [
      [1, 1],
      [2, 2],
      [3, 3],
      [4, 4],
    ]);
    assert.equal(page.calls('beginInvokeJSFromDotNet')[2]![2], '[{"list":[{"__byte[]":4}]}]');
  });

  test('a sync call takes the next byte array id after the async calls before it', IN_PROCESS_ONLY.syncCalls, async (t) => {
    const page = await openWirePage(t);
    page.define('count', (...arrays: Uint8Array[]) => arrays.map((a) => a.length));
    await page.js.invokeAsync('count', new Uint8Array(1), new Uint8Array(2));
    assert.deepEqual(page.js.invoke('count', new Uint8Array(3)), [3]);
    assert.equal(page.calls('invokeJSFromDotNet')[0]![1], '[{"__byte[]":3}]');
  });

  test('an empty array and a view into a larger buffer arrive with exactly their bytes', async (t) => {
    const page = await openPage(t);
    page.define('inspect', (...values: unknown[]) => values.map(describeBytes));
    const buffer = new Uint8Array([9, 8, 7, 6, 5]);
    assert.deepEqual(await page.js.invokeAsync('inspect', new Uint8Array(0), buffer.subarray(1, 3)), [
      { type: 'Uint8Array', bytes: [] },
      { type: 'Uint8Array', bytes: [8, 7] },
    ]);
  });

  test('other typed arrays are not byte arrays: they travel as JSON objects, as in Blazor', async (t) => {
    const page = await openPage(t);
    page.define('inspect', (value: unknown) => value);
    assert.deepEqual(await page.js.invokeAsync('inspect', new Float32Array([1.5, 2])), { 0: 1.5, 1: 2 });
    assert.equal(page.calls('receiveByteArray').length, 0);
  });

  test('a byte array returned by a host method reaches the page as bytes', async (t) => {
    const page = await openPage(t);
    t.after(registerInvokables('Bytes.A', { Make: (n: number) => new Uint8Array(n).fill(n) }));
    const result = await page.DotNet.invokeMethodAsync<Uint8Array>('Bytes.A', 'Make', 3);
    assert.deepEqual(describeBytes(result), { type: 'Uint8Array', bytes: [3, 3, 3] });
    assert.deepEqual(
      page.calls('endInvokeDotNetFromJS').map(([, ok, json]) => [ok, json]),
      [[true, `{"__byte[]":1}`]],
    );
  });

  test('a byte array returned by a host method to a sync page call reaches the page as bytes', IN_PROCESS_ONLY.pageSyncCalls, async (t) => {
    const page = await openPage(t);
    t.after(registerInvokables('Bytes.A', { Make: (n: number) => new Uint8Array(n).fill(n) }));
    assert.deepEqual(describeBytes(page.DotNet.invokeMethod('Bytes.A', 'Make', 2)), { type: 'Uint8Array', bytes: [2, 2] });
  });
});

describe('byte arrays from the page to the host', () => {
  test('a Uint8Array result arrives as a Uint8Array, sent out of band before the completion', async (t) => {
    const page = await openPage(t);
    page.define('makeBytes', () => new Uint8Array([4, 5, 6]));
    const result = await page.js.invokeAsync<Uint8Array>('makeBytes');
    assert.ok(result instanceof Uint8Array);
    assert.deepEqual([...result], [4, 5, 6]);
    const order = page.wire.filter((e) => e.direction === 'toHost').map((e) => e.method);
    assert.deepEqual(order, ['sendByteArray', 'endInvokeJSFromDotNet']);
    assert.equal(page.calls('sendByteArray')[0]![0], 0);
    assert.equal(page.calls('endInvokeJSFromDotNet')[0]![2], '[2,true,{"__byte[]":0}]');
  });

  test('a Uint8Array result of a sync call arrives as a Uint8Array', IN_PROCESS_ONLY.syncCalls, async (t) => {
    const page = await openPage(t);
    page.define('makeBytes', () => ({ data: new Uint8Array([1]), more: [new Uint8Array([2, 3])] }));
    const result = page.js.invoke<{ data: Uint8Array; more: Uint8Array[] }>('makeBytes');
    assert.deepEqual(describeBytes(result.data), { type: 'Uint8Array', bytes: [1] });
    assert.deepEqual(describeBytes(result.more[0]), { type: 'Uint8Array', bytes: [2, 3] });
    assert.deepEqual(page.calls('sendByteArray').map(([id]) => id), [0, 1]);
  });

  test('byte array arguments of page-to-host calls arrive as Uint8Array, numbered from 0 for each call', async (t) => {
    const page = await openPage(t);
    const received: unknown[] = [];
    t.after(registerInvokables('Bytes.B', { Take: (...args: unknown[]) => void received.push(...args) }));
    await page.DotNet.invokeMethodAsync('Bytes.B', 'Take', new Uint8Array([1, 2]), { inner: new Uint8Array([3]) });
    await page.DotNet.invokeMethodAsync('Bytes.B', 'Take', new Uint8Array([4]));
    assert.deepEqual(describeBytes(received[0]), { type: 'Uint8Array', bytes: [1, 2] });
    assert.deepEqual(describeBytes((received[1] as { inner: unknown }).inner), { type: 'Uint8Array', bytes: [3] });
    assert.deepEqual(describeBytes(received[2]), { type: 'Uint8Array', bytes: [4] });
    assert.deepEqual(page.calls('sendByteArray').map(([id]) => id), [0, 1, 0]);
    assert.deepEqual(page.calls('beginInvokeDotNetFromJS')[0]![4], '[{"__byte[]":0},{"inner":{"__byte[]":1}}]');
    assert.deepEqual(page.calls('beginInvokeDotNetFromJS')[1]![4], '[{"__byte[]":0}]');
  });

  test('byte array arguments of sync page-to-host calls arrive as Uint8Array, numbered from 0', IN_PROCESS_ONLY.pageSyncCalls, async (t) => {
    const page = await openPage(t);
    const received: unknown[] = [];
    t.after(registerInvokables('Bytes.B', { Take: (...args: unknown[]) => void received.push(...args) }));
    await page.DotNet.invokeMethodAsync('Bytes.B', 'Take', new Uint8Array([1, 2]));
    page.DotNet.invokeMethod('Bytes.B', 'Take', new Uint8Array([4]), new Uint8Array([5]));
    assert.deepEqual(received.slice(1).map(describeBytes), [
      { type: 'Uint8Array', bytes: [4] },
      { type: 'Uint8Array', bytes: [5] },
    ]);
    assert.deepEqual(page.calls('sendByteArray').map(([id]) => id), [0, 0, 1]);
    assert.deepEqual(page.calls('invokeDotNetFromJS')[0]![3], '[{"__byte[]":0},{"__byte[]":1}]');
  });

  test('a host object method receives and returns byte arrays', async (t) => {
    const page = await openPage(t);
    class Reverser {
      @JSInvokable()
      reverse(bytes: Uint8Array): Uint8Array {
        return Uint8Array.from(bytes).reverse();
      }
    }
    page.define('useReverser', async (reverser: any) => [...(await reverser.invokeMethodAsync('reverse', new Uint8Array([1, 2, 3])))]);
    using reverser = HostObjectReference.create(new Reverser());
    assert.deepEqual(await page.js.invokeAsync('useReverser', reverser), [3, 2, 1]);
  });
});
