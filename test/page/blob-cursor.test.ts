import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readBlobChunk } from '../../src/page/blob-cursor.js';

const pattern = (length: number) => Uint8Array.from({ length }, (_, i) => (i * 31 + (i >> 8)) & 0xff);

/** A Blob whose slices' stream() hands over pieces of `piece` bytes, and which counts its slices and the bytes sliced from it. */
function blobInPieces(bytes: Uint8Array<ArrayBuffer>, piece: number): Blob & { asked: number; slices: number } {
  class Pieces extends Blob {
    asked = 0;
    slices = 0;
    override slice(start = 0, end = this.size): Blob {
      this.slices++;
      this.asked += Math.min(end, this.size) - start;
      const part = bytes.subarray(start, end);
      return new (class extends Blob {
        override stream(): ReturnType<Blob['stream']> {
          let at = 0;
          return new ReadableStream<Uint8Array>({
            pull(controller) {
              if (at >= part.byteLength) return controller.close();
              controller.enqueue(part.slice(at, (at += piece)));
            },
          }) as ReturnType<Blob['stream']>;
        }
      })([part]);
    }
  }
  return new Pieces([bytes]);
}

describe('reading a Blob in chunks (the page side of openReadStream)', () => {
  test('consecutive chunks, many requested at once, arrive whole and in order, however the Blob cuts its stream', async () => {
    const bytes = pattern(100_000);
    for (const piece of [1000, 4096, 65_536, 100_000]) {
      const blob = blobInPieces(bytes, piece);
      const chunks = await Promise.all(Array.from({ length: 34 }, (_, i) => readBlobChunk(blob, i * 3000, 3000)));
      assert.deepEqual(Buffer.concat(chunks), Buffer.from(bytes), `pieces of ${piece}`);
      assert.equal(chunks.at(-1)!.byteLength, 1000); // the last chunk holds what is left
    }
  });

  test('a request at another offset starts over there', async () => {
    const bytes = pattern(50_000);
    const blob = blobInPieces(bytes, 4096);
    assert.deepEqual(await readBlobChunk(blob, 0, 1000), bytes.subarray(0, 1000));
    assert.deepEqual(await readBlobChunk(blob, 20_000, 1000), bytes.subarray(20_000, 21_000));
    assert.deepEqual(await readBlobChunk(blob, 21_000, 1000), bytes.subarray(21_000, 22_000));
    assert.deepEqual(await readBlobChunk(blob, 0, 1000), bytes.subarray(0, 1000));
  });

  test('the Blob is read a few chunks ahead of the requests, not to its end', async () => {
    const blob = blobInPieces(pattern(1_000_000), 1_000_000);
    await readBlobChunk(blob, 0, 1000);
    await readBlobChunk(blob, 1000, 1000);
    assert.ok(blob.asked <= 8 * 1000, `asked for ${blob.asked} bytes`);
  });

  test('a Blob whose stream hands over a segment in several pieces is read on in one stream; one that hands it over whole, a segment at a time', async () => {
    const bytes = pattern(100_000);
    const read = async (blob: Blob) => {
      const chunks: Uint8Array[] = [];
      for (let offset = 0; offset < bytes.byteLength; offset += 1000) chunks.push(await readBlobChunk(blob, offset, 1000));
      assert.deepEqual(Buffer.concat(chunks), Buffer.from(bytes));
    };
    const streaming = blobInPieces(bytes, 700);
    await read(streaming);
    assert.equal(streaming.slices, 2); // the first segment (8 chunks), then the rest
    const whole = blobInPieces(bytes, 1_000_000);
    await read(whole);
    assert.equal(whole.slices, 13); // 8,000 bytes each
  });

  test('a real Blob reads byte for byte', async () => {
    const bytes = pattern(300_000);
    const blob = new Blob([bytes]);
    const chunks = await Promise.all(Array.from({ length: 10 }, (_, i) => readBlobChunk(blob, i * 32_768, 32_768)));
    assert.deepEqual(Buffer.concat(chunks), Buffer.from(bytes.subarray(0, 10 * 32_768)));
  });
});
