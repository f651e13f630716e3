/*
 * Server options and their defaults. Where Blazor Server has a setting, the default is Blazor's
 * (CircuitOptions, HubOptions); the others are ours and documented in docs/security.md.
 */
import type http from 'node:http';
import type { Circuit } from './circuit.js';
import type { Refusal } from './refusal.js';
import { MAX_TIMER_DELAY } from '../../host/timer-limit.js';
import { ACK_EVERY_BYTES } from '../../protocol/sequencing.js';

/** Options for {@link createInteropServer}. */
export interface ServerOptions {
  /**
   * An existing HTTP server to attach to: WebSocket upgrades on {@link path} become circuits,
   * every other request and upgrade is left to the server's other handlers (Express, Fastify…).
   * Without it, the interop server listens on {@link port} itself.
   */
  readonly server?: http.Server;
  /** Port to listen on when no `server` is given. Default 0 (any free port; see `InteropServer.port`). */
  readonly port?: number;
  /** Address to listen on when no `server` is given. Default '127.0.0.1'. */
  readonly host?: string;
  /**
   * Milliseconds a client has to send the headers of its request (the WebSocket upgrade), counted
   * from when it connected: a connection that sends nothing, or its headers too slowly, is
   * answered 408 and closed. Also the limit for a whole request (Node's `requestTimeout`), since
   * this server serves only upgrades and 404s. Only for the HTTP server the interop server
   * creates (no `server`): on yours, set `headersTimeout` and `requestTimeout` (docs/security.md).
   * Default 10,000; at most 2^31 − 1.
   */
  readonly headersTimeout?: number;
  /**
   * Milliseconds a connection that has not upgraded to a WebSocket may stay silent (no byte either
   * way) before it is closed (Node's `server.timeout`); upgraded connections are watched by the
   * heartbeat instead. Only for the HTTP server the interop server creates (no `server`): on
   * yours, see docs/security.md. Default 30,000; at most 2^31 − 1.
   */
  readonly idleTimeout?: number;
  /**
   * This process's name among the processes serving the same site, put in front of every
   * circuit id (`<nodeName>.<random>`), so that a proxy can route a page's reconnect to the
   * process that holds its circuit: the client adds `circuit=<circuitId>` to the URL of every
   * request that needs the circuit's owner (docs/deploy.md). 1 to 32 letters, digits, `_` or
   * `-`. Default: the environment variable `JSINTEROP_NODE_NAME` (unset or empty: ids carry no
   * name, which is all a single process needs).
   */
  readonly nodeName?: string;
  /** URL path of the WebSocket endpoint. Default '/_jsinterop'. */
  readonly path?: string;
  /**
   * Origins whose pages may open circuits (the `Origin` header of the upgrade request), or '*'
   * for any. Default: same origin only (the Origin's host equals the request's Host header);
   * requests without an Origin (not sent by a browser) are accepted either way.
   */
  readonly allowedOrigins?: readonly string[] | '*';
  /**
   * Authenticates the upgrade request of every connection (a new circuit or a reconnect), e.g.
   * from its session cookie. Return the user (kept as `circuit.opener.user`) or a falsy value to
   * refuse with 401. Default: every request is accepted (`user` is undefined).
   */
  readonly authenticate?: (request: http.IncomingMessage) => unknown;
  /** Circuits alive at once (connected or retained); a Hello beyond it is refused. Default: unlimited. */
  readonly maxCircuits?: number;

  /** Called with every new circuit; a rejection ends that circuit. The `circuit` event and async iteration are alternatives. */
  readonly onCircuit?: (circuit: Circuit) => void | Promise<void>;
  /** Called when a circuit ends, with the reason. */
  readonly onCircuitEnd?: (circuit: Circuit, reason: string) => void;
  /** Called with each message from a page that was refused, and why. Default: ignored. */
  readonly onProtocolError?: (error: Error, circuit: Circuit | undefined) => void;
  /**
   * Called with every connection the server refused: a refused origin, a failed authentication,
   * a full server, a bad opening frame, a Resume of a circuit that is gone, and an upgrade for
   * another path when no other handler of the HTTP server takes it (see {@link Refusal}). The
   * `refused` event is an alternative. Default: ignored.
   */
  readonly onRefused?: (refusal: Refusal) => void;
  /**
   * Called when application code the server runs fails: `onCircuit` (the circuit then ends),
   * `onCircuitEnd`, `onProtocolError`, `onRefused`, or a listener of the server's events.
   * `circuit` is undefined for a refusal's callbacks, which have none. The failure never
   * reaches the socket or timer handler that ran it, so the process and other circuits go on.
   * Default: console.error.
   */
  readonly onError?: (error: unknown, circuit: Circuit | undefined) => void;

