/*
 * Reading a circuit's frames from the page: a text or binary frame (or a split message's parts)
 * becomes messages for the message host, after the limits (src/hosting/server/incoming.ts) and
 * the numbering both sides agree on (src/protocol/sequencing.ts). A frame that breaks a limit
 * fails the call it carried, precisely, and is reported to the circuit as refused.
 */
import { isBatch } from '../../protocol/batching.js';
import { COMPLETION_PREFIX_BYTE } from '../../protocol/framing.js';
import * as Msg from '../../protocol/message-codes.js';
import { isControl } from '../../protocol/circuit-control.js';
import type { HostToPage } from '../../protocol/messages.js';
import type { Receipts } from '../../protocol/sequencing.js';
import { TEXT_PART } from '../../protocol/splitting.js';
import type { MessageHost } from '../messaging/message-host.js';
import { FrameError, IncomingFrames } from './incoming.js';
import type { Settings } from './options.js';
import { IncomingSplits } from './split-incoming.js';

/** What the reader asks of its circuit. */
export interface ReaderPorts {
  /** A control message from the page (Ack, End, Drained…), not counted as a numbered frame. */
  control(message: unknown[]): void;
  /** A frame or message the circuit refuses (counted towards `maxProtocolErrors`). */
  refuse(error: Error): void;
  /** Sends a message to the page (an answer that fails a refused call). */
  send(message: HostToPage): void;
  /** Ends the circuit for a protocol break that cannot be answered. */
  end(reason: string): void;
  /** Time to acknowledge the frames received. */
  ack(): void;
  /** The page acknowledged `count` frames in a StreamCredit (below); false when the count is refused. */
  acked(count: unknown): boolean;
}

/** The page → host half of a circuit. */
export class PageReader {
  readonly #settings: Settings;
  readonly #host: MessageHost;
  readonly #receipts: Receipts;
  /** The page's client joins and sends split messages (src/protocol/splitting.ts). */
  readonly #splits: boolean;
  /** The page was told it may send a byte array as a header frame and bytes frames (ServerFeature.BytesFrames). */
  readonly #bytesFrames: boolean;
  readonly #ports: ReaderPorts;
  // Created on first use: an idle circuit should cost as little memory as possible.
  #incoming: IncomingFrames | undefined;
  #splitsIn: IncomingSplits | undefined;

  constructor(settings: Settings, host: MessageHost, receipts: Receipts, splits: boolean, bytesFrames: boolean, ports: ReaderPorts) {
    this.#bytesFrames = bytesFrames;
    this.#settings = settings;
    this.#host = host;
    this.#receipts = receipts;
    this.#splits = splits;
    this.#ports = ports;
  }

  /** Bytes held for a message from the page still arriving in parts. */
  get splitMessageBytes(): number {
    return this.#splitsIn?.held ?? 0;
  }

