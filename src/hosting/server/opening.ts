/*
 * The first frame of a connection says what it is for: Hello opens a new circuit, Resume
 * reconnects to a retained one. Anything else is refused before any circuit state exists.
 */
import { checkPageControl, Control, type Resume } from '../../protocol/circuit-control.js';
import { checkPageToHost, Msg, type Hello } from '../../protocol/messages.js';

export type Opening = { readonly hello: Hello } | { readonly resume: Resume };

/** Reads the opening frame; throws an Error whose message the page is sent. */
export function readOpening(data: Buffer, isBinary: boolean, maxMessageSize: number): Opening {
  if (isBinary || data.byteLength > maxMessageSize) throw new TypeError('The first message on a connection must be a Hello or Resume text frame.');
  let message: unknown;
  try {
    message = JSON.parse(data.toString());
  } catch {
    throw new TypeError('Malformed message: the first frame is not JSON.');
  }
  if (Array.isArray(message) && message[0] === Msg.Hello) {
    const hello = checkPageToHost(message) as Hello;
    if (hello[3] !== null) throw new TypeError('Malformed Hello message: a page on a server cannot share memory with the host (syncBuffer must be null).');
    return { hello };
  }
  if (Array.isArray(message) && message[0] === Control.Resume) return { resume: checkPageControl(message) as Resume };
  throw new TypeError('The first message on a connection must be Hello (a new circuit) or Resume (a reconnect).');
}