  /** Send host exception details to the page (Blazor's `CircuitOptions.DetailedErrors`). Default false. */
  readonly detailedErrors?: boolean;
  /** Milliseconds before a host→JS call rejects (Blazor's `JSInteropDefaultCallTimeout`). Default 60,000. */
  readonly defaultTimeout?: number;
  /** Warn when a JS object reference is garbage-collected without being disposed. Default false. */
  readonly warnOnLeaks?: boolean;

  /** How long a disconnected circuit waits for its page to reconnect (Blazor's `DisconnectedCircuitRetentionPeriod`). Default 180,000 ms; at most 2^31 − 1 (about 24.8 days). */
  readonly disconnectedCircuitRetention?: number;
  /** Disconnected circuits kept at most; the oldest is ended first (Blazor's `DisconnectedCircuitMaxRetained`). Default 100. */
  readonly disconnectedCircuitMaxRetained?: number;
  /**
   * Heartbeat period in ms. Every period the server pings each page (answered by the browser's
   * network stack, so a busy or paused page still answers) and sends a Heartbeat frame the page
   * uses to detect a dead server. A page from which nothing (no frame it accepted, no pong) arrived from one
   * beat to the next is disconnected, one to two periods after its last sign of life (its circuit
   * is retained). Liveness never depends on call deadlines. Default 15,000 (SignalR's keep-alive); at most 2^31 − 1.
   */
  readonly heartbeatInterval?: number;

  /**
   * Largest frame a page may send, in bytes (Blazor's `HubOptions.MaximumReceiveMessageSize`).
   * Default 32,768. Byte arrays, and so the chunks of a page's streams, are sent in parts of
   * this size, so neither is limited by it.
   */
  readonly maxMessageSize?: number;
  /**
   * Beyond Blazor: the largest JSON message a call or a result may be, in UTF-8 bytes, both ways.
   * A message larger than `maxMessageSize` crosses as parts of that size and is joined by its
   * receiver; one larger than this fails its call with an error naming the call, its size and
   * this option. It also bounds the memory a circuit holds for a message still arriving in
   * parts (one at a time). Pages whose client predates split messages get the old behaviour:
   * whole frames to them, nothing over `maxMessageSize` from them. At least `maxMessageSize`,
   * at most `maxUnacknowledgedBytes` (a larger message could never be kept for replay).
   * Default 4 MiB: a quarter of the replay buffer, so a message at the limit leaves room for
   * the traffic around it, and the same as `maxByteArrayBytes`.
   */
  readonly maxCallSize?: number;
  /** Total bytes of the byte arrays of one page message (one call's arguments or one result). Default 4 MiB. */
  readonly maxByteArrayBytes?: number;
  /** Page→host calls running at once in a circuit; more are refused with an error. Default 1,000. */
  readonly maxPendingCallsFromPage?: number;
  /** Host→JS calls waiting for the page at once in a circuit; more reject at once. Default 10,000. */
  readonly maxPendingCalls?: number;
  /** Host objects a circuit's page can reach at once; sending one more fails that call. Default 10,000. */
  readonly maxHostObjectReferences?: number;
  /**
   * Bytes the server keeps for replay (sent and not yet acknowledged by the page, or sent while
   * it is disconnected). Beyond this the circuit ends. Default 16 MiB.
   */
  readonly maxUnacknowledgedBytes?: number;
  /**
   * Stream chunk size in bytes, both ways. Host→JS (`HostStreamReference`): a larger piece of the
   * source is cut, a smaller one goes as it is. JS→host (`IJSStreamReference.openReadStream`):
   * each chunk is one call to the page, whose answer crosses in parts of `maxMessageSize` as any
   * byte array does, so `maxMessageSize` does not limit it (`maxByteArrayBytes` does). Each chunk
   * costs a message or a call, so larger chunks move more bytes for the same work. At most half
   * of `streamWindowBytes`. Default 256 KiB (Blazor uses 32 KiB, its message size).
   */
  readonly streamChunkSize?: number;
  /**
   * Beyond Blazor: bytes of a host stream (`HostStreamReference`) the server sends ahead of what
   * the page has read, in chunks of `streamChunkSize` (rounded down, at least 2): a source
   * whose pieces are smaller has fewer bytes in flight, never more. The page learns it when its
   * circuit starts and grants credit as it reads, so each stream holds at most this much in flight
   * (in the replay buffer and the page's queue). Larger keeps a fast link busy; a stream's
   * throughput is about this window per round trip. At most half of `maxUnacknowledgedBytes`.
   * Default 4 MiB (a quarter of the default replay buffer), or a quarter of a smaller `maxUnacknowledgedBytes`.
   * The page acknowledges what it received with each credit, and otherwise after this many bytes
   * (at most a quarter of `maxUnacknowledgedBytes`), so a stream costs the page few writes.
   */
  readonly streamWindowBytes?: number;
  /**
   * Beyond Blazor: bytes of a page stream (`IJSStreamReference.openReadStream`) requested ahead
   * of the host's reader, in calls of one chunk each. Each chunk is a round trip, so this is what
   * keeps the socket busy; the host holds at most this much read ahead per stream. Default 4 MiB.
   */
  readonly streamReadAheadBytes?: number;
  /**
   * Bytes written to a page that it has not read yet (its connection's send buffer) beyond which
   * the server stops reading that page's frames until the buffer has drained: a page that stops
   * reading cannot make the server answer it without end. While reads are paused only a page that
   * is draining the buffer counts as alive; one that is not is dropped by the heartbeat.
   * Default 1 MiB (Blazor Server's transport buffers 64 KB: SignalR's `TransportMaxBufferSize`).
   */
  readonly maxOutputBufferBytes?: number;
  /**
   * Frames a page may send that the server has to refuse (malformed, or over a limit), within
   * {@link protocolErrorWindow}; one more ends its circuit and closes the connection with code
   * 1008. Each refused frame is answered with a short `Rejected` until then. The official client
   * sends none. Default 100.
   */
  readonly maxProtocolErrors?: number;
  /** The window of {@link maxProtocolErrors}, in ms, from the first refused frame counted. Default 10,000. */
  readonly protocolErrorWindow?: number;
}

