import { ObjectDisposedError } from './errors.js';
import { ReferenceState } from './js-object-reference.js';
import { DEFAULT_MAX_STREAM_SIZE } from './wire.js';
import type { IJSStreamReference, OpenReadStreamOptions } from './types.js';
import type { InteropCore } from './core.js';

/**
 * Chunk requests kept in flight while reading, so the transport stays busy: enough for about
 * `readAheadBytes` in flight (the hosting model's choice; each chunk is a round trip, and the
 * server's 32 KiB chunks would otherwise leave little on the socket), at least 4 calls and at
 * most 256. What is read ahead is bounded: at most max(4 chunks, readAheadBytes).
 */
const MIN_READ_AHEAD = 4;
const MAX_READ_AHEAD = 256;
const DEFAULT_READ_AHEAD_BYTES = 1 << 20;

/** @internal */
export function readAheadFor(chunkSize: number, readAheadBytes = DEFAULT_READ_AHEAD_BYTES): number {
  return Math.min(MAX_READ_AHEAD, Math.max(MIN_READ_AHEAD, Math.ceil(readAheadBytes / chunkSize)));
}

/**
 * Checks a chunk the page sent for a read of `length` bytes of which `received` have arrived:
 * returns the bytes received with it, or throws what the reader fails with (Blazor's texts).
 * @internal
 */
export function countChunk(chunk: unknown, received: number, length: number): number {
  if (!(chunk instanceof Uint8Array) || chunk.byteLength === 0) {
    throw new Error(chunk instanceof Uint8Array ? 'The incoming data chunk cannot be empty.' : 'The page sent a stream chunk that is not a byte array.');
  }
  const total = received + chunk.byteLength;
  if (total > length) throw new Error(`The incoming data stream declared a length ${length}, but ${total} bytes were sent.`);
  return total;
}

/**
 * A Blob, ArrayBuffer or typed array held by the page (Blazor's `IJSStreamReference`).
 * Reading pulls chunks with ordinary async calls to the page helper (src/page/page-helpers.ts),
 * so every hosting model gets streams, with backpressure, without a transport of its own.
 */
export class JSStreamReference implements IJSStreamReference {
  /** @internal */
  readonly state: ReferenceState;

  /** @internal */
  constructor(
    private readonly core: InteropCore,
    state: ReferenceState,
    readonly length: number,
  ) {
    this.state = state;
  }

  get id(): number {
    return this.state.id;
  }

  get disposed(): boolean {
    return this.state.disposed;
  }

  openReadStream(options: OpenReadStreamOptions = {}): ReadableStream<Uint8Array> {
    if (this.state.disposed) throw new ObjectDisposedError(`Cannot access a disposed object: the JS stream reference with id ${this.state.id} was disposed.`);
    const maxAllowedSize = options.maxAllowedSize ?? DEFAULT_MAX_STREAM_SIZE;
    if (this.length > maxAllowedSize) {
      throw new RangeError(`The incoming data stream of length ${this.length} exceeds the maximum allowed length ${maxAllowedSize}.`);
    }
    const { core, length } = this;
    const signal = options.signal;
    const own = core.readJSStream(this, signal);
    if (own) return own;
    const chunkSize = core.streamChunkSizeOf(this);
    const readAhead = readAheadFor(chunkSize, core.streamReadAheadBytes);
    // A chunk the page had at once (in-process, a typed array's view) is its bytes, not a promise.
    const inFlight: (Uint8Array | Promise<Uint8Array>)[] = [];
    let requested = 0;
    const requestMore = () => {
      while (inFlight.length < readAhead && requested < length) {
        const count = Math.min(chunkSize, length - requested);
        const chunk = core.readStreamChunk(this, requested, count, signal);
        if (chunk instanceof Promise) chunk.catch(() => {}); // observed when pulled; a cancelled stream drops the rest unobserved
        inFlight.push(chunk);
        requested += count;
      }
    };
    let received = 0;
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    const deliver = (chunk: unknown): void => {
      received = countChunk(chunk, received, length);
      controller.enqueue(chunk as Uint8Array);
      if (received === length) controller.close();
    };
    return new ReadableStream<Uint8Array>(
      {
        start: (c) => {
          controller = c;
        },
        // Not an async function: a chunk at hand is enqueued without a promise of its own.
        pull: (): Promise<void> | void => {
          if (received >= length) return controller.close();
          try {
            requestMore();
            const next = inFlight.shift()!;
            if (next instanceof Promise) return next.then(deliver);
            deliver(next);
            // The chunks requested ahead that are already at hand (views of the page's bytes) are
            // queued too: no more memory than requesting them did, and the reader needs no pull for them.
            while (inFlight.length > 0 && !(inFlight[0] instanceof Promise)) deliver(inFlight.shift());
          } catch (error) {
            return Promise.reject(error);
          }
        },
        cancel: () => {
          inFlight.length = 0;
        },
      },
      { highWaterMark: 0 },
    );
  }

  disposeAsync(): Promise<void> {
    return this.core.releaseJSObject(this.state, false);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.disposeAsync();
  }
}
