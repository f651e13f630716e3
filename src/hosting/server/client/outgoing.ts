/*
 * Page → host frames, within the server's limits: a byte array is cut into parts no larger than
 * the server's maximum message size (so large arrays are never refused); a JSON message that is
 * too large is cut into text parts when the server joins them (src/protocol/splitting.ts), up to
 * its `maxCallSize`; beyond that, or with a server that does not join parts, it fails its own
 * call here instead of being sent and refused.
 */
import { byteArrayHeader, COMPLETION_PREFIX, encodeBinary, MORE_PARTS } from '../../../protocol/framing.js';
import * as Msg from '../../../protocol/message-codes.js';
import { TEXT_PART, textParts } from '../../../protocol/splitting.js';
import { type PageToHost } from '../../../protocol/messages.js';

const encoder = /* @__PURE__ */ new TextEncoder();

/**
 * The frames for one page message, given the server's maximum message size and its
 * `maxCallSize` (0: the server joins no text parts). `identifier` names the host's call that an
 * EndInvokeJS answers, for the error when the answer is too large. `bytesFrames`: the server reads
 * a byte array as a header frame with its length and then its bytes (ServerFeature.BytesFrames), so
 * the parts are sent as views of the array, never copied.
 */
export function pageFrames(message: PageToHost, max: number, maxCall = 0, identifier = '', bytesFrames = false): (string | Uint8Array)[] {
  if (message[0] === Msg.SendByteArray) {
    const [type, id, bytes] = message;
    if (bytesFrames) {
      const frames = [byteArrayHeader(type, id, bytes.byteLength)];
      for (let offset = 0; offset < bytes.byteLength; offset += max) frames.push(bytes.subarray(offset, Math.min(offset + max, bytes.byteLength)));
      return frames;
    }
    const frames: Uint8Array[] = [];
    let offset = 0;
    do {
      const end = Math.min(offset + max, bytes.byteLength);
      frames.push(encodeBinary(type, id, bytes.subarray(offset, end), end < bytes.byteLength));
      offset = end;
    } while (offset < bytes.byteLength);
    return frames;
  }
  let text = JSON.stringify(message);
  // UTF-8 takes at most 3 bytes per UTF-16 unit, so only long texts need measuring.
  if (text.length * 3 <= max) return [text];
  let utf8 = encoder.encode(text);
  if (utf8.byteLength <= max) return [text];
  if (maxCall && message[0] === Msg.EndInvokeJS) {
    // A completion in parts goes as a completion frame: the package's text behind "!", not JSON inside JSON.
    utf8 = encoder.encode((text = COMPLETION_PREFIX + message[3]));
  }
  const size = utf8.byteLength;
  if (size <= maxCall) return textParts(utf8, max).map(([header, bytes]) => encodeBinary(TEXT_PART, size, bytes, header[1] === MORE_PARTS));
  const what = message[0] === Msg.EndInvokeJS ? `The result of '${identifier}'` : message[0] === Msg.BeginInvokeDotNet ? `The call to '${message[3]}'${message[2] ? ` on assembly '${message[2]}'` : ''}` : 'The message';
  const error = maxCall
    ? `${what} is ${size} bytes of JSON, more than the server's maxCallSize of ${maxCall} bytes. Send large data as a Uint8Array or a stream.`
    : `The message of ${size} bytes exceeds the server's maximum message size of ${max} bytes. Send large data as a Uint8Array or a stream.`;
  // A JS result too large to send: the host's call fails with the reason instead.
  if (message[0] === Msg.EndInvokeJS) return [JSON.stringify([Msg.EndInvokeJS, message[1], false, JSON.stringify([message[1], false, error])])];
  // A call from the page: throwing here rejects the page's promise (the official package catches it).
  throw new Error(error);
}
