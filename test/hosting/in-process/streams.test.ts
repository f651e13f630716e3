/*
 * Reading a JS stream reference in-process. The chunks are calls of the page helper: with the
 * direct path they reach it without JSON (a typed array's chunk without a call into the page at
 * all), without it through the package's dispatcher. Both must behave the same: chunk sizes,
 * calls counted, the bytes themselves shared with the page, and the failures of a reference
 * disposed by either side while it is read.
 */
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createInProcessRuntime, HostStreamReference, JSException, ObjectDisposedError } from '../../../src/index.js';
import { freshDotNet, openPage, patternBytes } from '../../support/page.js';

/** An in-process page (the test is registered with node:test's own `test`) with these options. */
const runtime = (t: TestContext, options: { directCalls: boolean; streamChunkSize?: number }) => openPage(t, options);

/** Reads until the stream ends or fails: the chunks read, and the failure, if any. */
async function readChunks(stream: ReadableStream<Uint8Array>, afterFirst?: () => Promise<void>): Promise<{ chunks: Uint8Array[]; error?: unknown }> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { chunks };
      chunks.push(value);
      if (chunks.length === 1) await afterFirst?.();
    }
  } catch (error) {
    return { chunks, error };
  }
}

const join = (chunks: Uint8Array[]) => Buffer.concat(chunks);