/** Every limit and period, resolved. */
export interface Settings {
  readonly path: string;
  readonly nodeName: string | undefined;
  readonly headersTimeout: number;
  readonly idleTimeout: number;
  readonly maxCircuits: number;
  readonly detailedErrors: boolean;
  readonly defaultTimeout: number;
  readonly warnOnLeaks: boolean;
  readonly retention: number;
  readonly maxRetained: number;
  readonly heartbeatInterval: number;
  readonly maxMessageSize: number;
  readonly maxCallSize: number;
  readonly maxByteArrayBytes: number;
  readonly maxPendingCallsFromPage: number;
  readonly maxPendingCalls: number;
  readonly maxHostObjectReferences: number;
  readonly maxUnacknowledgedBytes: number;
  readonly streamChunkSize: number;
  /** Chunks of a host stream in flight before the server waits for the page's credit (`streamWindowBytes` / `streamChunkSize`). */
  readonly streamWindow: number;
  /**
   * Bytes a page that reads host streams receives between acknowledgements of their own (told in
   * Started; it also acknowledges with each stream credit, every half window while a stream is
   * read): the stream window, at least 256 KiB (sequencing.ts) and at most a quarter of the replay
   * buffer, so that a window and a late ack (at most half and a quarter of it) leave room for the
   * traffic around them.
   */
  readonly pageAckBytes: number;
  readonly streamReadAheadBytes: number;
  readonly maxOutputBufferBytes: number;
  readonly maxProtocolErrors: number;
  readonly protocolErrorWindow: number;
}

/** The default host stream window: see {@link ServerOptions.streamWindowBytes} (docs/benchmarks.md, "Streams"). */
export const DEFAULT_STREAM_WINDOW_BYTES = 4 * 1024 * 1024;

/** Blazor's text for calls on a circuit that is gone (`RemoteJSRuntime`): the host's pending and later calls reject with it. */
export const CIRCUIT_DISCONNECTED =
  'JavaScript interop calls cannot be issued at this time. This is because the circuit has disconnected and is being disposed.';

/** What a node name may be: it is the text before the first dot of a circuit id, in URLs and proxy maps. */
const NODE_NAME = /^[A-Za-z0-9_-]{1,32}$/;

function nodeName(option: string | undefined): string | undefined {
  const fromEnv = option === undefined;
  const name = fromEnv ? process.env.JSINTEROP_NODE_NAME || undefined : option;
  if (name === undefined || NODE_NAME.test(name)) return name;
  const source = fromEnv ? 'the environment variable JSINTEROP_NODE_NAME' : "'nodeName'";
  throw new TypeError(`createInteropServer: ${source} must match ${NODE_NAME} (1 to 32 letters, digits, '_' or '-': it starts every circuit id and a proxy routes on it), got ${JSON.stringify(name)}.`);
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!(value > 0)) throw new RangeError(`createInteropServer: '${name}' must be a positive number, got ${value}.`);
  return value;
}

/** A period a timer waits for: positive, and no longer than a timer can wait. */
function period(name: string, value: number | undefined, fallback: number): number {
  const ms = positive(name, value, fallback);
  if (ms > MAX_TIMER_DELAY) throw new RangeError(`createInteropServer: '${name}' must be at most ${MAX_TIMER_DELAY} ms (about 24.8 days, the longest a timer can wait), got ${ms}.`);
  return ms;
}

