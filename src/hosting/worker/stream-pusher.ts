/*
 * The page's half of a JS stream reference read by a Worker host: the page pushes the chunks
 * under the host's credit window (src/protocol/worker-control.ts, PushedStream), instead of
 * answering one interop call per chunk. A call costs both threads a message each way, the
 * package's dispatcher and the host's pending-call table; a pushed chunk costs one message, as
 * posting the bytes by hand would. The bytes are read as the host's pull reads them
 * (pageHelpers.readStreamChunk: a view of an array, a Blob through its cursor), copied (or moved)
 * by the outbox like every byte array. The page never has more than `window` chunks unread by
 * the host's reader in flight: a host that stops reading stops the page.
 */
import { holdsBytes, isStreamSource, NOT_A_STREAM_SOURCE, pageHelpers } from '../../page/page-helpers.js';
import { PushedStream } from '../../protocol/worker-control.js';
import { transfer } from './transfer.js';

interface Push {
  credit: number;
  readonly window: number;
  stopped: boolean;
  /** Resumes a pump that is waiting for credit. */
  wake?: () => void;
}

export interface StreamPusher {
  /** The page helper the host calls to start a read (merged into the page helpers). */
  readonly helpers: { pushStream(source: unknown, readId: number, window: number, chunkSize: number, length: number): void };
  /** Handles a Credit or Stop from the host; false for any other message. */
  receive(message: readonly unknown[]): boolean;
  /** The channel closed: every push stops. */
  close(): void;
  /** Reads in progress (tests). */
  readonly active: number;
}

const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) > 0;

export function createStreamPusher(send: (message: unknown[]) => void): StreamPusher {
  const pushes = new Map<number, Push>();

  const pump = async (readId: number, push: Push, source: unknown, chunkSize: number, length: number): Promise<void> => {
    let offset = 0;
    const fromBlob = !holdsBytes(source);
    try {
      while (offset < length && !push.stopped) {
        if (push.credit <= 0) {
          await new Promise<void>((resolve) => (push.wake = resolve));
          continue;
        }
        const count = Math.min(chunkSize, length - offset);
        // A view's chunk is there at once; waiting a microtask for it anyway ends the outbox's
        // turn, so each chunk is posted on its own and the host starts on it while the next is copied.
        const chunk = await pageHelpers.readStreamChunk(source, offset, count);
        if (push.stopped) return;
        const size = chunk.byteLength; // before a move detaches it
        // A Blob's chunk is memory of the page's own making (read from the Blob's stream), not the
        // application's: when it spans its whole buffer it moves instead of being copied.
        send([PushedStream.Chunk, readId, fromBlob ? transfer(chunk) : chunk]);
        push.credit--;
        // A source shorter than it was (an empty chunk) fails on the host, which checks what arrives.
        if (size === 0) return;
        offset += size;
      }
      if (!push.stopped) send([PushedStream.End, readId, null]);
    } catch (error) {
      if (!push.stopped) send([PushedStream.End, readId, error instanceof Error ? error.message : String(error)]);
    } finally {
      pushes.delete(readId);
    }
  };

  return {
    helpers: {
      pushStream(source, readId, window, chunkSize, length) {
        if (!Number.isSafeInteger(readId) || readId < 0 || !isCount(window) || !isCount(chunkSize) || !isCount(length)) {
          throw new RangeError(`Invalid stream push request: read ${readId}, window ${window}, chunk size ${chunkSize}, length ${length}.`);
        }
        if (pushes.has(readId)) throw new RangeError(`Stream read ${readId} is already in progress.`);
        // What readStreamChunk would refuse on the first chunk, refused before the call completes.
        if (!isStreamSource(source)) throw new TypeError(NOT_A_STREAM_SOURCE);
        const push: Push = { credit: window, window, stopped: false };
        pushes.set(readId, push);
        void pump(readId, push, source, chunkSize, length);
      },
    },
    receive(message) {
      if (message[0] !== PushedStream.Credit && message[0] !== PushedStream.Stop) return false;
      const push = pushes.get(message[1] as number);
      if (!push) return true; // a read that already ended
      if (message[0] === PushedStream.Stop) {
        push.stopped = true;
        pushes.delete(message[1] as number);
      } else if (isCount(message[2])) {
        // The host credits what its reader took: never more than about a window in flight.
        push.credit = Math.min(push.credit + message[2], push.window);
      }
      push.wake?.();
      push.wake = undefined;
      return true;
    },
    close() {
      for (const push of pushes.values()) {
        push.stopped = true;
        push.wake?.();
      }
      pushes.clear();
    },
    get active() {
      return pushes.size;
    },
  };
}
