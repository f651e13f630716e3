/*
 * Turns WebSocket frames from an untrusted page into protocol messages, enforcing the size
 * limits before anything is parsed or buffered: a text frame larger than `maxMessageSize`
 * is refused, and a byte array travels in parts no larger than that, reassembled here up to
 * `maxByteArrayBytes` per page message. Any violation is a FrameError: the circuit answers it
 * and carries on.
 */
import { BYTES_FOLLOW, COMPLETION_PREFIX_BYTE, decodeBinary, MORE_PARTS, type BinaryFrame } from '../../protocol/framing.js';
import * as Msg from '../../protocol/message-codes.js';

/** A frame the page should not have sent; `message` is what the page is told. */
export class FrameError extends Error {
  override name = 'FrameError';
  constructor(
    message: string,
    /** For an oversized text frame: the message it held, when it could be read, so its call can fail precisely. */
    readonly oversized?: unknown,
  ) {
    super(message);
  }
}

/** Blazor's text (DotNetDispatcher.ReceiveByteArray) for byte arrays over the per-call limit. */
export const BYTE_ARRAY_LIMIT_TEXT = 'Exceeded the maximum byte array transfer limit for a call.';

export interface IncomingLimits {
  readonly maxMessageSize: number;
  readonly maxByteArrayBytes: number;
}

export class IncomingFrames {
  /** Parts of a byte array received so far. */
  #parts: Uint8Array[] = [];
  #partsId = -1;
  #partsLength = 0;
  /** A byte array over the limit: its remaining parts are dropped silently (the page was told once). */
  #discardingId = -1;
  /** Bytes of the current page message's byte arrays, counted as Blazor does (at least 4 per array). */
  #messageBytes = 0;
  /** Why byte arrays of the message still to come were refused, until that message arrives. */
  #refusal: string | undefined;
  /** A part's header frame whose bytes are the next binary frame (BYTES_FOLLOW), until they come. */
  #header: BinaryFrame | undefined;
  /** The flag bits a binary frame may carry: BYTES_FOLLOW only for a page told it may send it. */
  readonly #flags: number;

  /** `bytesFrames`: the page was told in Started that the server reads header and bytes frames. */
  constructor(
    private readonly limits: IncomingLimits,
    bytesFrames = false,
  ) {
    this.#flags = bytesFrames ? MORE_PARTS | BYTES_FOLLOW : MORE_PARTS;
  }

  /** True while a header frame waits for its bytes frame: the page's next frame must be that. */
  get awaitingBytes(): boolean {
    return this.#header !== undefined;
  }

  /**
   * Why the byte arrays the next call or completion refers to were refused (the per-call limit),
   * or undefined; each refusal is taken once, by the message that follows its byte arrays.
   */
  takeRefusal(): string | undefined {
    const refusal = this.#refusal;
    this.#refusal = undefined;
    return refusal;
  }

  /** True while a byte array is half received. */
  get midByteArray(): boolean {
    return this.#partsId >= 0;
  }

  /** Parses a text frame into a JSON value; `limit` is larger for a text joined from parts (split-incoming.ts). */
  text(data: Buffer, limit = this.limits.maxMessageSize): unknown {
    if (data.byteLength > limit) {
      let held: unknown;
      if (data[0] === COMPLETION_PREFIX_BYTE) {
        // A completion frame "![asyncHandle,…": its handle is enough to fail the call.
        const comma = data.indexOf(44);
        held = [Msg.EndInvokeJS, comma > 2 && comma < 24 ? Number(data.toString('latin1', 2, comma)) : NaN];
      } else {
        try {
          held = JSON.parse(data.toString());
        } catch {}
      }
      throw new FrameError(
        `The message of ${data.byteLength} bytes exceeds the maximum incoming message size of ${this.limits.maxMessageSize} bytes.`,
        held,
      );
    }
    try {
      return JSON.parse(data.toString());
    } catch (error) {
      throw new FrameError(`Malformed message: the text frame is not JSON (${(error as Error).message}).`);
    }
  }

  /**
   * Reads a binary frame: a complete `[SendByteArray, id, bytes]` message, or undefined while
   * parts of a larger byte array are still arriving.
   */
  binary(data: Buffer): [typeof Msg.SendByteArray, number, Uint8Array] | undefined {
    const header = this.#header;
    if (header) {
      // The bytes of the part whose header came last: the whole frame is the bytes, as they are.
      this.#header = undefined;
      return this.#part(header, data);
    }
    let frame;
    try {
      frame = decodeBinary(data, this.#flags);
    } catch (error) {
      throw new FrameError((error as Error).message);
    }
    if (!frame.follows) return this.#part(frame, frame.bytes);
    if (frame.bytes.byteLength) {
      throw new FrameError(`Malformed binary frame: a header frame whose bytes follow (flag ${BYTES_FOLLOW}) carries ${frame.bytes.byteLength} bytes of its own; it must be the ${data.byteLength - frame.bytes.byteLength}-byte header alone.`);
    }
    if (frame.type !== Msg.SendByteArray) throw new FrameError(`Malformed binary frame: a page cannot send message type ${frame.type} as binary.`);
    this.#header = frame;
    return undefined;
  }

  /** One part of a byte array: its header's fields and its bytes (from the same frame or the next). */
  #part({ type, id, more }: BinaryFrame, bytes: Uint8Array): [typeof Msg.SendByteArray, number, Uint8Array] | undefined {
    if (type !== Msg.SendByteArray) throw new FrameError(`Malformed binary frame: a page cannot send message type ${type} as binary.`);
    if (bytes.byteLength > this.limits.maxMessageSize) {
      throw new FrameError(`A byte array part of ${bytes.byteLength} bytes exceeds the maximum incoming message size of ${this.limits.maxMessageSize} bytes.`);
    }
    if (id === this.#discardingId) {
      if (!more) this.#discardingId = -1;
      return undefined;
    }
    if (this.#partsId >= 0 && id !== this.#partsId) {
      const expected = this.#partsId;
      this.#dropParts();
      throw new FrameError(`Out of sequence byte array part received: expected more of byte array ${expected}, but received byte array ${id}.`);
    }
    if (id === 0 && this.#partsId < 0) this.#messageBytes = 0;
    this.#messageBytes += this.#partsId < 0 ? Math.max(4, bytes.byteLength) : bytes.byteLength;
    if (this.#messageBytes > this.limits.maxByteArrayBytes) {
      this.#dropParts();
      if (more) this.#discardingId = id;
      this.#refusal = `${BYTE_ARRAY_LIMIT_TEXT} (limit ${this.limits.maxByteArrayBytes} bytes)`;
      throw new FrameError(this.#refusal);
    }
    // A copy, as the parts below are copied: host code gets a plain Uint8Array over memory of its
    // own, not a Node Buffer over ws's receive buffer (which may share a pooled allocation).
    if (!more && this.#partsId < 0) return [Msg.SendByteArray, id, new Uint8Array(bytes)];
    // Parts are views into ws's receive buffers until they are copied into one array below.
    this.#parts.push(bytes);
    this.#partsId = id;
    this.#partsLength += bytes.byteLength;
    if (more) return undefined;
    const whole = new Uint8Array(this.#partsLength);
    let offset = 0;
    for (const part of this.#parts) {
      whole.set(part, offset);
      offset += part.byteLength;
    }
    this.#dropParts();
    return [Msg.SendByteArray, id, whole];
  }

  #dropParts(): void {
    this.#parts = [];
    this.#partsId = -1;
    this.#partsLength = 0;
  }
}
