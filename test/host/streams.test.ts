import { describe, test as plainTest } from 'node:test';
import { readAheadFor } from '../../src/host/js-stream-reference.js';
import assert from 'node:assert/strict';
import { HostObjectReference, HostStreamReference, JSException, registerInvokables, type HostStreamSource } from '../../src/index.js';
import { IN_PROCESS_ONLY, test } from '../support/hosting-models.js';
import { openPage, openWirePage, patternBytes, readAll } from '../support/page.js';

describe('JS stream references (page data read by the host)', () => {
  const sources: [string, (bytes: Uint8Array<ArrayBuffer>) => unknown][] = [
    ['a Blob', (bytes) => new Blob([bytes])],
    ['a Uint8Array', (bytes) => bytes],
    ['an ArrayBuffer', (bytes) => bytes.slice().buffer],
    ['a DataView', (bytes) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)],
  ];
  for (const [name, make] of sources) {
    test(`openReadStream reads ${name} byte for byte`, async (t) => {
      const { js, define } = await openPage(t);
      const bytes = patternBytes(70_000);
      define('getData', () => make(bytes));
      const stream = await js.invokeStreamReferenceAsync('getData');
      assert.equal(stream.length, 70_000);
      assert.deepEqual(await readAll(stream.openReadStream()), bytes);
      await stream.disposeAsync();
    });
  }

  test('data larger than one chunk arrives whole and in order', async (t) => {
    const { js, define } = await openPage(t);
    const bytes = patternBytes(2_500_000);
    define('getBlob', () => new Blob([bytes]));
    const stream = await js.invokeStreamReferenceAsync('getBlob');
    const read = await readAll(stream.openReadStream({ maxAllowedSize: 3_000_000 }));
    assert.equal(read.length, bytes.length);
    assert.ok(read.every((b, i) => b === bytes[i]));
    await stream.disposeAsync();
  });

  test('a typed array that is a view into a larger buffer reads only its own bytes', async (t) => {
    const { js, define } = await openPage(t);
    define('getView', () => new Uint16Array([0x0102, 0x0304, 0x0506]).subarray(1));
    const stream = await js.invokeStreamReferenceAsync('getView');
    assert.equal(stream.length, 4);
    assert.deepEqual([...(await readAll(stream.openReadStream()))], [...new Uint8Array(new Uint16Array([0x0304, 0x0506]).buffer)]);
    await stream.disposeAsync();
  });

  test('the default maxAllowedSize is 512,000 bytes and a longer stream is refused with Blazor’s text', async (t) => {
    const { js, define } = await openPage(t);
    define('getBytes', (n: number) => new Uint8Array(n));
    const exact = await js.invokeStreamReferenceAsync('getBytes', 512_000);
    assert.equal((await readAll(exact.openReadStream())).length, 512_000);
    const tooLong = await js.invokeStreamReferenceAsync('getBytes', 512_001);
    assert.throws(() => tooLong.openReadStream(), {
      name: 'RangeError',
      message: 'The incoming data stream of length 512001 exceeds the maximum allowed length 512000.',
    });
    assert.throws(() => exact.openReadStream({ maxAllowedSize: 10 }), {
      name: 'RangeError',
      message: 'The incoming data stream of length 512000 exceeds the maximum allowed length 10.',
    });
    await Promise.all([exact.disposeAsync(), tooLong.disposeAsync()]);
  });

  test('an empty data source is refused: Blazor requires a positive length', async (t) => {
    const { js, define } = await openPage(t);
    define('getEmpty', () => new Uint8Array(0));
    const error = await js.invokeStreamReferenceAsync('getEmpty').catch((e: unknown) => e);
    assert.ok(error instanceof JSException);
    assert.equal(error.message, 'An exception occurred executing JS interop: Length must be a positive value.. See InnerException for more details.');
    assert.ok(error.cause instanceof RangeError);
    assert.equal(js.stats().jsObjectReferences, 0);
  });

  test('an aborted signal errors the stream with the signal’s reason', async (t) => {
    const { js, define } = await openPage(t);
    define('getBytes', () => new Uint8Array(10));
    const stream = await js.invokeStreamReferenceAsync('getBytes');
    const controller = new AbortController();
    const reason = new Error('stop reading');
    controller.abort(reason);
    const reader = stream.openReadStream({ signal: controller.signal }).getReader();
    await assert.rejects(reader.read(), (error) => error === reason);
    assert.equal(js.stats().pendingCalls, 0);
    await stream.disposeAsync();
  });

  test('disposing releases the page’s data; a disposed reference cannot be read', async (t) => {
    const page = await openPage(t);
    page.define('getBytes', () => new Uint8Array(10));
    const stream = await page.js.invokeStreamReferenceAsync('getBytes');
    await stream.disposeAsync();
    assert.deepEqual(page.calls('disposeJSObjectReferenceById'), [[stream.id]]);
    assert.equal(page.js.stats().jsObjectReferences, 0);
    assert.throws(() => stream.openReadStream(), {
      name: 'ObjectDisposedError',
      message: `Cannot access a disposed object: the JS stream reference with id ${stream.id} was disposed.`,
    });
  });
});

