/*
 * Turns WebSocket frames from an untrusted page into protocol messages, enforcing the size
 * limits before anything is parsed or buffered: a text frame larger than `maxMessageSize`
 * is refused, and a byte array travels in parts no larger than that, reassembled here up to
 * `maxByteArrayBytes` per page message. Any violation is a FrameError: the circuit answers it
 * and carries on.
 */
import { BINARY_HEADER_SIZE, BYTE_ARRAY_HEADER_SIZE, BYTES_FOLLOW, COMPLETION_PREFIX_BYTE, decodeBinary, isClientCut, MORE_PARTS, type BinaryFrame } from '../../protocol/framing.js';
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

/** A byte array whose bytes come as the binary frames after its header. */
interface Following {
  readonly id: number;
  /** Bytes still due: the frames that carry them are this array's, whatever they hold. */
  remaining: number;
  /** A part was refused: the rest of the array is dropped as it comes. */
  discarding: boolean;
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
  /** A byte array whose header frame came (BYTES_FOLLOW): the binary frames that follow carry its bytes. */
  #following: Following | undefined;
  /** The flag bits a binary frame may carry: BYTES_FOLLOW only for a page told it may send it. */
  readonly #flags: number;

  /** `bytesFrames`: the page was told in Started that the server reads header and bytes frames. */
  constructor(
    private readonly limits: IncomingLimits,
    bytesFrames = false,
  ) {
    this.#flags = bytesFrames ? MORE_PARTS | BYTES_FOLLOW : MORE_PARTS;
  }

  /** True while a byte array's header frame waits for its bytes: the page's next frames must be those. */
  get awaitingBytes(): boolean {
    return this.#following !== undefined;
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
    const following = this.#following;
    if (following) return this.#followingBytes(following, data);
    let frame;
    try {
      frame = decodeBinary(data, this.#flags);
    } catch (error) {
      throw new FrameError((error as Error).message);
    }
    if (!frame.follows) return this.#part(frame, frame.bytes);
    if (frame.type !== Msg.SendByteArray) throw new FrameError(`Malformed binary frame: a page cannot send message type ${frame.type} as binary.`);
    if (frame.more || frame.bytes.byteLength !== BYTE_ARRAY_HEADER_SIZE - BINARY_HEADER_SIZE) {
      throw new FrameError(`Malformed binary frame: a byte array header whose bytes follow (flag ${BYTES_FOLLOW}) must be ${BYTE_ARRAY_HEADER_SIZE} bytes, the header and the array's length, without flag ${MORE_PARTS}; it is ${data.byteLength} bytes${frame.more ? ` with flag ${MORE_PARTS}` : ''}.`);
    }
    const length = new DataView(frame.bytes.buffer, frame.bytes.byteOffset, 8).getFloat64(0, true);
    if (!Number.isSafeInteger(length) || length < 0) throw new FrameError(`Malformed binary frame: the byte array length ${length} is not a non-negative integer.`);
    if (length === 0) return this.#part({ type: Msg.SendByteArray, id: frame.id, more: false, bytes: frame.bytes }, new Uint8Array(0));
    // A later array of a message already refused: dropped as it comes, the page was told once.
    this.#following = { id: frame.id, remaining: length, discarding: this.#refusedMessage(frame.id) };
    if (this.#following.discarding) return undefined;
    const counted = (frame.id === 0 ? 0 : this.#messageBytes) + Math.max(4, length);
    if (this.#partsId < 0 && counted > this.limits.maxByteArrayBytes) {
      // Over the per-call limit by its length alone: refused now, its bytes dropped as they come, never held.
      this.#following.discarding = true;
      this.#messageBytes = counted;
      this.#refusal = `${BYTE_ARRAY_LIMIT_TEXT} (limit ${this.limits.maxByteArrayBytes} bytes)`;
      throw new FrameError(this.#refusal);
    }
    return undefined;
  }

  /** A binary frame after a byte array's header: the next of its bytes, as they are. */
  #followingBytes(following: Following, data: Buffer): [typeof Msg.SendByteArray, number, Uint8Array] | undefined {
    if (data.byteLength > following.remaining || data.byteLength === 0) {
      // The page lost count of its own array: where its frames end can no longer be known.
      this.#following = undefined;
      this.#dropParts();
      throw new FrameError(`Malformed binary frame: a frame of ${data.byteLength} bytes came where ${following.remaining} more bytes of byte array ${following.id} were due; the frames after its header carry exactly its length, none of them empty.`);
    }
    following.remaining -= data.byteLength;
    const more = following.remaining > 0;
    if (!more) this.#following = undefined;
    if (following.discarding) return undefined;
    try {
      return this.#part({ type: Msg.SendByteArray, id: following.id, more, bytes: data }, data);
    } catch (error) {
      // Refused (a part over the message size or cut short, the array over the per-call limit): the
      // array's remaining frames are dropped here, by their count, not by the id the next array may share.
      following.discarding = more;
      this.#discardingId = -1;
      this.#dropParts();
      throw error;
    }
  }

  /** One part of a byte array: its header's fields and its bytes (from the same frame, or a frame after a byte array's header). */
  #part({ type, id, more }: BinaryFrame, bytes: Uint8Array): [typeof Msg.SendByteArray, number, Uint8Array] | undefined {
    if (type !== Msg.SendByteArray) throw new FrameError(`Malformed binary frame: a page cannot send message type ${type} as binary.`);
    if (bytes.byteLength > this.limits.maxMessageSize) {
      throw new FrameError(`A byte array part of ${bytes.byteLength} bytes exceeds the maximum incoming message size of ${this.limits.maxMessageSize} bytes.`);
    }
    if (id === this.#discardingId) {
      if (!more) this.#discardingId = -1;
      return undefined;
    }
    if (this.#partsId < 0 && this.#refusedMessage(id)) {
      if (more) this.#discardingId = id;
      return undefined;
    }
    if (this.#partsId >= 0 && id !== this.#partsId) {
      const expected = this.#partsId;
      this.#dropParts();
      throw new FrameError(`Out of sequence byte array part received: expected more of byte array ${expected}, but received byte array ${id}.`);
    }
    if (!isClientCut(bytes.byteLength, more, this.limits.maxMessageSize)) {
      this.#dropParts();
      this.#discardingId = id;
      throw new FrameError(`Malformed binary frame: a part of ${bytes.byteLength} bytes of byte array ${id} came with more to follow; every part of a byte array but the last carries maxMessageSize (${this.limits.maxMessageSize}) bytes.`);
    }
    if (id === 0 && this.#partsId < 0) this.#messageBytes = 0;
    // An array counts its length, at least 4 (Blazor's count), however it was cut: its bytes as they
    // come, and with its last part whatever the minimum adds.
    const arrayBytes = this.#partsLength + bytes.byteLength;
    this.#messageBytes += bytes.byteLength + (more ? 0 : Math.max(0, 4 - arrayBytes));
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

  /** Whether the array `id` belongs to a message whose arrays were refused (its refusal not yet taken by the message). */
  #refusedMessage(id: number): boolean {
    return id !== 0 && this.#refusal !== undefined;
  }

  #dropParts(): void {
    this.#parts = [];
    this.#partsId = -1;
    this.#partsLength = 0;
  }
}