describe('in-process JS stream reads', () => {
  for (const directCalls of [true, false]) {
    const path = directCalls ? 'direct path' : 'through the package’s dispatcher';

    test(`a typed array arrives in chunks of streamChunkSize, each a view of the page’s bytes and a call (${path})`, async (t) => {
      const { js, define } = await runtime(t, { directCalls, streamChunkSize: 1000 });
      const bytes = patternBytes(2500);
      define('getBytes', () => bytes);
      const reference = await js.invokeStreamReferenceAsync('getBytes');
      const before = js.stats().callsToJS;
      const { chunks, error } = await readChunks(reference.openReadStream());
      assert.equal(error, undefined);
      assert.deepEqual(chunks.map((chunk) => chunk.byteLength), [1000, 1000, 500]);
      assert.ok(chunks.every((chunk) => chunk.buffer === bytes.buffer), 'no copy');
      assert.deepEqual(join(chunks), Buffer.from(bytes));
      assert.equal(js.stats().callsToJS - before, 3);
      assert.equal(js.stats().pendingCalls, 0);
      await reference.disposeAsync();
    });

    test(`a Blob arrives in chunks of streamChunkSize, each a call (${path})`, async (t) => {
      const { js, define } = await runtime(t, { directCalls, streamChunkSize: 1000 });
      const bytes = patternBytes(2500);
      define('getBlob', () => new Blob([bytes]));
      const reference = await js.invokeStreamReferenceAsync('getBlob');
      const before = js.stats().callsToJS;
      const { chunks, error } = await readChunks(reference.openReadStream());
      assert.equal(error, undefined);
      assert.deepEqual(chunks.map((chunk) => chunk.byteLength), [1000, 1000, 500]);
      assert.deepEqual(join(chunks), Buffer.from(bytes));
      assert.equal(js.stats().callsToJS - before, 3);
      await reference.disposeAsync();
    });

    for (const [name, make] of [['a typed array', (bytes: Uint8Array) => bytes], ['a Blob', (bytes: Uint8Array) => new Blob([bytes as Uint8Array<ArrayBuffer>])]] as const) {
      test(`${name} the host disposes while it is read fails the first chunk asked for after (${path})`, async (t) => {
        // 10-byte chunks: 256 of them are asked for ahead of the reader (readAheadFor), and arrive.
        const { js, define } = await runtime(t, { directCalls, streamChunkSize: 10 });
        const bytes = patternBytes(10_000);
        define('getSource', () => make(bytes));
        const reference = await js.invokeStreamReferenceAsync('getSource');
        const { chunks, error } = await readChunks(reference.openReadStream(), () => reference.disposeAsync());
        assert.equal(join(chunks).byteLength, 2560);
        assert.deepEqual(join(chunks), Buffer.from(bytes.subarray(0, 2560)));
        assert.ok(error instanceof ObjectDisposedError);
        assert.equal(error.message, `A disposed JS reference (id ${reference.id}) cannot be passed to JavaScript.`);
        assert.equal(js.stats().pendingCalls, 0);
      });

      test(`${name} the page disposes while it is read fails the next chunk with the package’s text (${path})`, async (t) => {
        const { js, DotNet, define } = await runtime(t, { directCalls, streamChunkSize: 10 });
        const bytes = patternBytes(10_000);
        define('getSource', () => make(bytes));
        const reference = await js.invokeStreamReferenceAsync('getSource');
        const { chunks, error } = await readChunks(reference.openReadStream(), async () => DotNet.disposeJSObjectReferenceById(reference.id));
        assert.equal(join(chunks).byteLength, 2560);
        assert.ok(error instanceof JSException);
        assert.equal(error.message, `JS object instance with Id '${reference.id}' does not exist. It may have been disposed.`);
        assert.equal(js.stats().pendingCalls, 0);
      });
    }

    test(`a signal aborted while reading errors the stream with its reason at the next chunk asked for (${path})`, async (t) => {
      const { js, define } = await runtime(t, { directCalls, streamChunkSize: 10 });
      const bytes = patternBytes(10_000);
      define('getBytes', () => bytes);
      const reference = await js.invokeStreamReferenceAsync('getBytes');
      const controller = new AbortController();
      const reason = new Error('stop reading');
      const { chunks, error } = await readChunks(reference.openReadStream({ signal: controller.signal }), async () => controller.abort(reason));
      assert.equal(join(chunks).byteLength, 2560);
      assert.equal(error, reason);
      assert.equal(js.stats().pendingCalls, 0);
      await reference.disposeAsync();
    });
  }

  test('by default a typed array arrives in 4 MiB chunks (views: no copy) and a Blob in 1 MiB chunks (copies)', async (t) => {
    const { js, define } = await runtime(t, { directCalls: true });
    const bytes = patternBytes(9 << 20);
    define('getBytes', () => bytes);
    define('getBlob', () => new Blob([bytes.subarray(0, 2.5 * (1 << 20))]));
    const view = await js.invokeStreamReferenceAsync('getBytes');
    const blob = await js.invokeStreamReferenceAsync('getBlob');
    const options = { maxAllowedSize: bytes.byteLength };
    const fromView = await readChunks(view.openReadStream(options));
    const fromBlob = await readChunks(blob.openReadStream(options));
    assert.deepEqual(fromView.chunks.map((chunk) => chunk.byteLength / (1 << 20)), [4, 4, 1]);
    assert.deepEqual(fromBlob.chunks.map((chunk) => chunk.byteLength / (1 << 20)), [1, 1, 0.5]);
    assert.deepEqual(join(fromView.chunks), Buffer.from(bytes));
    assert.deepEqual(join(fromBlob.chunks), Buffer.from(bytes.subarray(0, 2.5 * (1 << 20))));
    await Promise.all([view.disposeAsync(), blob.disposeAsync()]);
  });

  test('a page whose JSON.parse was replaced reads through the package’s dispatcher, with the same chunks', async (t) => {
    const { js, define } = await runtime(t, { directCalls: true, streamChunkSize: 1000 });
    const bytes = patternBytes(2500);
    define('getBytes', () => bytes);
    const reference = await js.invokeStreamReferenceAsync('getBytes');
    const parse = JSON.parse;
    let parsed = 0;
    JSON.parse = function (this: unknown, ...args: Parameters<typeof parse>) {
      parsed++;
      return parse.apply(this, args);
    };
    t.after(() => {
      JSON.parse = parse;
    });
    const { chunks, error } = await readChunks(reference.openReadStream());
    JSON.parse = parse;
    assert.equal(error, undefined);
    assert.deepEqual(chunks.map((chunk) => chunk.byteLength), [1000, 1000, 500]);
    assert.ok(parsed >= 3, 'the package parsed the arguments of each chunk call');
    await reference.disposeAsync();
  });

  test('streamChunkSize must be a positive whole number of bytes', async () => {
    const DotNet = await freshDotNet();
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      assert.throws(() => createInProcessRuntime({ DotNet, streamChunkSize: bad }), {
        name: 'RangeError',
        message: `createInProcessRuntime: streamChunkSize must be a positive whole number of bytes, not ${bad}.`,
      });
    }
  });
});

describe('in-process host streams', () => {
  test('the page’s stream() is the host’s own ReadableStream, and a byte array’s chunk is the host’s array: nothing is added per read', async (t) => {
    const { js, define } = await runtime(t, { directCalls: true });
    const bytes = patternBytes(1000);
    let seen: unknown[] = [];
    define('readChunks', async (stream: { stream(): Promise<ReadableStream<Uint8Array>> }) => {
      const readable = await stream.stream();
      seen.push(readable);
      const reader = readable.getReader();
      for (let r = await reader.read(); !r.done; r = await reader.read()) seen.push(r.value);
      return seen.length;
    });
    const own = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes);
        controller.close();
      },
    });
    assert.equal(await js.invokeAsync('readChunks', HostStreamReference.create(own)), 2);
    assert.equal(seen[0], own);
    assert.equal(seen[1], bytes);
    seen = [];
    assert.equal(await js.invokeAsync('readChunks', HostStreamReference.create(bytes)), 2);
    assert.equal(seen[1], bytes);
  });
});
