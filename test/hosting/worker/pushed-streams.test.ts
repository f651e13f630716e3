/*
 * A JS stream reference read by a Worker host: the page pushes the chunks under the host's credit
 * window (src/hosting/worker/stream-pusher.ts, pushed-streams.ts). Both halves run in this
 * thread over a real MessageChannel; the page's source counts the chunks taken from it.
 */
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { MessageChannel } from 'node:worker_threads';
import { connectToPage, hostInWorker, type ConnectToPageOptions } from '../../../src/worker.js';
import { JSException, ObjectDisposedError, type IJSRuntime, type IJSStreamReference } from '../../../src/index.js';
import { freshDotNet, patternBytes, readAll, resolveReleasesOnOwnInstance } from '../../support/page.js';

const CHUNK = 256 * 1024;
const WINDOW = 4;

/** A page array that counts the chunks the page reads of it (readStreamChunk takes each with subarray). */
class CountingBytes extends Uint8Array {
  static taken = 0;
  override subarray(begin?: number, end?: number): Uint8Array<ArrayBuffer> {
    CountingBytes.taken++;
    return super.subarray(begin, end) as Uint8Array<ArrayBuffer>;
  }
}

async function open(t: TestContext, options: ConnectToPageOptions = {}): Promise<{ js: IJSRuntime; define(name: string, value: unknown): void }> {
  const DotNet = await freshDotNet();
  resolveReleasesOnOwnInstance(DotNet);
  const { port1, port2 } = new MessageChannel();
  const page = hostInWorker(port1, { DotNet, sync: false });
  const names: string[] = [];
  t.after(() => {
    page.close('the test ended');
    port1.close();
    for (const name of names) delete (globalThis as any)[name];
  });
  const [js] = await Promise.all([connectToPage({ streamReadAheadBytes: WINDOW * CHUNK, ...options, port: port2 }), page.ready]);
  const define = (name: string, value: unknown) => {
    (globalThis as any)[name] = value;
    names.push(name);
  };
  define('psNoop', () => 0);
  return { js, define };
}

/** Round trips until `done()` or `limit` of them: each lets every message sent before it arrive. */
async function roundTrips(js: IJSRuntime, limit: number, done: () => boolean = () => false): Promise<void> {
  for (let i = 0; i < limit && !done(); i++) await js.invokeAsync('psNoop');
}

async function countingSource(t: TestContext, chunks: number) {
  const page = await open(t);
  const data = patternBytes(chunks * CHUNK);
  const source = new CountingBytes(data.buffer);
  page.define('psSource', () => source);
  CountingBytes.taken = 0;
  const reference = await page.js.invokeStreamReferenceAsync('psSource');
  return { ...page, data, reference };
}

