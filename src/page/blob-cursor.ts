/*
 * Sequential reads of a Blob for a JS stream reference. The host asks for chunk after chunk, at
 * consecutive offsets, several in flight. `blob.slice(…).arrayBuffer()` for each costs a round
 * trip to the browser's blob store per chunk (in Chromium, a 64 MiB Blob read that way moved at a
 * fifth of the speed of its own stream()); a cursor reads the Blob's stream() in order instead and
 * cuts it into the chunks asked for. A request at any other offset starts a new cursor there.
 *
 * The cursor reads ahead of the requests on its own, up to readAheadOf(chunk) held and not yet
 * asked for (8 chunks, at most 4 MiB): reading only as far as the requests reach let Chromium's
 * Blob pipe stall between them (half the speed of the Blob's own stream()). What a cursor holds is
 * bounded by that read-ahead plus one piece of the Blob's stream (at most a segment, below).
 *
 * It reads a segment of SEGMENT_CHUNKS chunks at a time (at most MAX_SEGMENT_BYTES; the first one,
 * FIRST_SEGMENT_CHUNKS): a Blob's stream may hand over all of a slice at once (Node's Blob does), so
 * the segment bounds that piece. A Blob whose stream hands over a segment in several pieces (browsers: pieces of a data pipe, 64 KiB to 2 MiB in
 * Chromium) is read on in one stream to its end, since each new slice's stream cost Chromium a
 * restart; if that stream is a byte stream, it is read with a BYOB reader into buffers of whole
 * chunks (at least MIN_BYOB_BUFFER), whose views then are the chunks, with no copy to join pieces. A stream that handed the whole segment over
 * at once keeps being read a segment at a time (its chunks are views of the segment).
 */

import { join } from '../protocol/splitting.js';

const SEGMENT_CHUNKS = 8;
/** The first segment is shorter: in a browser it only shows that the Blob streams in pieces, read without BYOB. */
const FIRST_SEGMENT_CHUNKS = 2;
/** A segment is at most this large (unless one chunk is larger): what one piece of a Node Blob read can hold. */
const MAX_SEGMENT_BYTES = 8 << 20;
/** A cursor reads ahead of the requests READ_AHEAD_CHUNKS chunks, at most READ_AHEAD_BYTES (but two chunks at least). */
const READ_AHEAD_CHUNKS = 8;
const READ_AHEAD_BYTES = 4 << 20;

/** The bytes a cursor reading chunks of `chunk` bytes holds read ahead of the requests (and one piece of the Blob's stream beyond). */
export function readAheadOf(chunk: number): number {
  return Math.max(2 * chunk, Math.min(READ_AHEAD_BYTES, READ_AHEAD_CHUNKS * chunk));
}

/**
 * A BYOB read fills a buffer of whole chunks, at least this large: chunks are views of it. One read
 * per 32 KiB chunk (a server's) cost a Chromium page a third of a Blob's speed in promise turns; a
 * chunk of this size or more has a buffer of its own, which a Worker's page moves instead of copying.
 */
const MIN_BYOB_BUFFER = 256 << 10;

type Reader = ReadableStreamDefaultReader<Uint8Array> | ReadableStreamBYOBReader;

interface Cursor {
  readonly blob: Blob;
  /** The size of a BYOB read's buffer: whole chunks of the requests' size. */
  readonly buffer: number;
  readonly readAhead: number;
  /** The offset the next request must ask for to continue this cursor. */
  next: number;
  /** Where the segment being read ends, and the size of the next one (the rest of the Blob once its stream has shown it streams). */
  segmentEnd: number;
  segment: number;
  /** The size of segments after the first. */
  readonly fullSegment: number;
  /** Pieces the segment being read has handed over so far. */
  pieces: number;
  reader: Reader;
  byob: boolean;
  /** Bytes read from the stream and not yet handed out, in order; `queued` counts them. */
  readonly queue: Uint8Array[];
  queued: number;
  /** The stream has ended (or failed: `error`), or the cursor was given up. */
  ended: boolean;
  error?: unknown;
  closed: boolean;
  pumping: boolean;
  /** The request waiting for bytes, woken when the pump adds some or stops. */
  wake: (() => void) | undefined;
  /** The last request queued: requests are served one after another, in the order they were asked for. */
  tail: Promise<unknown>;
}

const cursors = new WeakMap<Blob, Cursor>();

/**
 * Cursors whose pump awaits a read of the Blob's stream. In Chromium, a Blob's stream that nothing
 * in JS reaches can be collected with a read pending, and that read then never settles: the
 * requests waiting on the cursor (and the host's calls behind them) would hang. Only JS reaches a
 * cursor between requests, so it is held here while a read is under way, and only then.
 */
const reading = new Set<Cursor>();