export function resolveSettings(options: ServerOptions): Settings {
  const path = options.path ?? '/_jsinterop';
  if (!path.startsWith('/')) throw new TypeError(`createInteropServer: 'path' must start with '/', got '${path}'.`);
  const maxMessageSize = positive('maxMessageSize', options.maxMessageSize, 32 * 1024);
  if (maxMessageSize < 1024) throw new RangeError('createInteropServer: \'maxMessageSize\' must be at least 1 KB.');
  for (const name of ['headersTimeout', 'idleTimeout'] as const) {
    if (options.server && options[name] !== undefined) {
      // Silently ignoring it would leave the application believing its server has the timeout.
      throw new TypeError(`createInteropServer: '${name}' applies only to the HTTP server the interop server creates; set the timeouts on your own server (docs/security.md, "Idle connections").`);
    }
  }
  const maxUnacknowledgedBytes = positive('maxUnacknowledgedBytes', options.maxUnacknowledgedBytes, 16 * 1024 * 1024);
  // The default follows a smaller replay buffer down (never below one frame); a value given must fit between the two.
  const maxCallSize = positive('maxCallSize', options.maxCallSize, Math.max(maxMessageSize, Math.min(4 * 1024 * 1024, maxUnacknowledgedBytes)));
  if (options.maxCallSize !== undefined && (maxCallSize < maxMessageSize || maxCallSize > maxUnacknowledgedBytes)) {
    throw new RangeError(`createInteropServer: 'maxCallSize' must be between 'maxMessageSize' (${maxMessageSize}) and 'maxUnacknowledgedBytes' (${maxUnacknowledgedBytes}), got ${maxCallSize}.`);
  }
  const streamWindowBytes = positive('streamWindowBytes', options.streamWindowBytes, Math.min(DEFAULT_STREAM_WINDOW_BYTES, maxUnacknowledgedBytes / 4));
  if (options.streamWindowBytes !== undefined && streamWindowBytes > maxUnacknowledgedBytes / 2) {
    // A window the replay buffer cannot hold would end the circuit of a page that reads slowly.
    throw new RangeError(`createInteropServer: 'streamWindowBytes' must be at most half of 'maxUnacknowledgedBytes' (${maxUnacknowledgedBytes / 2}), got ${streamWindowBytes}.`);
  }
  const maxByteArrayBytes = positive('maxByteArrayBytes', options.maxByteArrayBytes, 4 * 1024 * 1024);
  const streamChunkSize = Math.min(positive('streamChunkSize', options.streamChunkSize, 256 * 1024), maxByteArrayBytes, Math.floor(streamWindowBytes / 2));
  const streamWindow = Math.max(2, Math.floor(streamWindowBytes / streamChunkSize));
  return {
    path,
    nodeName: nodeName(options.nodeName),
    headersTimeout: period('headersTimeout', options.headersTimeout, 10_000),
    idleTimeout: period('idleTimeout', options.idleTimeout, 30_000),
    maxCircuits: positive('maxCircuits', options.maxCircuits, Infinity),
    detailedErrors: options.detailedErrors ?? false,
    defaultTimeout: positive('defaultTimeout', options.defaultTimeout, 60_000),
    warnOnLeaks: options.warnOnLeaks ?? false,
    retention: period('disconnectedCircuitRetention', options.disconnectedCircuitRetention, 180_000),
    maxRetained: positive('disconnectedCircuitMaxRetained', options.disconnectedCircuitMaxRetained, 100),
    heartbeatInterval: period('heartbeatInterval', options.heartbeatInterval, 15_000),
    maxMessageSize,
    maxCallSize,
    maxByteArrayBytes,
    maxPendingCallsFromPage: positive('maxPendingCallsFromPage', options.maxPendingCallsFromPage, 1_000),
    maxPendingCalls: positive('maxPendingCalls', options.maxPendingCalls, 10_000),
    maxHostObjectReferences: positive('maxHostObjectReferences', options.maxHostObjectReferences, 10_000),
    maxUnacknowledgedBytes,
    streamChunkSize,
    streamWindow,
    pageAckBytes: Math.max(ACK_EVERY_BYTES, Math.min(streamWindow * streamChunkSize, Math.floor(maxUnacknowledgedBytes / 4))),
    streamReadAheadBytes: positive('streamReadAheadBytes', options.streamReadAheadBytes, 4 * 1024 * 1024),
    maxOutputBufferBytes: positive('maxOutputBufferBytes', options.maxOutputBufferBytes, 1024 * 1024),
    maxProtocolErrors: positive('maxProtocolErrors', options.maxProtocolErrors, 100),
    protocolErrorWindow: positive('protocolErrorWindow', options.protocolErrorWindow, 10_000),
  };
}
