/*
 * Support for server hosting tests: a live interop server on loopback, simulated pages (each a
 * fresh instance of the official package, connected with the real client over `ws`'s WebSocket,
 * since Node 20 has no global one), and raw connections that speak the wire protocol by hand
 * for the tests where the page misbehaves.
 */
import '../../../src/page/node-globals.js';
import { once } from 'node:events';
import http from 'node:http';
import { WebSocket } from 'ws';
import { createInteropServer, type Circuit, type InteropServer, type ServerOptions } from '../../../src/server.js';
import { connectToServer, type ConnectOptions, type ServerConnection } from '../../../src/server-client.js';
import { Control } from '../../../src/protocol/circuit-control.js';
import { CALL_PREFIX, decodeCallFrame } from '../../../src/protocol/framing.js';
import * as Msg from '../../../src/protocol/message-codes.js';
import { PROTOCOL_VERSION } from '../../../src/protocol/messages.js';
import { freshDotNet, resolveReleasesOnOwnInstance } from '../../support/page.js';
import type { DotNetNamespace } from '../../../src/page/official-package.js';
import type { TestContext } from 'node:test';

export { deferred, patternBytes, readAll } from '../../support/page.js';

/** Starts a server on 127.0.0.1 that is closed when the test ends. */
/** A ws:// URL on a loopback port that was just free: nothing listens there. */
export async function urlNothingListensAt(): Promise<string> {
  const closed = http.createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const url = `ws://127.0.0.1:${(closed.address() as { port: number }).port}/_jsinterop`;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  return url;
}

export async function startServer(t: TestContext, options: ServerOptions = {}): Promise<InteropServer> {
  const server = await createInteropServer(options);
  t.after(() => server.close());
  return server;
}

export interface SimulatedPage {
  readonly DotNet: DotNetNamespace;
  readonly connection: ServerConnection;
  /** The host side of this page's circuit. */
  readonly circuit: Circuit;
}

/**
 * Opens a page on `server`: a fresh package instance, connected; closed when the test ends.
 * `WebSocket` defaults to `ws`'s (a {@link SocketWatch}'s class watches the client's sockets).
 */
export async function openPage(
  t: TestContext,
  server: InteropServer,
  options: Omit<ConnectOptions, 'DotNet'> & { url?: string } = {},
): Promise<SimulatedPage> {
  const DotNet = await freshDotNet();
  resolveReleasesOnOwnInstance(DotNet);
  const connection = await connectToServer(options.url ?? server.url, { WebSocket: WebSocket as any, ...options, DotNet });
  t.after(() => connection.close());
  const circuit = server.circuit(connection.circuitId);
  if (!circuit) throw new Error('the server does not know the circuit the page connected to');
  return { DotNet, connection, circuit };
}

/** Defines page globals (`window.name`) for the duration of the test. Pages share `globalThis` in Node. */
export function definePageGlobals(t: TestContext, globals: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(globals)) {
    if (name in globalThis) throw new Error(`the page global '${name}' already exists`);
    (globalThis as any)[name] = value;
  }
  t.after(() => {
    for (const name of Object.keys(globals)) delete (globalThis as any)[name];
  });
}

/**
 * The WebSocket class for one page's client (pass `watch.WebSocket` to openPage): `ws`'s own,
 * unchanged, with what the client does to its sockets made observable, since the client keeps
 * its sockets to itself. Each socket the client opens is one connection attempt.
 */
export class SocketWatch {
  /** Sockets the client opened so far (the first connection, every reconnect attempt, a goodbye). */
  readonly sockets: WebSocket[] = [];
  readonly WebSocket: NonNullable<ConnectOptions['WebSocket']>;
  #heartbeatWaiters: (() => void)[] = [];
  #closeWaiters = new Map<WebSocket, (() => void)[]>();

  constructor() {
    const watch = this;
    this.WebSocket = class WatchedWebSocket extends WebSocket {
      constructor(url: string) {
        super(url);
        watch.#opened(this);
      }
    } as any; // ws's WebSocket, which the DOM type describes closely enough for the client
  }