function openSegment(cursor: Cursor, from: number): void {
  cursor.segmentEnd = Math.min(from + cursor.segment, cursor.blob.size);
  cursor.pieces = 0;
  const stream = cursor.blob.slice(from, cursor.segmentEnd).stream() as ReadableStream<Uint8Array>;
  cursor.byob = false;
  if (cursor.segment === Infinity) {
    try {
      cursor.reader = stream.getReader({ mode: 'byob' });
      cursor.byob = true;
      return;
    } catch {
      // not a byte stream: read its pieces as they come
    }
  }
  cursor.reader = stream.getReader();
}

/** `count` bytes of `blob` from `offset` (fewer at its end), as `blob.slice(offset, offset + count)` would hold. */
export function readBlobChunk(blob: Blob, offset: number, count: number): Promise<Uint8Array> {
  let cursor = cursors.get(blob);
  if (!cursor || cursor.next !== offset) {
    if (cursor) close(cursor);
    cursor = {
      blob, buffer: count * Math.max(1, Math.floor(MIN_BYOB_BUFFER / count)), readAhead: readAheadOf(count), next: offset, segmentEnd: 0,
      segment: Math.min(FIRST_SEGMENT_CHUNKS * count, Math.max(count, MAX_SEGMENT_BYTES)),
      fullSegment: Math.min(SEGMENT_CHUNKS * count, Math.max(count, MAX_SEGMENT_BYTES)), pieces: 0, reader: undefined!, byob: false,
      queue: [], queued: 0, ended: false, closed: false, pumping: false, wake: undefined, tail: Promise.resolve(),
    };
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

/** Gives the cursor up (a request asked for another offset): its reads stop, and requests still queued on it get what it holds. */
function close(cursor: Cursor): void {
  cursor.closed = true;
  void cursor.reader.cancel().catch(() => {});
  cursor.wake?.();
}

/** The next `count` bytes of the cursor's stream: a piece it holds, cut or joined only where the chunk is not a whole piece. */
async function take(cursor: Cursor, count: number): Promise<Uint8Array> {
  while (cursor.queued < count && !cursor.ended && !cursor.closed) {
    const added = new Promise<void>((resolve) => (cursor.wake = resolve));
    pump(cursor);
    await added;
  }
  if (cursor.error !== undefined && cursor.queued < count) throw cursor.error;
  const pieces: Uint8Array[] = [];
  let have = 0;
  while (have < count && cursor.queue.length) {
    let piece = cursor.queue[0]!;
    if (have + piece.byteLength > count) {
      cursor.queue[0] = piece.subarray(count - have);
      piece = piece.subarray(0, count - have);
    } else cursor.queue.shift();
    pieces.push(piece);
    have += piece.byteLength;
  }
  cursor.queued -= have;
  pump(cursor);
  return pieces.length === 1 ? pieces[0]! : join(pieces, have);
}

/** Reads on, unless a read is under way, until the cursor holds its read-ahead or the stream ends. */
function pump(cursor: Cursor): void {
  if (cursor.pumping || cursor.ended || cursor.closed || cursor.queued >= cursor.readAhead) return;
  cursor.pumping = true;
  reading.add(cursor);
  void (async () => {
    try {
      while (!cursor.ended && !cursor.closed && cursor.queued < cursor.readAhead) {
        const piece = await readPiece(cursor);
        if (cursor.closed) return;
        if (piece === undefined) cursor.ended = true;
        else if (piece.byteLength) {
          cursor.queue.push(piece);
          cursor.queued += piece.byteLength;
        }
        cursor.wake?.();
      }
    } catch (error) {
      cursor.error = error;
      cursor.ended = true;
    } finally {
      cursor.pumping = false;
      reading.delete(cursor);
      const wake = cursor.wake;
      cursor.wake = undefined;
      wake?.();
    }
  })();
}

/** The next piece of the Blob (from a BYOB reader, a full buffer of whole chunks: fewer bytes only at the Blob's end), or undefined at its end. */
async function readPiece(cursor: Cursor): Promise<Uint8Array | undefined> {
  if (cursor.byob) {
    let buffer = new ArrayBuffer(cursor.buffer);
    let filled = 0;
    while (filled < buffer.byteLength) {
      const { done, value } = await (cursor.reader as ReadableStreamBYOBReader).read(new Uint8Array(buffer, filled));
      if (value) buffer = value.buffer as ArrayBuffer;
      if (done || !value) break;
      filled += value.byteLength;
    }
    return filled ? new Uint8Array(buffer, 0, filled) : undefined; // the BYOB stream runs to the Blob's end
  }
  for (;;) {
    const { done, value } = await (cursor.reader as ReadableStreamDefaultReader<Uint8Array>).read();
    if (!done) {
      cursor.pieces++;
      return value;
    }
    if (cursor.segmentEnd >= cursor.blob.size || cursor.closed) return undefined;
    cursor.segment = cursor.pieces > 1 ? Infinity : cursor.fullSegment;
    openSegment(cursor, cursor.segmentEnd);
    if (cursor.byob) return readPiece(cursor);
  }
}
