/*
 * How protocol messages travel as WebSocket frames (server hosting). A message that carries
 * bytes ([type, id, Uint8Array]: ReceiveByteArray, StreamChunk, SendByteArray) becomes a binary
 * frame, so byte arrays are never base64 or JSON numbers; every other message is a text frame
 * holding its JSON array, except a call or a completion sent alone, which travel as call and
 * completion frames (below). See docs/protocol.md, "Server transport".
 *
 * Binary frame layout (little-endian):
 *   byte 0      message type
 *   byte 1      flags: bit 0 set = more parts of this byte array follow (page → host only);
 *               bit 1 set = the bytes are the next binary frame, alone (see {@link BYTES_FOLLOW})
 *   bytes 2–9   id, a float64 (every safe integer is exact)
 *   bytes 10–   the bytes
 */

import * as Msg from './message-codes.js';
import { carriesBytes, type BeginInvokeJS } from './messages.js';

/** Bytes in front of the payload of a binary frame. */
export const BINARY_HEADER_SIZE = 10;

/** Flag bit: this frame is one part of a byte array larger than one frame; more parts follow. */
export const MORE_PARTS = 1;

/**
 * Flag bit, host → page, to a page that announced PageFeature.ChunkFrames (circuit-control.ts):
 * this frame is a header alone, and the message's bytes are the next binary frame, as they are.
 * The two are numbered frames like any other, so replay after a reconnect may resume between
 * them. The host sends a stream chunk this way: it copies nothing, and the page receives the
 * bytes as one whole message rather than joining two fragments (a copy of every chunk).
 *
 * Page → host, to a server that announced ServerFeature.BytesFrames in Started, a byte array goes
 * as one header frame with this flag whose 8 payload bytes are the array's length (a float64, see
 * {@link byteArrayHeader}), then that many bytes as the binary frames that follow, each at most
 * the server's `maxMessageSize`, with no header: the page sends views of the array, copies nothing,
 * and adds one frame per array rather than one per part.
 */
export const BYTES_FOLLOW = 2;

/** A decoded binary frame. */
export interface BinaryFrame {
  readonly type: number;
  readonly id: number;
  readonly bytes: Uint8Array;
  /** True when more parts of the same byte array follow. */
  readonly more: boolean;
  /** True when the bytes are the next binary frame ({@link BYTES_FOLLOW}; only where `allowed` admits it). */
  readonly follows?: boolean;
}

/** The 10-byte header of a binary frame; `flags`: true for {@link MORE_PARTS}, or the flag bits. */
export function binaryHeader(type: number, id: number, flags: boolean | number = false, into = new Uint8Array(BINARY_HEADER_SIZE)): Uint8Array {
  const view = new DataView(into.buffer, into.byteOffset, BINARY_HEADER_SIZE);
  view.setUint8(0, type);
  view.setUint8(1, flags === true ? MORE_PARTS : flags === false ? 0 : flags);
  view.setFloat64(2, id, true);
  return into;
}

/** Size of a page byte array's header frame with {@link BYTES_FOLLOW}: the header and the array's length. */
export const BYTE_ARRAY_HEADER_SIZE = BINARY_HEADER_SIZE + 8;

/** The header frame of a page byte array of `length` bytes whose bytes follow as frames of their own ({@link BYTES_FOLLOW}). */
export function byteArrayHeader(type: number, id: number, length: number): Uint8Array {
  const frame = binaryHeader(type, id, BYTES_FOLLOW, new Uint8Array(BYTE_ARRAY_HEADER_SIZE));
  new DataView(frame.buffer).setFloat64(BINARY_HEADER_SIZE, length, true);
  return frame;
}

/**
 * Whether a part of `size` bytes, with `more` parts to follow, is cut as the page's client cuts a
 * byte array or a split text: every part but the last carries `max` (the server's
 * `maxMessageSize`) bytes. A server holds at most limit / max + 1 parts of such a message; cut finer,
 * each part would cost it an object (about a hundred bytes of heap for a part of one byte).
 */
export function isClientCut(size: number, more: boolean, max: number): boolean {
  return !more || size === max;
}

/** Builds a binary frame in one array (the bytes are copied). */
export function encodeBinary(type: number, id: number, bytes: Uint8Array, more = false): Uint8Array {
  const frame = new Uint8Array(BINARY_HEADER_SIZE + bytes.byteLength);
  binaryHeader(type, id, more, frame);
  frame.set(bytes, BINARY_HEADER_SIZE);
  return frame;
}

/**
 * A binary frame kept as header and bytes, sent as two fragments of one WebSocket message (the
 * peer receives one message). The host sends large byte arrays this way so they are never
 * copied, which is why a byte array must not be modified after it was passed to a call.
 */
export type BinaryParts = readonly [header: Uint8Array, bytes: Uint8Array];

/**
 * Reads a binary frame. The bytes are a view into `frame`, not a copy. Throws a TypeError
 * naming what is wrong when the frame cannot be a message (the page is untrusted on a server).
 * `allowed`: the flag bits the reader accepts (a page reads {@link BYTES_FOLLOW} too).
 */
