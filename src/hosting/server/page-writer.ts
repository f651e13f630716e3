/*
 * Writing to a circuit's page: messages become frames (text batches, call frames, binary frames,
 * and parts of texts too large for one frame), each numbered and kept in the circuit's outbox
 * for replay (src/protocol/sequencing.ts) before it goes out on the current connection.
 */
import { textBatcher, type TextBatcher } from '../../protocol/batching.js';
import { binaryHeader, BYTES_FOLLOW, encodeCallFrame } from '../../protocol/framing.js';
import * as Msg from '../../protocol/message-codes.js';
import { carriesBytes, type HostToPage } from '../../protocol/messages.js';
import type { Frame, Outbox } from '../../protocol/sequencing.js';
import { textParts } from '../../protocol/splitting.js';
import type { Settings } from './options.js';
import type { OutputBudget } from './output-budget.js';

/** Text messages per batch frame to the page, at most (in UTF-16 units). */
const BATCH_CHARS = 64 * 1024;

/** What the writer asks of its circuit. */
export interface WriterPorts {
  /** The circuit has ended: nothing more is sent or kept. */
  ended(): boolean;
  /** Writes to the connected page; undefined while disconnected (frames are kept for replay). */
  output(): OutputBudget | undefined;
  /** Ends the circuit (the page stopped acknowledging). */
  end(reason: string): void;
}

/** What the page's client reads beyond the message forms (it said so in its Hello). */
export interface PageReads {
  /** Call frames (src/protocol/framing.ts). */
  readonly callFrames: boolean;
  /** Split messages (src/protocol/splitting.ts). */
  readonly splits: boolean;
  /** A stream chunk as a header frame and a bytes frame (src/protocol/framing.ts, BYTES_FOLLOW). */
  readonly chunkFrames: boolean;
}

/** The host → page half of a circuit, below the checks on which calls may start. */
export class PageWriter {
  readonly #settings: Settings;
  readonly #outbox: Outbox;
  /** The page's client reads call frames (it said so in its Hello). */
  readonly #callFrames: boolean;
  /** The page's client joins split messages (src/protocol/splitting.ts). */
  readonly #splits: boolean;
  /** The page's client reads a stream chunk as a header frame and a bytes frame. */
  readonly #chunkFrames: boolean;
  readonly #ports: WriterPorts;
  // Created on first use: an idle circuit should cost as little memory as possible.
  #batcher: TextBatcher | undefined;

  constructor(settings: Settings, outbox: Outbox, reads: PageReads, ports: WriterPorts) {
    this.#settings = settings;
    this.#outbox = outbox;
    this.#callFrames = reads.callFrames;
    this.#splits = reads.splits;
    this.#chunkFrames = reads.chunkFrames;
    this.#ports = ports;
  }

  /** Sends what is batched now (it is then numbered, and counts as unacknowledged). */
  flush(): void {
    this.#batcher?.flush();
  }

  /** Frames `message` and sends it; a call or result over `maxCallSize` throws, unsent. */
  send(message: HostToPage): void {
    if (carriesBytes(message)) {
      this.#batcher?.flush(); // text queued before must not be overtaken
      if (this.#chunkFrames && message[0] === Msg.StreamChunk) {
        // Two frames, so that neither side copies the chunk (framing.ts, BYTES_FOLLOW).
        this.#emit(binaryHeader(message[0], message[1], BYTES_FOLLOW));
        this.#emit(message[2]);
      } else {
        this.#emit([binaryHeader(message[0], message[1]), message[2]]);
      }
      return;
    }
    const batcher = (this.#batcher ??= textBatcher((frame) => this.#emit(frame), BATCH_CHARS));
    // A call that goes out alone is a call frame, if the page reads them: no JSON around its arguments' JSON.
    const alone = message[0] === Msg.BeginInvokeJS && this.#callFrames && !batcher.busy;
    const text = alone ? encodeCallFrame(message) : JSON.stringify(message);
    if (this.#splits) this.#checkCallSize(message, text);
    batcher.add(text);
  }

  /**
   * A call or result over `maxCallSize` fails instead of being sent (to a page that joins
   * parts; an older client gets today's whole frames). A call rejects with the error; for a
   * result the core fails the page's call, naming the method.
   */
  #checkCallSize(message: HostToPage, text: string): void {
    const cap = this.#settings.maxCallSize;
    // UTF-8 takes at most 3 bytes per UTF-16 unit, so only long texts need measuring.
    if (text.length * 3 <= cap) return;
    const size = Buffer.byteLength(text);
    if (size <= cap) return;
    const what = message[0] === Msg.BeginInvokeJS ? `The call to '${message[2]}'` : 'The result';
    throw new RangeError(`${what} is ${size} bytes of JSON, more than the server's maxCallSize of ${cap} bytes. Send large data as a Uint8Array or a stream.`);
  }

  /** Numbers a frame (by keeping it for replay) and sends it, if the page is connected. */
  #emit(frame: Frame): void {
    if (this.#ports.ended()) return;
    if (this.#splits && typeof frame === 'string' && frame.length * 3 > this.#settings.maxMessageSize) {
      // Too large for one of the page's frames: parts of at most maxMessageSize bytes, each numbered.
      // (Measured first: most texts past the quick bound still fit, and need no encoding here.)
      if (Buffer.byteLength(frame) > this.#settings.maxMessageSize) {
        for (const part of textParts(Buffer.from(frame), this.#settings.maxMessageSize)) this.#emit(part);
        return;
      }
    }
    this.#outbox.push(frame);
    if (this.#outbox.bytes > this.#settings.maxUnacknowledgedBytes) {
      const reason = `The page did not acknowledge ${this.#outbox.bytes} bytes (limit ${this.#settings.maxUnacknowledgedBytes}); the server will not buffer more for replay.`;
      // End after the current call has been registered (we may be inside its serialization), so it is rejected too.
      queueMicrotask(() => this.#ports.end(reason));
      return;
    }
    this.#ports.output()?.send(frame);
  }
}
