/*
 * Sequential reads of a Blob for a JS stream reference. The host asks for chunk after chunk, at
 * consecutive offsets, several in flight. `blob.slice(…).arrayBuffer()` for each costs a round
 * trip to the browser's blob store per chunk (in Chromium, a 64 MiB Blob read that way moved at a
 * fifth of the speed of its own stream()); a cursor reads the Blob's stream() in order instead,
 * a segment of SEGMENT_CHUNKS chunks at a time (a Blob's stream may hand over all of a segment at
 * once, so the segment bounds what the page holds beyond what was asked for; at most 8 MiB), and cuts it into
 * the chunks asked for. A request at any other offset starts a new cursor there.
 *
 * A Blob whose stream hands over a segment in several pieces (browsers: pieces of a data pipe,
 * 64 KiB to 2 MiB in Chromium) is read on in one stream to its end: its pieces bound what the
 * page holds, not the segment, and each new slice's stream cost Chromium a restart (eight 8 MiB
 * segments read a 64 MiB Blob at half the speed of one stream). A stream that handed the whole
 * segment over at once (Node's Blob) keeps being read a segment at a time.
 */

import { join } from '../protocol/splitting.js';

const SEGMENT_CHUNKS = 8;
/** A segment is at most this large (unless one chunk is larger): what a Node Blob read holds beyond the chunks asked for. */
const MAX_SEGMENT_BYTES = 8 << 20;

interface Cursor {
  readonly blob: Blob;
  /** The offset the next request must ask for to continue this cursor. */
  next: number;
  /** Where the segment being read ends, and the size of the next one (the rest of the Blob once its stream has shown it streams). */
  segmentEnd: number;
  segment: number;
  /** Pieces the segment being read has handed over so far. */
  pieces: number;
  reader: ReadableStreamDefaultReader<Uint8Array>;
  /** Bytes read from the stream and not yet handed out. */
  held: Uint8Array | undefined;
  /** The last read queued: reads run one after another, in the order they were asked for. */
  tail: Promise<unknown>;
}

const cursors = new WeakMap<Blob, Cursor>();

function openSegment(cursor: Cursor, from: number): void {
  cursor.segmentEnd = Math.min(from + cursor.segment, cursor.blob.size);
  cursor.pieces = 0;
  cursor.reader = (cursor.blob.slice(from, cursor.segmentEnd).stream() as ReadableStream<Uint8Array>).getReader();
}

/** `count` bytes of `blob` from `offset` (fewer at its end), as `blob.slice(offset, offset + count)` would hold. */
export function readBlobChunk(blob: Blob, offset: number, count: number): Promise<Uint8Array> {
  let cursor = cursors.get(blob);
  if (!cursor || cursor.next !== offset) {
    if (cursor) void cursor.reader.cancel().catch(() => {});
    cursor = { blob, next: offset, segmentEnd: 0, segment: Math.min(SEGMENT_CHUNKS * count, Math.max(count, MAX_SEGMENT_BYTES)), pieces: 0, reader: undefined!, held: undefined, tail: Promise.resolve() };
    openSegment(cursor, offset);
    cursors.set(blob, cursor);
  }
  const end = Math.min(offset + count, blob.size);
  cursor.next = end;
  const own = cursor;
  const chunk = own.tail.then(() => take(own, end - offset));
  own.tail = chunk.catch(() => {});
  if (end >= blob.size) cursors.delete(blob); // the last chunk: nothing more will be asked of this cursor
  return chunk;
}

/** The next `count` bytes of the cursor's stream: the piece it holds or reads, joined only when a chunk spans pieces. */
async function take(cursor: Cursor, count: number): Promise<Uint8Array> {
  const pieces: Uint8Array[] = [];
  let have = 0;
  while (have < count) {
    let piece = cursor.held;
    cursor.held = undefined;
    if (!piece) {
      const { done, value } = await cursor.reader.read();
      if (done) {
        if (cursor.segmentEnd >= cursor.blob.size) break;
        if (cursor.pieces > 1) cursor.segment = Infinity;
        openSegment(cursor, cursor.segmentEnd);
        continue;
      }
      cursor.pieces++;
      piece = value;
    }
    if (have + piece.byteLength > count) {
      cursor.held = piece.subarray(count - have);
      piece = piece.subarray(0, count - have);
    }
    pieces.push(piece);
    have += piece.byteLength;
  }
  return pieces.length === 1 ? pieces[0]! : join(pieces, have);
}
