/*
 * How protocol messages travel as WebSocket frames (server hosting). A message that carries
 * bytes ([type, id, Uint8Array]: ReceiveByteArray, StreamChunk, SendByteArray) becomes a binary
 * frame, so byte arrays are never base64 or JSON numbers; every other message is a text frame
 * holding its JSON array. See docs/protocol.md, "Server transport".
 *
 * Binary frame layout (little-endian):
 *   byte 0      message type
 *   byte 1      flags: bit 0 set = more parts of this byte array follow (page → host only)
 *   bytes 2–9   id, a float64 (every safe integer is exact)
 *   bytes 10–   the bytes
 */

/** Bytes in front of the payload of a binary frame. */
export const BINARY_HEADER_SIZE = 10;

/** Flag bit: this frame is one part of a byte array larger than one frame; more parts follow. */
export const MORE_PARTS = 1;

/** A decoded binary frame. */
export interface BinaryFrame {
  readonly type: number;
  readonly id: number;
  readonly bytes: Uint8Array;
  /** True when more parts of the same byte array follow. */
  readonly more: boolean;
}

/** The 10-byte header of a binary frame. */
export function binaryHeader(type: number, id: number, more = false, into = new Uint8Array(BINARY_HEADER_SIZE)): Uint8Array {
  const view = new DataView(into.buffer, into.byteOffset, BINARY_HEADER_SIZE);
  view.setUint8(0, type);
  view.setUint8(1, more ? MORE_PARTS : 0);
  view.setFloat64(2, id, true);
  return into;
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
 */
export function decodeBinary(frame: Uint8Array): BinaryFrame {
  if (frame.byteLength < BINARY_HEADER_SIZE) {
    throw new TypeError(`Malformed binary frame: ${frame.byteLength} bytes is shorter than the ${BINARY_HEADER_SIZE}-byte header.`);
  }
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const flags = view.getUint8(1);
  const id = view.getFloat64(2, true);
  if (flags & ~MORE_PARTS) throw new TypeError(`Malformed binary frame: unknown flags ${flags}.`);
  if (!Number.isSafeInteger(id) || id < 0) throw new TypeError(`Malformed binary frame: the id ${id} is not a non-negative integer.`);
  return { type: view.getUint8(0), id, bytes: frame.subarray(BINARY_HEADER_SIZE), more: flags === MORE_PARTS };
}

/** True for a message of the shape [type, id, Uint8Array], which travels as a binary frame. */
export function carriesBytes(message: readonly unknown[]): message is [number, number, Uint8Array] {
  return message.length === 3 && message[2] instanceof Uint8Array;
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
 * batch it is an ordinary message. No JSON text starts with "!".
 */
export const COMPLETION_PREFIX = '!';
/** {@link COMPLETION_PREFIX} as the first byte of a frame. */
export const COMPLETION_PREFIX_BYTE = 0x21;
