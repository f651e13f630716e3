/*
 * The sending half of a Worker channel, on either side. The first message of a turn of the
 * event loop leaves at once (src/protocol/turns.ts), so a lone call or answer waits for nothing;
 * the messages that follow it in the same turn leave together, as one postMessage, at the end of
 * the turn (a microtask). A message carrying a byte array is never posted alone, so that:
 *  - a byte array travels with the message that refers to it ({"__byte[]": id}), and the
 *    receiver handles both in one go with no other code running between them (when a turn
 *    starts with byte arrays, they leave at once with the first message after them);
 *  - a burst of calls (1000 invokeAsync in a loop, 1000 answers) costs two structured clones and
 *    wake-ups of the other thread instead of a thousand;
 *  - host stream chunks sent in one turn (a window of a large array) leave in groups of about
 *    STREAM_CHUNK_BYTES_PER_POST: the other thread starts on the first group while this one copies
 *    the next, instead of waiting for the whole window, at a few posts per window rather than one
 *    per chunk (a postMessage per chunk cost Chromium more than the overlap gained).
 * Byte arrays posted with the one message that refers to them travel inside it, as a bundle
 * `[message, id, bytes, id, bytes, …]` (the message as `lone` makes it: the page's completion text),
 * one array fewer to clone and unpack than a batch of `[type, id, bytes]` messages.
 * The receiver tells the three apart by their first elements: a message starts with its type
 * number, a batch with a message followed by another, a bundle with a message followed by an id.
 */
import { prepareBytes } from './transfer.js';
import { carriesBytes } from '../../protocol/messages.js';
import * as Msg from '../../protocol/message-codes.js';
import { PushedStream } from '../../protocol/worker-control.js';
import { trackTurns } from '../../protocol/turns.js';

/** Bytes of host stream chunks queued in one turn that are posted without waiting for its end. */
export const STREAM_CHUNK_BYTES_PER_POST = 1024 * 1024;

/** Anything that can post to the other thread. */
export type Post = (data: unknown, transferList: ArrayBuffer[]) => void;

export interface Outbox {
  /** Queues a message; it leaves with the others of this turn. */
  send(message: unknown[]): void;
  /** Posts everything queued now (before a sync call blocks the thread, or to end a hold). */
  flush(): void;
  /** Ends the hold the outbox was created with. */
  release(): void;
  /** postMessage calls made since the last reset: the receiver counts the same events. */
  readonly posted: number;
  resetCount(): void;
  /** Messages queued and not yet posted (the page takes the byte arrays of a sync result from here). */
  readonly queued: unknown[][];
  /** Drops everything queued and holds from now on: the channel is closed. */
  discard(): void;
}

/**
 * With `held`, nothing leaves until `release()`: the page holds its calls until the host is there.
 * `lone` gives what to post for a message that leaves on its own, without byte arrays (the page
 * posts a lone completion as text); by default the message itself.
 */
export function createOutbox(post: Post, held = false, lone: (message: unknown[]) => unknown = (message) => message): Outbox {
  let queue: unknown[][] = [];
  let transfers: ArrayBuffer[] = [];
  /** Only byte arrays so far in this turn: they go out with the message that refers to them. */
  let leadingBytes = false;
  /** Bytes of host stream chunks in the queue. */
  let chunkBytes = 0;
  let posted = 0;
  const flush = (): void => {
    leadingBytes = false;
    chunkBytes = 0;
    if (held) return;
    if (queue.length === 0) {
      transfers = []; // copies of byte arrays a sync answer took along instead
      return;
    }
    const batch = queue;
    const transferList = transfers;
    queue = [];
    transfers = [];
    posted++;
    if (batch.length === 1) post(transferList.length ? batch[0] : lone(batch[0]!), transferList);
    else post(bundle(batch, lone) ?? batch, transferList);
  };
  const turns = trackTurns(flush);
  return {
    send(message) {
      const bytes = postsBytes(message);
      const first = !held && turns.begin();
      if (bytes) {
        if (first) leadingBytes = true;
        const prepared = (message[2] = prepareBytes(message[2] as Uint8Array, transfers));
        queue.push(message);
        // No message refers to a stream chunk, so a group of them may leave before the turn ends.
        if (message[0] === Msg.StreamChunk && (chunkBytes += prepared.byteLength) >= STREAM_CHUNK_BYTES_PER_POST) flush();
      } else if (first) {
        posted++;
        post(lone(message), []);
      } else {
        queue.push(message);
        if (leadingBytes) flush(); // a call or answer with byte arrays: as much the first message as a lone one
      }
    },
    flush,
    release() {
      held = false;
      flush();
    },
    get posted() {
      return posted;
    },
    resetCount() {
      posted = 0;
    },
    get queued() {
      return queue;
    },
    discard() {
      queue = [];
      transfers = [];
      held = true;
    },
  };
}

/** A message whose third element is bytes the outbox copies or moves: a byte array, a stream chunk, a pushed chunk. */
const postsBytes = (message: unknown[]): boolean => carriesBytes(message) || message[0] === PushedStream.Chunk;

/**
 * `[message, id, bytes, …]` for byte arrays followed by the one message that refers to them;
 * undefined for any other batch (a stream chunk among them, several messages).
 */
function bundle(batch: unknown[][], lone: (message: unknown[]) => unknown): unknown[] | undefined {
  const last = batch.length - 1;
  const head = batch[last]!;
  if (postsBytes(head)) return undefined;
  const payload: unknown[] = [lone(head)];
  for (let i = 0; i < last; i++) {
    const message = batch[i]!;
    if (message[0] === Msg.StreamChunk || !carriesBytes(message)) return undefined;
    payload.push(message[1], message[2]);
  }
  return payload;
}

/**
 * The messages in one posted payload: a batch, a bundle (its byte arrays become messages of
 * type `bytesType`, the receiver's byte-array message, ahead of the message that refers to
 * them), or a single message.
 */
export function unpack(data: unknown, bytesType: number): unknown[] {
  if (!Array.isArray(data)) return [data];
  if (typeof data[1] === 'number' && (Array.isArray(data[0]) || typeof data[0] === 'string')) {
    const messages: unknown[] = [];
    for (let i = 1; i < data.length; i += 2) messages.push([bytesType, data[i], data[i + 1]]);
    messages.push(data[0]);
    return messages;
  }
  return Array.isArray(data[0]) ? data : [data];
}