  /** One frame from the page. `joined`: a text joined from parts, each counted as it came; it may be up to `maxCallSize`. */
  read(data: Buffer, isBinary: boolean, joined = false): void {
    const incoming = (this.#incoming ??= new IncomingFrames(this.#settings, this.#bytesFrames));
    if (incoming.awaitingBytes && !joined) {
      // The page's client sends a byte array's bytes right after its header; anything else would leave
      // the array dangling, so the circuit ends (as for a split message broken off).
      if (!isBinary) return this.#ports.end('The page sent a text frame where the bytes of a byte array were due (the frames after its header); a byte array\'s header and its bytes must follow one another.');
    } else if (isBinary && this.#splits && data[0] === TEXT_PART) return this.#onPart(data);
    const limit = joined ? this.#settings.maxCallSize : this.#settings.maxMessageSize;
    let value: unknown;
    let error: unknown;
    if (!isBinary && data[0] === COMPLETION_PREFIX_BYTE && data.byteLength <= limit) {
      // A completion frame: the text after "!" goes to the core as it is, which checks it (docs/protocol.md).
      if (!this.#counted(data.byteLength, joined)) return;
      return this.#host.receiveCompletion(data.toString('utf8', 1), incoming.takeRefusal());
    }
    if (!isBinary) {
      try {
        value = incoming.text(data, limit);
      } catch (e) {
        error = e;
      }
      if (error === undefined && Array.isArray(value) && isControl(value[0])) return this.#ports.control(value);
    }
    // Every frame that is not a control message counts, valid or not, so both sides agree on numbers.
    if (!this.#counted(data.byteLength, joined)) return;
    if (error !== undefined) return this.#refuseFrame(error);
    if (!isBinary) {
      if (Array.isArray(value) && isBatch(value)) for (const message of value) this.#dispatch(message);
      else this.#dispatch(value);
      return;
    }
    let message;
    try {
      message = incoming.binary(data);
    } catch (e) {
      return this.#refuseFrame(e);
    }
    if (message !== undefined) this.#dispatch(message);
  }

  /**
   * Counts a numbered frame (and acks in time); false when it came in the middle of a split
   * message, which the page's client never does: the circuit ends, so a page cannot leave
   * partial messages behind it.
   */
  #counted(size: number, joined: boolean): boolean {
    if (joined) return true;
    const splits = this.#splitsIn;
    if (splits?.busy) {
      this.#ports.end(`The page broke off a split message (${splits.held} bytes received) to send another frame; the parts of a message must follow one another.`);
      return false;
    }
    if (this.#receipts.count(size)) this.#ports.ack();
    return true;
  }

  /** A part of a text the page split (src/protocol/splitting.ts); the text is handled once whole. */
  #onPart(data: Buffer): void {
    if (this.#receipts.count(data.byteLength)) this.#ports.ack();
    const splits = (this.#splitsIn ??= new IncomingSplits(this.#settings));
    let whole;
    try {
      whole = splits.part(data);
    } catch (error) {
      if (error instanceof FrameError) return this.#refuseFrame(error);
      return this.#ports.end(`The page sent a split message that breaks the protocol: ${(error as Error).message}`);
    }
    if (whole) this.read(whole, false, true);
  }

  /** One message from the page, to the message host (which checks its shape) unless a limit refuses it. */
  #dispatch(message: unknown): void {
    if (Array.isArray(message) && message[0] === Msg.StreamCredit && message.length === 4) {
      // [StreamCredit, streamId, chunks, receivedCount]: the page's client acknowledges with its credit,
      // one write where an Ack and a credit would be two (docs/protocol.md, "Server transport").
      if (!this.#ports.acked(message[3])) return;
      message.pop();
    }
    const refers = Array.isArray(message) && (message[0] === Msg.BeginInvokeDotNet || message[0] === Msg.EndInvokeJS);
    const refusal = refers ? this.#incoming?.takeRefusal() : undefined;
    if (refusal !== undefined) {
      // Its byte arrays were refused: the call fails with the reason, as itself (never redacted).
      const [type, id] = message as unknown[];
      if (type === Msg.BeginInvokeDotNet) return this.#refuseCall(id, refusal);
      return this.#host.failCompletion(id, refusal);
    }
    if (Array.isArray(message) && message[0] === Msg.BeginInvokeDotNet && this.#host.core.pendingCallsFromJSCount >= this.#settings.maxPendingCallsFromPage) {
      return this.#refuseCall(message[1], `The circuit has ${this.#settings.maxPendingCallsFromPage} calls from the page in progress, the most it accepts; wait for some to complete.`);
    }
    this.#host.receive(message);
  }

  /** A frame that broke a limit or could not be read. An oversized call fails precisely. */
  #refuseFrame(error: unknown): void {
    const held = error instanceof FrameError ? error.oversized : undefined;
    if (Array.isArray(held) && typeof held[1] === 'string' && held[0] === Msg.BeginInvokeDotNet) {
      this.#refuseCall(held[1], (error as Error).message);
    } else if (Array.isArray(held) && Number.isSafeInteger(held[1]) && held[0] === Msg.EndInvokeJS) {
      this.#host.core.endInvokeJS(JSON.stringify([held[1], false, (error as Error).message]));
    }
    this.#ports.refuse(error as Error);
  }

  #refuseCall(callId: unknown, text: string): void {
    this.#host.core.clearByteArrays();
    if (typeof callId === 'string') this.#ports.send([Msg.EndInvokeDotNet, callId, false, text]);
    else this.#ports.refuse(new Error(text));
  }
}
