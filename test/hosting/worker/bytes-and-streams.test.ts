/*
 * Byte arrays and streams across the Worker boundary: copied by default (the sender's array
 * stays usable, a view sends only its own bytes), moved with transfer() (the sender's array is
 * detached), streams in both directions.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { transfer } from '../../../src/worker.js';
import { WORKER_HOST_STREAM_CHUNK } from '../../../src/hosting/worker/stream-sizes.js';
import { startWorkerHost } from './support.js';

const inspect = (bytes: Uint8Array) => ({
  type: bytes.constructor.name,
  length: bytes.length,
  bufferLength: bytes.buffer.byteLength,
  first: bytes[0],
  last: bytes[bytes.length - 1],
});

const checksum = (bytes: Uint8Array) => bytes.reduce((sum, b, i) => (sum + b * (i + 1)) % 1_000_000_007, 0);

describe('byte arrays and streams through a Worker', () => {
  test('host to page: a copy by default, only the view for a subarray, moved with transfer()', async (t) => {
    const page = await startWorkerHost(t);
    page.define('wtInspectBytes', inspect);
    const copied = await page.run('bytesToPage', 'copy');
    assert.deepEqual(copied, { seen: { type: 'Uint8Array', length: 1000, bufferLength: 1000, first: 0, last: 999 & 0xff }, after: 1000 });
    const view = await page.run('bytesToPage', 'view');
    assert.deepEqual(view, { seen: { type: 'Uint8Array', length: 10, bufferLength: 10, first: 10, last: 19 }, after: 10 });
    const moved = await page.run('bytesToPage', 'transfer');
    assert.deepEqual(moved, { seen: { type: 'Uint8Array', length: 1000, bufferLength: 1000, first: 0, last: 999 & 0xff }, after: 0 });
  });

  test('page to host: a copy by default, moved with transfer(); byte arrays in host results reach the page', async (t) => {
    const page = await startWorkerHost(t);
    const bytes = Uint8Array.from([1, 2, 3, 250]);
    assert.deepEqual(await page.call('SumBytes', bytes), { type: 'Uint8Array', length: 4, sum: 256 });
    assert.equal(bytes.byteLength, 4);
    const pool = Buffer.from('abc'); // small Buffers share Node's pool: a view of it is copied, never moved
    const pooled = new Uint8Array(pool.buffer, pool.byteOffset, pool.length);
    assert.deepEqual(await page.call('SumBytes', transfer(pooled)), { type: 'Uint8Array', length: 3, sum: 294 });
    assert.equal(pool.toString(), 'abc');
    const owned = new Uint8Array(100_000).fill(2);
    assert.deepEqual(await page.call('SumBytes', transfer(owned)), { type: 'Uint8Array', length: 100_000, sum: 200_000 });
    assert.equal(owned.byteLength, 0);
    // A moved array is detached: sent again, its call fails (it is never moved a second time).
    await assert.rejects(page.call('SumBytes', owned), /detached/);
    // A view marked for moving is copied, every time it is sent.
    assert.deepEqual(await page.call('SumBytes', pooled), { type: 'Uint8Array', length: 3, sum: 294 });
    assert.equal(pool.toString(), 'abc');
    const made: Uint8Array = await page.call('MakeBytes', 300);
    assert.deepEqual(inspect(made), { type: 'Uint8Array', length: 300, bufferLength: 300, first: 0, last: 299 & 0xff });
  });

  test('a page function returning bytes gives the host a byte array', async (t) => {
    const page = await startWorkerHost(t);
    const data = Uint8Array.from({ length: 5000 }, (_, i) => (i * 31) & 0xff);
    page.define('wtMakeBytes', (length: number) => data.subarray(0, length));
    assert.deepEqual(await page.run('bytesFromPage', 4000), { type: 'Uint8Array', length: 4000, checksum: checksum(data.subarray(0, 4000)) });
  });

  test('streams: a JS stream reference read by the host, a host stream read by the page', async (t) => {
    const page = await startWorkerHost(t);
    const length = 1_000_000;
    const data = Uint8Array.from({ length }, (_, i) => (i * 7 + (i >> 8)) & 0xff);
    page.define('wtMakeBlob', () => new Blob([data]));
    assert.deepEqual(await page.run('streamFromPage', length), { declared: length, length, checksum: checksum(data) });
    page.define('wtReadStream', async (stream: { arrayBuffer(): Promise<ArrayBuffer> }) => {
      const bytes = new Uint8Array(await stream.arrayBuffer());
      return { length: bytes.length, checksum: checksum(bytes) };
    });
    const toPage = await page.run('streamToPage', 2_000_000);
    assert.deepEqual(toPage.seen, { length: 2_000_000, checksum: toPage.checksum });
    // A host stream from a static invokable, read through the page's DotNetStream.
    const stream = await page.call('Stream', 100_000);
    const bytes = new Uint8Array(await stream.arrayBuffer());
    assert.equal(bytes.length, 100_000);
    assert.equal(bytes[99_999], (99_999 * 7) & 0xff);
  });

  test('a host stream whose source is one chunk larger than the whole window arrives whole (sent one piece per credit)', async (t) => {
    const page = await startWorkerHost(t);
    // 12,000,000 bytes in one Uint8Array: more than the window (32) × the Worker's host stream chunk.
    // The host used to send every piece of a source chunk at once, overrunning the credit, and then
    // waited for credit the page never granted: the stream stalled.
    page.define('wtReadStream', async (stream: { stream(): Promise<ReadableStream<Uint8Array>> }) => {
      const reader = (await stream.stream()).getReader();
      let length = 0;
      let sum = 0;
      let chunks = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        for (let i = 0; i < value.length; i += 997) sum = (sum + value[i]! * (length + i + 1)) % 1_000_000_007;
        length += value.length;
        chunks++;
      }
      return { length, sum, chunks };
    });
    const toPage = await page.run('streamToPage', 12_000_000);
    assert.equal(toPage.seen.length, 12_000_000);
    assert.equal(toPage.seen.chunks, Math.ceil(12_000_000 / WORKER_HOST_STREAM_CHUNK));
  });

  test('streamWindow given to both sides (64): a 20 MB host stream arrives whole', async (t) => {
    const page = await startWorkerHost(t, { page: { streamWindow: 64 }, data: { options: { streamWindow: 64 } } });
    page.define('wtReadStream', async (stream: { stream(): Promise<ReadableStream<Uint8Array>> }) => {
      const reader = (await stream.stream()).getReader();
      let length = 0;
      let chunks = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        length += value.length;
        chunks++;
      }
      return { length, chunks };
    });
    const toPage = await page.run('streamToPage', 20_000_000);
    assert.deepEqual(toPage.seen, { length: 20_000_000, chunks: Math.ceil(20_000_000 / WORKER_HOST_STREAM_CHUNK) });
  });
});