export function decodeBinary(frame: Uint8Array, allowed = MORE_PARTS): BinaryFrame {
  if (frame.byteLength < BINARY_HEADER_SIZE) {
    throw new TypeError(`Malformed binary frame: ${frame.byteLength} bytes is shorter than the ${BINARY_HEADER_SIZE}-byte header.`);
  }
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const flags = view.getUint8(1);
  const id = view.getFloat64(2, true);
  if (flags & ~allowed) throw new TypeError(`Malformed binary frame: unknown flags ${flags}.`);
  if (!Number.isSafeInteger(id) || id < 0) throw new TypeError(`Malformed binary frame: the id ${id} is not a non-negative integer.`);
  return { type: view.getUint8(0), id, bytes: frame.subarray(BINARY_HEADER_SIZE), more: (flags & MORE_PARTS) !== 0, follows: (flags & BYTES_FOLLOW) !== 0 };
}

/** Encodes one message as one frame: binary (uncopied) when it carries bytes, JSON text otherwise. */
export function encodeFrame(message: readonly unknown[]): string | BinaryParts {
  return carriesBytes(message) ? [binaryHeader(message[0], message[1]), message[2]] : JSON.stringify(message);
}

/**
 * First character of a completion frame (page → host): "!" followed by the official package's
 * completion text `[asyncHandle,succeeded,result]`, as it is. It stands for the message
 * `[EndInvokeJS, asyncHandle, succeeded, thatText]` without wrapping JSON in JSON (no escaping
 * on the page, one parse on the host). Only a completion sent alone takes this form; in a
 * batch it is an ordinary message. No JSON text starts with "!". The Worker transport posts a
 * lone completion the same way, as a string (docs/protocol.md, "Worker transport").
 */
export const COMPLETION_PREFIX = '!';
/** {@link COMPLETION_PREFIX} as the first byte of a frame. */
export const COMPLETION_PREFIX_BYTE = 0x21;

/**
 * First character of a call frame (host → page): "?", the numbers of a BeginInvokeJS message and
 * the identifier's length (in UTF-16 units) in decimal, each followed by a comma, then the
 * identifier and the arguments' JSON as they are:
 *
 *   ?{asyncHandle},{resultType},{targetInstanceId},{callType},{identifierLength},{identifier}{argsJson}
 *
 * `?2,0,0,1,9,benchEcho[42]` stands for `[BeginInvokeJS, 2, "benchEcho", "[42]", 0, 0, 1]`. The
 * arguments' JSON is not escaped inside JSON on the host, and the page hands it to the official
 * package without parsing it first (the package parses it once). Only a call sent alone, to a page
 * that announced it reads call frames, takes this form; in a batch it is an ordinary message. No
 * JSON text starts with "?".
 */
export const CALL_PREFIX = '?';
/** {@link CALL_PREFIX} as a UTF-16 code unit. */
export const CALL_PREFIX_CODE = 0x3f;

/** The header fields of a call frame, in order; the names appear in error messages. */
const CALL_FIELDS = ['asyncHandle', 'resultType', 'targetInstanceId', 'callType', 'identifierLength'] as const;
const COMMA = 0x2c;

/** Encodes a BeginInvokeJS message as a call frame. */
export function encodeCallFrame(message: BeginInvokeJS): string {
  const [, asyncHandle, identifier, argsJson, resultType, targetInstanceId, callType] = message;
  return `${CALL_PREFIX}${asyncHandle},${resultType},${targetInstanceId},${callType},${identifier.length},${identifier}${argsJson}`;
}

/**
 * Reads a call frame back into its BeginInvokeJS message. Throws a TypeError naming what is wrong
 * when the text is not a call frame. The header is read digit by digit: no substring is made for a
 * number, and anything but digits (a sign, an exponent, a space) is refused.
 */
export function decodeCallFrame(text: string): BeginInvokeJS {
  if (text.charCodeAt(0) !== CALL_PREFIX_CODE) throw malformedCall(`it does not start with "${CALL_PREFIX}"`);
  const header = [0, 0, 0, 0, 0];
  let at = 1;
  for (let field = 0; field < header.length; field++) {
    const start = at;
    let value = 0;
    // Past the end charCodeAt is NaN, which is not a digit: a frame cut short is refused here too.
    for (let code = text.charCodeAt(at); code !== COMMA; code = text.charCodeAt(++at)) {
      if (!(code >= 0x30 && code <= 0x39)) throw malformedCall(`${CALL_FIELDS[field]} is not a non-negative integer followed by ","`);
      value = value * 10 + (code - 0x30);
    }
    if (at === start || value > Number.MAX_SAFE_INTEGER) throw malformedCall(`${CALL_FIELDS[field]} is not a non-negative integer followed by ","`);
    header[field] = value;
    at++;
  }
  const end = at + header[4]!;
  if (end > text.length) throw malformedCall(`the identifier of ${header[4]} characters runs past the end of the frame`);
  return [Msg.BeginInvokeJS, header[0]!, text.slice(at, end), text.slice(end), header[1]!, header[2]!, header[3]!];
}

function malformedCall(what: string): TypeError {
  return new TypeError(`Malformed call frame: ${what}.`);
}
