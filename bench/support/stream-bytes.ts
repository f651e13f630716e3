/*
 * The stream bench's bytes, for Node and the browser alike: the payload, reading a stream to its
 * end, and reading a Blob as a page sending a file by hand does. (stream-common.ts adds the Node-only pieces: memory sampling, the page functions.)
 */

export const MIB = 1 << 20;

/** A payload with a pattern, so nothing is all zeros. */
export function payload(length: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i += 4096) bytes[i] = i >>> 12;
  return bytes;
}

/** A stream of `bytes` in views of `piece` bytes, each made when the reader asks for it (no queue ahead of the reader). */
export function piecesOf(bytes: Uint8Array, piece = MIB): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      controller.enqueue(bytes.subarray(offset, (offset += piece)));
      if (offset >= bytes.byteLength) controller.close();
    },
  }, { highWaterMark: 0 });
}

/** Reads `reader` to its end, calling `sample` after each chunk; returns the bytes read. */
export async function drain(reader: ReadableStreamDefaultReader<Uint8Array>, sample: () => void = () => {}): Promise<number> {
  let count = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return count;
    count += value.byteLength;
    sample();
  }
}

/** Reads `blob` with its own stream() and hands each chunk to `send` as it arrives, as a page sending a file by hand would. */
export async function eachChunkOf(blob: Blob, send: (chunk: Uint8Array<ArrayBuffer>) => void): Promise<void> {
  const reader = blob.stream().getReader();
  for (let read = await reader.read(); !read.done; read = await reader.read()) send(read.value as Uint8Array<ArrayBuffer>);
}
