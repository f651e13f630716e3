/*
 * The first frame of a connection says what it is for: Hello opens a new circuit, Resume
 * reconnects to a retained one. Anything else is refused before any circuit state exists.
 */
import { checkPageControl, Control, PageFeature, type Resume } from '../../protocol/circuit-control.js';
import * as Msg from '../../protocol/message-codes.js';
import { checkPageToHost, type Hello } from '../../protocol/messages.js';
import { checkProtocolVersion } from '../messaging/message-host.js';

/** A Hello: a page asks for a new circuit. */
export interface CircuitRequest {
  readonly hello: Hello;
  /** The page's client reads call frames (it said so in its Hello). */
  readonly readsCallFrames: boolean;
  /** The page's client joins text parts and splits its own large messages (it said so in its Hello). */
  readonly splitsMessages: boolean;
  /** The page's client answers Draining with Drained (it said so in its Hello). */
  readonly drains: boolean;
  /** The page's client takes the server's stream window from Started (it said so in its Hello). */
  readonly takesStreamWindow: boolean;
  /** The page's client reads a stream chunk's bytes as the frame after its header (it said so in its Hello). */
  readonly readsChunkFrames: boolean;
}

/** What a page's client said it can do, beyond the message forms. */
export type PageFeatures = Omit<CircuitRequest, 'hello'>;

export type Opening = CircuitRequest | { readonly resume: Resume };

/**
 * Reads the opening frame; throws an Error whose message the page is sent. Every such message
 * describes what the page sent (its own doing), so it is sent with or without `detailedErrors`;
 * anything that fails after this is the host's, and redacted.
 */
export function readOpening(data: Buffer, isBinary: boolean, maxMessageSize: number): Opening {
  if (isBinary || data.byteLength > maxMessageSize) throw new TypeError('The first message on a connection must be a Hello or Resume text frame.');
  let message: unknown;
  try {
    message = JSON.parse(data.toString());
  } catch {
    throw new TypeError('Malformed message: the first frame is not JSON.');
  }
  if (Array.isArray(message) && message[0] === Msg.Hello) {
    // The client's features follow the Hello's own arguments; an older client sends none.
    const features: unknown = message.length === 5 ? message.pop() : 0;
    if (typeof features !== 'number' || !Number.isSafeInteger(features) || features < 0) {
      throw new TypeError('Malformed Hello message: the features after its arguments must be a non-negative integer.');
    }
    const hello = checkPageToHost(message) as Hello;
    checkProtocolVersion(hello);
    if (hello[3] !== null) throw new TypeError('Malformed Hello message: a page on a server cannot share memory with the host (syncBuffer must be null).');
    return {
      hello,
      readsCallFrames: (features & PageFeature.CallFrames) !== 0,
      splitsMessages: (features & PageFeature.SplitMessages) !== 0,
      takesStreamWindow: (features & PageFeature.StreamWindow) !== 0,
      drains: (features & PageFeature.Drain) !== 0,
      readsChunkFrames: (features & PageFeature.ChunkFrames) !== 0,
    };
  }
  if (Array.isArray(message) && message[0] === Control.Resume) return { resume: checkPageControl(message) as Resume };
  throw new TypeError('The first message on a connection must be Hello (a new circuit) or Resume (a reconnect).');
}
