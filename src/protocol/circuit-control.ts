/*
 * Control messages of the server transport: circuit start and resume, acknowledgements,
 * heartbeats, the end of a circuit and rejections. They sit beside the interop message set
 * (src/protocol/messages.ts, types 0–29) in the range 30–39, are always text frames, and are
 * never numbered or replayed (src/protocol/sequencing.ts): they describe the connection itself.
 */

import { excerpt } from './excerpt.js';

export const Control = {
  /**
   * host → page, answer to Hello: [Started, circuitId, secret, maxMessageSize, heartbeatMs, retentionMs, maxCallSize?, streamWindow?, ackBytes?]
   * (the last three for pages that announced those features; ackBytes: see {@link PageFeature.StreamWindow})
   */
  Started: 30,
  /** page → host, first frame of a reconnect: [Resume, circuitId, secret, receivedCount] */
  Resume: 31,
  /** host → page, answer to Resume: [Resumed, receivedCount] */
  Resumed: 32,
  /** both ways: [Ack, receivedCount] — the sender has received this many interop frames */
  Ack: 33,
  /** host → page, every heartbeat interval: [Heartbeat, receivedCount] (doubles as an ack) */
  Heartbeat: 34,
  /** host → page: the circuit is gone; page → host: the page leaves. [End, reason] */
  End: 35,
  /** host → page: a frame from the page was refused. [Rejected, message] */
  Rejected: 36,
  /**
   * host → page, to a page that announced {@link PageFeature.Drain}: the server is draining and
   * ends the circuit within `deadlineMs`. The page starts no new call from now on (they reject
   * with `reason`, {@link SERVER_DRAINING}) and answers `Drained`. [Draining, deadlineMs, reason]
   */
  Draining: 37,
  /**
   * page → host, the answer to Draining: every call the page started went out before this
   * frame, and it starts no more. [Drained]
   */
  Drained: 38,
} as const;

/**
 * The End reason of a Resume that names a circuit the server does not hold: it ended, it never
 * existed, or the process that held it is gone. The client ends with exactly this text.
 */
export const CIRCUIT_GONE = 'The circuit is gone: it ended, or it never existed. Reload the page to start a new one, or call connectToServer again.';

/** The End reason of a circuit ended because its server is draining (restarting); the client ends with exactly this text. */
export const SERVER_DRAINING = 'The server is restarting: this circuit has ended. Start a new one with connectToServer, or reload the page.';

/**
 * Close codes of a connection the server refused, in WebSocket's application range: 4000 plus
 * the HTTP status the refusal would otherwise have been. A browser hides the HTTP status of a
 * failed upgrade from the page (it sees only close code 1006), so for these refusals the server
 * accepts the upgrade and closes it at once, reading nothing from it, and the page can say why.
 * A wrong path is the one refusal still made in HTTP (404): that path may be another endpoint's.
 */
export const RefusalCode = {
  /** `authenticate(request)` returned no user. */
  Unauthorized: 4401,
  /** The page's origin is not allowed (`allowedOrigins`). */
  Forbidden: 4403,
  /** `authenticate(request)` threw or rejected. */
  AuthenticationFailed: 4500,
  /** No opening frame (Hello or Resume) came within one to two heartbeat periods of the upgrade. */
  RequestTimeout: 4408,
  /** The server holds `maxCircuits` circuits, is draining, or is shutting down. */
  Unavailable: 4503,
} as const;

export type Started = [typeof Control.Started, string, string, number, number, number];
export type Resume = [typeof Control.Resume, string, string, number];
export type Resumed = [typeof Control.Resumed, number];
export type Ack = [typeof Control.Ack, number];
export type Heartbeat = [typeof Control.Heartbeat, number];
export type End = [typeof Control.End, string];
export type Rejected = [typeof Control.Rejected, string];
export type Draining = [typeof Control.Draining, number, string];
export type Drained = [typeof Control.Drained];

/**
 * What a page's client reads beyond the message forms, as bits of a number it appends to its
 * Hello: `[Hello, protocolVersion, pageHelpersId, null, features]`. A Hello without it (an older
 * client) gets the message forms only.
 */
export const PageFeature = {
  /** The page reads call frames (src/protocol/framing.ts). */
  CallFrames: 1,
  /**
   * The page joins text parts and sends its own large messages in parts (splitting.ts); the
   * server then adds its `maxCallSize` to Started: `[Started, …, retentionMs, maxCallSize]`.
   */
  SplitMessages: 2,
  /** The page reads Draining and answers Drained (a graceful drain of the server); an older client just gets the End. */
  Drain: 4,
  /**
   * The page buffers as many chunks of a host stream as the server says, and credits them as
   * they are read: the server adds its stream window (in chunks) to Started after `maxCallSize`:
   * `[Started, …, retentionMs, maxCallSize, streamWindow, ackBytes]`. Without it the window is 16 chunks.
   * `ackBytes` (a server may leave it out): the page acknowledges after that many bytes rather
   * than every 256 KiB (src/protocol/sequencing.ts), so a stream's chunks cost fewer writes on the
   * page; the server keeps it small enough for its replay buffer.
   */
  StreamWindow: 8,
  /** The page reads a stream chunk sent as a header frame and then its bytes as a frame of their own (framing.ts, BYTES_FOLLOW). */
  ChunkFrames: 16,
} as const;

/**
 * What the server reads beyond the message forms, as bits of a number at the end of Started
 * (after `ackBytes`), sent only to a page that announced StreamWindow and ChunkFrames. A Started
 * without it (an older server) means the page sends the message forms only.
 */
export const ServerFeature = {
  /**
   * The server reads a byte array as one header frame with BYTES_FOLLOW and its length, then its
   * bytes as the frames that follow (framing.ts), so the page sends views of the array, uncopied.
   */
  BytesFrames: 1,
} as const;

/** True when a decoded text frame's type is in the control range. */
export const isControl = (type: unknown): boolean => typeof type === 'number' && type >= 30 && type < 40;

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isShortString = (v: unknown): v is string => typeof v === 'string' && v.length <= 256;

/**
 * What a page may send besides interop messages, with argument checks (the page is untrusted).
 * Built by a pure call so that page bundles, which never check these, drop it.
 */
const pageControlShapes: Record<number, { name: string; args: ((v: unknown) => boolean)[] }> = /* @__PURE__ */ (() => ({
  [Control.Resume]: { name: 'Resume', args: [isShortString, isShortString, isCount] },
  [Control.Ack]: { name: 'Ack', args: [isCount] },
  [Control.End]: { name: 'End', args: [isShortString] },
  [Control.Drained]: { name: 'Drained', args: [] },
}))();

/** Checks a control message from the page; throws a TypeError naming the problem. */
export function checkPageControl(message: unknown[]): Resume | Ack | End | Drained {
  const shape = pageControlShapes[message[0] as number];
  if (!shape) throw new TypeError(`Malformed message: a page cannot send control message type ${excerpt(String(JSON.stringify(message[0])))}.`);
  if (message.length !== shape.args.length + 1 || !shape.args.every((ok, i) => ok(message[i + 1]))) {
    throw new TypeError(`Malformed ${shape.name} message: expected [${message[0]}, ${shape.args.length} valid argument(s)].`);
  }
  return message as Resume | Ack | End | Drained;
}