  #opened(socket: WebSocket): void {
    this.sockets.push(socket);
    // Registered before the client's own handlers, so a waiter resumes (in a microtask) after
    // the client has handled the same event: the client's Ack or its next attempt is already under way.
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary || !data.toString('utf8', 0, 4).startsWith(`[${Control.Heartbeat},`)) return;
      for (const resolve of this.#heartbeatWaiters.splice(0)) resolve();
    });
    socket.on('close', () => {
      for (const resolve of this.#closeWaiters.get(socket) ?? []) resolve();
      this.#closeWaiters.delete(socket);
    });
  }

  /** Resolves after the client has handled the next Heartbeat frame from the server. */
  nextHeartbeat(): Promise<void> {
    return new Promise((resolve) => this.#heartbeatWaiters.push(resolve));
  }

  /** Resolves after the client has handled the close of `socket` (at once if it is closed already). */
  closed(socket: WebSocket): Promise<void> {
    if (socket.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      const waiters = this.#closeWaiters.get(socket) ?? [];
      waiters.push(resolve);
      this.#closeWaiters.set(socket, waiters);
    });
  }
}

/** Records a connection's states (pass `log.onStateChange` to openPage) and waits for the next one. */
export class StateLog {
  readonly states: string[] = [];
  #waiters: { state: string; resolve: () => void }[] = [];
  readonly onStateChange = (state: string): void => {
    this.states.push(state);
    for (const waiter of this.#waiters.filter((w) => w.state === state)) {
      this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  };

  /** Resolves the next time the connection enters `state`. */
  next(state: string): Promise<void> {
    return new Promise((resolve) => this.#waiters.push({ state, resolve }));
  }
}

/**
 * A connection that speaks the protocol by hand, as a hostile or buggy page would. Collects
 * every frame the server sends, decoded, and lets a test wait for the next one that matches.
 */
export class RawPage {
  /** Every message received, in order (the messages of a batch frame one by one, a call frame as its message). */
  readonly frames: unknown[] = [];
  /** Every text frame received, as it came. */
  readonly texts: string[] = [];
  #waiters: { match: (frame: any) => boolean; resolve: (frame: any) => void }[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      const text = isBinary ? undefined : data.toString();
      if (text !== undefined) this.texts.push(text);
      const value = text === undefined ? { binary: new Uint8Array(data) } : text.startsWith(CALL_PREFIX) ? decodeCallFrame(text) : JSON.parse(text);
      // A batch frame carries several messages; tests look at messages.
      for (const frame of Array.isArray(value) && Array.isArray(value[0]) ? value : [value]) {
        this.frames.push(frame);
        for (const waiter of [...this.#waiters]) {
          if (waiter.match(frame)) {
            this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
            waiter.resolve(frame);
          }
        }
      }
    });
    socket.on('error', () => {});
    this.closed = new Promise((resolve) => socket.once('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() })));
  }

  /**
   * Opens a connection; `hello` (default true) sends a Hello and waits for Started. With
   * `features`, the Hello announces them as the real client does (PageFeature bits). With
   * `autoPong: false` the connection answers no ping, like a page whose network is gone.
   */
  static async open(t: TestContext, url: string, options: { hello?: boolean; features?: number; headers?: Record<string, string>; autoPong?: boolean } = {}): Promise<RawPage> {
    const socket = new WebSocket(url, { headers: options.headers, autoPong: options.autoPong ?? true });
    const page = new RawPage(socket);
    t.after(() => socket.terminate());
    await once(socket, 'open');
    if (options.hello !== false) {
      const started = page.next((f) => Array.isArray(f) && f[0] === Control.Started);
      page.send(options.features === undefined ? [Msg.Hello, PROTOCOL_VERSION, 0, null] : [Msg.Hello, PROTOCOL_VERSION, 0, null, options.features]);
      page.started = await started;
    }
    return page;
  }

  /** The Started frame: [30, circuitId, secret, maxMessageSize, heartbeatMs, retentionMs]. */
  started: any[] = [];

  /** Sends a JSON value as a text frame, or bytes as a binary frame. */
  send(value: unknown): void {
    this.socket.send(value instanceof Uint8Array ? value : typeof value === 'string' ? value : JSON.stringify(value));
  }

  /** The first frame from index `from` on (received already, or still to come) for which `match` holds. */
  next(match: (frame: any) => boolean, from = 0): Promise<any> {
    const seen = this.frames.slice(from).find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve) => this.#waiters.push({ match, resolve }));
  }
}

/** True for a Rejected control frame. */
export const isRejected = (frame: unknown): boolean => Array.isArray(frame) && frame[0] === Control.Rejected;