describe('host stream references (host data read by the page)', () => {
  const sources: [string, (bytes: Uint8Array<ArrayBuffer>) => HostStreamSource][] = [
    ['a Uint8Array', (bytes) => bytes],
    ['an ArrayBuffer', (bytes) => bytes.slice().buffer],
    ['a Blob', (bytes) => new Blob([bytes])],
    [
      'a ReadableStream',
      (bytes) =>
        new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(bytes.subarray(0, 1000));
            controller.enqueue(bytes.subarray(1000));
            controller.close();
          },
        }),
    ],
  ];
  for (const [name, make] of sources) {
    test(`the page reads ${name} with DotNetStream.arrayBuffer()`, async (t) => {
      const { js, define } = await openPage(t);
      const bytes = patternBytes(50_000);
      define('readAllOf', async (stream: { arrayBuffer(): Promise<ArrayBuffer> }) => [...new Uint8Array(await stream.arrayBuffer())]);
      const reference = HostStreamReference.create(make(bytes));
      assert.deepEqual(await js.invokeAsync('readAllOf', reference), [...bytes]);
      assert.equal(reference.sent, true);
    });
  }

  test('the page reads through DotNetStream.stream() with a reader', async (t) => {
    const { js, define } = await openPage(t);
    define('sumAll', async (source: { stream(): Promise<ReadableStream<Uint8Array>> }) => {
      const reader = (await source.stream()).getReader();
      let total = 0;
      for (let r = await reader.read(); !r.done; r = await reader.read()) total += r.value.reduce((a, b) => a + b, 0);
      return total;
    });
    assert.equal(await js.invokeAsync('sumAll', HostStreamReference.create(new Uint8Array([1, 2, 3, 4]))), 10);
  });

  test('an empty source reads as zero bytes', async (t) => {
    const { js, define } = await openPage(t);
    define('size', async (stream: { arrayBuffer(): Promise<ArrayBuffer> }) => (await stream.arrayBuffer()).byteLength);
    assert.equal(await js.invokeAsync('size', HostStreamReference.create(new Uint8Array(0))), 0);
  });

  test('the stream travels as {"__dotNetStream": id}, numbered with the host object ids', async (t) => {
    const page = await openWirePage(t);
    page.define('ignore', () => undefined);
    using hostObject = HostObjectReference.create({});
    await page.js.invokeVoidAsync('ignore', hostObject, HostStreamReference.create(new Uint8Array([1])));
    assert.equal(page.calls('beginInvokeJSFromDotNet')[0]![2], '[{"__dotNetObject":1},{"__dotNetStream":2}]');
    assert.deepEqual(page.calls('supplyDotNetStream').map(([id, stream]) => [id, stream instanceof ReadableStream]), [[2, true]]);
  });

  test('a host method can return a stream for the page to read', async (t) => {
    const page = await openPage(t);
    t.after(registerInvokables('Streams.A', { Download: () => HostStreamReference.create(new Blob(['payload'])) }));
    const received: { arrayBuffer(): Promise<ArrayBuffer> } = await page.DotNet.invokeMethodAsync('Streams.A', 'Download');
    assert.equal(new TextDecoder().decode(await received.arrayBuffer()), 'payload');
  });

  const sentAlready = {
    message: 'This HostStreamReference was already sent to the page; its data can be transmitted once. Create a new one for each call.',
  };

  test('a stream reference can be sent once; sending it again rejects before anything is sent', async (t) => {
    const { js, define } = await openPage(t);
    define('size', async (stream: { arrayBuffer(): Promise<ArrayBuffer> }) => (await stream.arrayBuffer()).byteLength);
    const reference = HostStreamReference.create(new Uint8Array(5));
    assert.equal(reference.sent, false);
    assert.equal(await js.invokeAsync('size', reference), 5);
    const before = js.stats().callsToJS;
    await assert.rejects(js.invokeAsync('size', reference), sentAlready);
    assert.equal(js.stats().callsToJS, before);
  });

  test('a stream reference already sent makes a sync call throw before anything is sent', IN_PROCESS_ONLY.syncCalls, async (t) => {
    const { js, define } = await openPage(t);
    define('size', async (stream: { arrayBuffer(): Promise<ArrayBuffer> }) => (await stream.arrayBuffer()).byteLength);
    const reference = HostStreamReference.create(new Uint8Array(5));
    assert.equal(await js.invokeAsync('size', reference), 5);
    const before = js.stats().callsToJS;
    assert.throws(() => js.invoke('size', reference), sentAlready);
    assert.equal(js.stats().callsToJS, before);
  });

  test('create() refuses anything but a ReadableStream, Blob, Uint8Array or ArrayBuffer', IN_PROCESS_ONLY.noPage, () => {
    assert.throws(() => HostStreamReference.create('text' as unknown as Uint8Array), {
      name: 'TypeError',
      message: 'HostStreamReference.create needs a ReadableStream, Blob, Uint8Array or ArrayBuffer.',
    });
  });
});

describe('openReadStream read-ahead', () => {
  plainTest('keeps at least 4 chunks and about the bytes asked for (1 MiB by default) in flight, at most 256 calls', () => {
    assert.equal(readAheadFor(32 * 1024), 32);
    assert.equal(readAheadFor(32 * 1024, 4 << 20), 128); // the server's default chunk and read-ahead
    assert.equal(readAheadFor(100_000), 11);
    assert.equal(readAheadFor(256 * 1024, 4 << 20), 16); // the Worker's chunk and read-ahead
    assert.equal(readAheadFor(1 << 20), 4); // in-process
    assert.equal(readAheadFor(1024), 256);
    assert.equal(readAheadFor(1024, 8 * 1024), 8);
  });
});
