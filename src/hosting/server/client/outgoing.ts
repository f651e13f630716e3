/*
 * Page → host frames, within the server's limits: a byte array is cut into parts no larger than
 * the server's maximum message size (so large arrays are never refused), and a JSON message
 * that is too large fails its own call here instead of being sent and refused.
 */
import { encodeBinary } from '../../../protocol/framing.js';
import * as Msg from '../../../protocol/message-codes.js';
import { type PageToHost } from '../../../protocol/messages.js';

const encoder = /* @__PURE__ */ new TextEncoder();

/** The frames for one page message, given the server's maximum message size. */
export function pageFrames(message: PageToHost, max: number): (string | Uint8Array)[] {
  if (message[0] === Msg.SendByteArray) {
    const [type, id, bytes] = message;
    const frames: Uint8Array[] = [];
    let offset = 0;
    do {
      const end = Math.min(offset + max, bytes.byteLength);
      frames.push(encodeBinary(type, id, bytes.subarray(offset, end), end < bytes.byteLength));
      offset = end;
    } while (offset < bytes.byteLength);
    return frames;
  }
  const text = JSON.stringify(message);
  // UTF-8 takes at most 3 bytes per UTF-16 unit, so only long texts need measuring.
  if (text.length * 3 <= max) return [text];
  const size = encoder.encode(text).byteLength;
  if (size <= max) return [text];
  const error = `The message of ${size} bytes exceeds the server's maximum message size of ${max} bytes. Send large data as a Uint8Array or a stream.`;
  // A JS result too large to send: the host's call fails with the reason instead.
  if (message[0] === Msg.EndInvokeJS) return [JSON.stringify([Msg.EndInvokeJS, message[1], false, JSON.stringify([message[1], false, error])])];
  // A call from the page: throwing here rejects the page's promise (the official package catches it).
  throw new Error(error);
}
