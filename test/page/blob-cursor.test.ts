import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readAheadOf, readBlobChunk } from '../../src/page/blob-cursor.js';

const pattern = (length: number) => Uint8Array.from({ length }, (_, i) => (i * 31 + (i >> 8)) & 0xff);

/**
 * A Blob whose slices' stream() hands over pieces of `piece` bytes (as a byte stream if `bytes`), and
 * which counts its slices, the bytes sliced from it, the bytes its streams handed over (calling
 * `onHanded` each time) and the reads served into a reader's own buffer (BYOB).
 */
function blobInPieces(bytes: Uint8Array<ArrayBuffer>, piece: number, bytesStream = false) {
  class Pieces extends Blob {
    asked = 0;
    slices = 0;
    handed = 0;
    byobReads = 0;
    onHanded = () => {};
    override slice(start = 0, end = this.size): Blob {
      this.slices++;
      this.asked += Math.min(end, this.size) - start;
      const part = bytes.subarray(start, end);
      const counts = this;
      return new (class extends Blob {
        override stream(): ReturnType<Blob['stream']> {
          let at = 0;
          const handed = (n: number) => {
            counts.handed += n;
            counts.onHanded();
          };
          if (bytesStream) {
            return new ReadableStream({
              type: 'bytes',
              pull(controller) {
                if (at >= part.byteLength) {
                  controller.close();
                  return controller.byobRequest?.respond(0);
                }
                const request = controller.byobRequest;
                if (request?.view) {
                  const n = Math.min(piece, request.view.byteLength, part.byteLength - at);
                  new Uint8Array(request.view.buffer, request.view.byteOffset, n).set(part.subarray(at, (at += n)));
                  counts.byobReads++;
                  handed(n);
                  return request.respond(n);
                }
                controller.enqueue(part.slice(at, (at += piece)));
                handed(Math.min(piece, part.byteLength - at + piece));
              },
            }) as ReturnType<Blob['stream']>;
          }
          return new ReadableStream<Uint8Array>({
            pull(controller) {
              if (at >= part.byteLength) return controller.close();
              const chunk = part.slice(at, (at += piece));
              controller.enqueue(chunk);
              handed(chunk.byteLength);
            },
          }) as ReturnType<Blob['stream']>;
        }
      })([part]);
    }
  }
  return new Pieces([bytes]);
}

/** Resolves once `blob`'s streams have handed over at least `bytes`. */
const handedAtLeast = (blob: ReturnType<typeof blobInPieces>, bytes: number) =>
  new Promise<void>((resolve) => {
    blob.onHanded = () => void (blob.handed >= bytes && resolve());
    blob.onHanded();
  });

/** A few turns of the event loop: the cursor's reads of an in-memory test stream run to where they stop. */
async function settled(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
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

  test('the cursor reads ahead of the requests on its own, up to its read-ahead, not to the Blob\'s end', { timeout: 20_000 }, async () => {
    const chunk = 64 * 1024;
    for (const piece of [16 * 1024, 1 << 30]) {
      assert.ok(readAheadOf(chunk) >= 8 * chunk);
      const blob = blobInPieces(pattern(16 << 20), piece);
      const readAhead = handedAtLeast(blob, readAheadOf(chunk));
      await readBlobChunk(blob, 0, chunk);
      await readAhead; // only one chunk was asked for
      await settled();
      // The read-ahead, the chunk handed out, and one more piece: a segment (8 chunks) of a stream that hands it over whole.
      const bound = readAheadOf(chunk) + chunk + Math.min(piece, 8 * chunk);
      assert.ok(blob.handed <= bound, `pieces of ${piece}: read ${blob.handed} bytes, more than ${bound}`);
    }
  });

  test('a byte stream read on past the first segment fills buffers of whole chunks of its own, whose views are the chunks (no joins)', async () => {
    const bytes = pattern(100_000);
    const blob = blobInPieces(bytes, 700, true);
    const chunks: Uint8Array[] = [];
    for (let offset = 0; offset < bytes.byteLength; offset += 1000) chunks.push(await readBlobChunk(blob, offset, 1000));
    assert.deepEqual(Buffer.concat(chunks), Buffer.from(bytes));
    const rest = chunks.slice(2); // past the first segment (2 chunks): 98,000 bytes, one buffer
    assert.ok(rest.every((c, i) => c.byteLength === 1000 && c.buffer === rest[0]!.buffer && c.byteOffset === i * 1000));
    assert.ok(blob.byobReads > 0, 'no read was served into the cursor\'s buffers');
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
    assert.equal(streaming.slices, 2); // the first segment (2 chunks), then the rest
    const whole = blobInPieces(bytes, 1_000_000);
    await read(whole);
    assert.equal(whole.slices, 14); // 2,000 bytes, then 8,000 bytes each
  });

  test('a real Blob reads byte for byte', async () => {
    const bytes = pattern(300_000);
    const blob = new Blob([bytes]);
    const chunks = await Promise.all(Array.from({ length: 10 }, (_, i) => readBlobChunk(blob, i * 32_768, 32_768)));
    assert.deepEqual(Buffer.concat(chunks), Buffer.from(bytes.subarray(0, 10 * 32_768)));
  });
});