describe('JS stream references read by a Worker host (pushed by the page)', () => {
  test('the bytes arrive whole and in order, with one call to start the read and none per chunk', async (t) => {
    const { js, data, reference } = await countingSource(t, 10);
    const calls = js.stats().callsToJS;
    assert.deepEqual(await readAll(reference.openReadStream({ maxAllowedSize: data.length })), data);
    assert.equal(js.stats().callsToJS - calls, 1);
    assert.equal(CountingBytes.taken, 10);
    await reference.disposeAsync();
  });

  // The timeout only bounds a failure: a page that stopped pushing early would leave the read waiting.
  test('a Blob’s chunks, memory the page read for itself, move when they span their buffer; the read completes', { timeout: 60_000 }, async (t) => {
    const page = await open(t);
    const data = patternBytes(6 * CHUNK);
    const handed: Uint8Array[] = [];
    const blob = new Blob([data]);
    // The Blob's stream hands over chunks of exactly the size asked for, each in a buffer of its own.
    Object.defineProperty(blob, 'slice', {
      value: (start: number, end: number) => ({
        stream: () =>
          new ReadableStream<Uint8Array>({
            start(controller) {
              for (let offset = start; offset < end; offset += CHUNK) {
                const piece = data.slice(offset, Math.min(end, offset + CHUNK));
                handed.push(piece);
                controller.enqueue(piece);
              }
              controller.close();
            },
          }),
      }),
    });
    page.define('psBlob', () => blob);
    const reference = await page.js.invokeStreamReferenceAsync('psBlob');
    assert.deepEqual(await readAll(reference.openReadStream({ maxAllowedSize: data.length })), data);
    assert.equal(handed.length, 6);
    assert.ok(handed.every((piece) => piece.byteLength === 0), 'each chunk moved (detached on the page)');
    await reference.disposeAsync();
  });

  test('a host that stops reading stops the page: never more than the window of chunks unread', async (t) => {
    const { js, data, reference } = await countingSource(t, 40);
    const reader = reference.openReadStream({ maxAllowedSize: data.length }).getReader();
    const first = await reader.read();
    assert.equal(first.value!.length, CHUNK);
    // The page sends the window, then waits for credit the reader never gives.
    await roundTrips(js, 1000, () => CountingBytes.taken >= WINDOW);
    await roundTrips(js, 50);
    assert.equal(CountingBytes.taken, WINDOW);
    // Reading again grants credit: the rest arrives.
    const rest: Uint8Array[] = [first.value!];
    for (let r = await reader.read(); !r.done; r = await reader.read()) rest.push(r.value);
    assert.deepEqual(Buffer.concat(rest), Buffer.from(data));
    assert.equal(CountingBytes.taken, 40);
    await reference.disposeAsync();
  });

  test('cancelling the host stream stops the page', async (t) => {
    const { js, data, reference } = await countingSource(t, 40);
    const reader = reference.openReadStream({ maxAllowedSize: data.length }).getReader();
    for (let i = 0; i < 6; i++) await reader.read();
    await reader.cancel('enough');
    // What the page had credit for may still come; nothing after it.
    await roundTrips(js, 50);
    const taken = CountingBytes.taken;
    assert.ok(taken <= 6 + WINDOW, `the page sent ${taken} chunks`);
    await roundTrips(js, 50);
    assert.equal(CountingBytes.taken, taken);
    await reference.disposeAsync();
  });

  test('an abort mid-read fails the next read with the reason and stops the page', async (t) => {
    const { js, data, reference } = await countingSource(t, 40);
    const controller = new AbortController();
    const reader = reference.openReadStream({ maxAllowedSize: data.length, signal: controller.signal }).getReader();
    await reader.read();
    const reason = new Error('stop reading');
    controller.abort(reason);
    await assert.rejects(reader.read(), (error) => error === reason);
    await roundTrips(js, 50);
    assert.ok(CountingBytes.taken <= 1 + WINDOW, `the page went on after the abort: ${CountingBytes.taken}`);
    assert.equal(js.stats().pendingCalls, 0);
    await reference.disposeAsync();
  });

  test('disposing the reference mid-read fails the read after the chunks already received, as a call for the next chunk would', async (t) => {
    const { data, reference } = await countingSource(t, 40);
    const reader = reference.openReadStream({ maxAllowedSize: data.length }).getReader();
    await reader.read();
    await reference.disposeAsync();
    const read = async () => {
      // The chunks already here (at most the window) are still delivered; the next one fails.
      for (let i = 0; i < WINDOW; i++) await reader.read();
      await reader.read();
    };
    await assert.rejects(read(), (error) => {
      assert.ok(error instanceof ObjectDisposedError);
      assert.equal(error.message, `A disposed JS reference (id ${reference.id}) cannot be passed to JavaScript.`);
      return true;
    });
  });

  test('a source that fails on the page fails the read with its message; a short one is refused', async (t) => {
    const page = await open(t);
    const failing = new Blob([new Uint8Array(3 * CHUNK)]);
    // The Blob's bytes cannot be read: the page's failure reaches the host's reader.
    const unreadable = () => new Error('the disk went away');
    Object.defineProperty(failing, 'slice', {
      value: () => ({
        arrayBuffer: () => Promise.reject(unreadable()),
        stream: () => new ReadableStream({ pull: (controller) => controller.error(unreadable()) }),
      }),
    });
    page.define('psFailing', () => failing);
    const reference: IJSStreamReference = await page.js.invokeStreamReferenceAsync('psFailing');
    await assert.rejects(readAll(reference.openReadStream({ maxAllowedSize: 3 * CHUNK })), (error) => {
      assert.ok(error instanceof JSException, String(error));
      assert.match(error.message, /the disk went away/);
      return true;
    });
    await reference.disposeAsync();

    // The array shrank after the reference told the host its length.
    const buffer = new (ArrayBuffer as any)(2 * CHUNK, { maxByteLength: 2 * CHUNK }) as ArrayBuffer & { resize(length: number): void };
    page.define('psShrinking', () => new Uint8Array(buffer));
    const shrinking = await page.js.invokeStreamReferenceAsync('psShrinking');
    buffer.resize(CHUNK);
    await assert.rejects(readAll(shrinking.openReadStream({ maxAllowedSize: 2 * CHUNK })), { message: 'The incoming data chunk cannot be empty.' });
    await shrinking.disposeAsync();
  });

  test('the page going away fails a read in progress with JSDisconnectedException', async (t) => {
    const DotNet = await freshDotNet();
    resolveReleasesOnOwnInstance(DotNet);
    const { port1, port2 } = new MessageChannel();
    const page = hostInWorker(port1, { DotNet, sync: false });
    t.after(() => port1.close());
    const [js] = await Promise.all([connectToPage({ streamReadAheadBytes: WINDOW * CHUNK, port: port2 }), page.ready]);
    (globalThis as any).psGone = () => new Uint8Array(20 * CHUNK);
    t.after(() => delete (globalThis as any).psGone);
    const reference = await js.invokeStreamReferenceAsync('psGone');
    const reader = reference.openReadStream({ maxAllowedSize: 20 * CHUNK }).getReader();
    await reader.read();
    page.close('The page navigated away.');
    await assert.rejects(
      (async () => {
        for (;;) if ((await reader.read()).done) break;
      })(),
      { name: 'JSDisconnectedException', message: 'The page navigated away.' },
    );
  });
});
