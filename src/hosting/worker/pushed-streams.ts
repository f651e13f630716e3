/*
 * The host's half of a JS stream reference read in a Worker (`openReadStream`): the page pushes
 * the chunks (src/hosting/worker/stream-pusher.ts) and this side queues them for the reader,
 * granting credit for the chunks the reader has taken, in batches of half the window. At most
 * `window` chunks are ever queued here: a reader that stops stops the page.
 *
 * What a reader sees is what the per-chunk calls of other hosting models give it: the bytes in
 * order, a length checked against the declared one, an empty chunk refused, the page's failure as
 * a JSException, the signal's reason on abort, ObjectDisposedError for a read past the chunks
 * received before the reference was disposed, JSDisconnectedException when the page goes away.
 */
import { disposedArgumentError, JSDisconnectedException, JSException } from '../../host/errors.js';
import { streamCredit } from '../../protocol/stream-credit.js';
import { PushedStream } from '../../protocol/worker-control.js';
import { countChunk, type JSStreamReference } from '../../host/js-stream-reference.js';

interface Read {
  readonly controller: ReadableStreamDefaultController<Uint8Array>;
  readonly length: number;
  received: number;
  /** Chunks that arrived (credit follows those the reader took of them). */
  enqueued: number;
  /** Removes the abort listener. */
  unlisten?: () => void;
}

export interface PushedStreams {
  /** The stream of a read of `reference`; the page is asked to push it through `start`. */
  open(reference: JSStreamReference, signal: AbortSignal | undefined): ReadableStream<Uint8Array>;
  /** Handles a Chunk or End from the page; false for any other message. */
  receive(message: readonly unknown[]): boolean;
  /** The page is gone: every read fails with JSDisconnectedException. */
  close(reason: string): void;
}

export interface PushedStreamsOptions {
  readonly window: number;
  readonly chunkSize: number;
  /** Calls the page helper pushStream(reference, readId, window, chunkSize, length). */
  start(reference: JSStreamReference, readId: number, window: number, chunkSize: number, length: number, signal: AbortSignal | undefined): Promise<unknown>;
  send(message: unknown[]): void;
}

export function createPushedStreams(options: PushedStreamsOptions): PushedStreams {
  const { window, chunkSize, send } = options;
  const reads = new Map<number, Read>();
  let nextReadId = 0;
  let closedReason: string | undefined;

  /** Forgets a read, and stops the page's push unless it ended there. */
  const forget = (readId: number, tellPage: boolean): Read | undefined => {
    const read = reads.get(readId);
    if (!read) return undefined;
    reads.delete(readId);
    read.unlisten?.();
    if (tellPage && closedReason === undefined) send([PushedStream.Stop, readId]);
    return read;
  };
  /** Ends a read: its stream closes, or errors with `error`. */
  const finish = (readId: number, error: unknown | undefined, tellPage: boolean): void => {
    const read = forget(readId, tellPage);
    if (!read) return;
    if (error === undefined) read.controller.close();
    else read.controller.error(error);
  };

  return {
    open(reference, signal) {
      const readId = nextReadId++;
      const length = reference.length;
      const credit = streamCredit(window);
      let read!: Read;
      const stream = new ReadableStream<Uint8Array>(
        {
          start: (controller) => {
            read = { controller, length, received: 0, enqueued: 0 };
            if (closedReason !== undefined) return controller.error(new JSDisconnectedException(closedReason));
            if (signal?.aborted) return controller.error(signal.reason);
            reads.set(readId, read);
            if (signal) {
              const onAbort = () => finish(readId, signal.reason, true);
              signal.addEventListener('abort', onAbort, { once: true });
              read.unlisten = () => signal.removeEventListener('abort', onAbort);
            }
            options.start(reference, readId, window, chunkSize, length, signal).catch((error: unknown) => finish(readId, error, false));
          },
          pull: () => {
            if (!reads.has(readId)) return;
            if (reference.disposed) {
              // As a call for the next chunk would fail with the reference disposed.
              return finish(readId, disposedArgumentError(reference.id), true);
            }
            const owed = credit(read.enqueued, read.controller.desiredSize);
            if (owed) send([PushedStream.Credit, readId, owed]);
          },
          cancel: () => void forget(readId, true),
        },
        { highWaterMark: window },
      );
      return stream;
    },

    receive(message) {
      if (message[0] !== PushedStream.Chunk && message[0] !== PushedStream.End) return false;
      const readId = message[1] as number;
      const read = reads.get(readId);
      if (!read) return true; // a read that ended here first (cancelled, aborted, failed)
      if (message[0] === PushedStream.End) {
        if (typeof message[2] === 'string') return finish(readId, new JSException(message[2]), false), true;
        if (read.received < read.length) finish(readId, new Error('The incoming data chunk cannot be empty.'), false);
        return true;
      }
      const chunk = message[2];
      try {
        read.received = countChunk(chunk, read.received, read.length);
      } catch (error) {
        finish(readId, error, true);
        return true;
      }
      read.enqueued++;
      read.controller.enqueue(chunk as Uint8Array);
      if (read.received === read.length) finish(readId, undefined, false);
      return true;
    },

    close(reason) {
      closedReason = reason;
      for (const readId of [...reads.keys()]) finish(readId, new JSDisconnectedException(reason), false);
    },
  };
}
