/*
 * The WebSocket endpoint of server hosting. It mounts on an http.Server's upgrade event (only
 * for its own path, so it sits beside other WebSocket endpoints; which upgrades it accepts is
 * upgrade-gate.ts), reads each connection's opening frame, and starts or resumes circuits. It
 * also answers one HTTP path, the pages' disconnect beacons (disconnect-beacon.ts), in front of
 * the server's other request listeners (request-front.ts). One timer per server drives every
 * circuit's heartbeat, in slices of the period (heartbeat-slices.ts), so an idle circuit costs no
 * timer of its own. Its drain is
 * server-drain.ts; how it refuses a connection, refusing.ts.
 */
import { EventEmitter } from 'node:events';
import type http from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { CIRCUIT_GONE, RefusalCode, SERVER_DRAINING } from '../../protocol/circuit-control.js';
import { BINARY_HEADER_SIZE } from '../../protocol/framing.js';
import { Circuit, type CircuitEvents, type CircuitOrigin } from './circuit.js';
import { CircuitQueue } from './circuit-queue.js';
import { CircuitRegistry } from './circuit-registry.js';
import { newCircuitIdentity, secretMatches } from './circuit-secret.js';
import { answerBeacon, beaconPath, PAGE_CLOSED, type BeaconHandling } from './disconnect-beacon.js';
import { createHttpServer } from './http-server.js';
import { readOpening, type CircuitRequest } from './opening.js';
import { circuitParams, refusal, requestPath, type Refusal } from './refusal.js';
import { frontRequests } from './request-front.js';
import { RefusedConnections, refuseConnection } from './refusing.js';
import { ServerDrain } from './server-drain.js';
import { UpgradeGate } from './upgrade-gate.js';
import { HeartbeatSlices } from './heartbeat-slices.js';
import { resolveSettings, type ServerOptions, type Settings } from './options.js';
import { errorText, REDACTED_CIRCUIT_ERROR } from '../../host/redaction.js';
import { MAX_TIMER_DELAY } from '../../host/timer-limit.js';

/** Counts for monitoring and tests. */
export interface ServerStats {
  /** Circuits alive (connected or waiting for their page). */
  readonly circuits: number;
  readonly connected: number;
  /** Disconnected circuits retained for a reconnect. */
  readonly disconnected: number;
  /** Connections that have not sent their opening frame yet. */
  readonly opening: number;
  /** True once `drain()` was called: the server takes no new circuit. */
  readonly draining: boolean;
}

/** Options for {@link InteropServer.drain}. */
export interface DrainOptions {
  /** Milliseconds the circuits have to finish their calls; those still open then end. Default 30,000. */
  readonly deadline?: number;
}

export interface InteropServerEvents {
  /** A page opened a new circuit. */
  circuit: [circuit: Circuit];
  /** A circuit lost its connection; it is retained for the page to reconnect (Blazor's OnConnectionDown). */
  connectionDown: [circuit: Circuit];
  /** A retained circuit's page reconnected and the circuit resumed (Blazor's OnConnectionUp). */
  connectionUp: [circuit: Circuit];
  /** A circuit ended, for the reason given. */
  circuitEnd: [circuit: Circuit, reason: string];
  /** A connection was refused (a wrong origin, authentication, a full server…): see {@link Refusal}. */
  refused: [refusal: Refusal];
}

const noop = (): void => {};

/** A connection that has not sent its opening frame yet. */
interface Opening {
  /** Heartbeats seen while waiting. */
  beats: number;
  readonly request: http.IncomingMessage;
  /** The listener waiting for the opening frame, taken off when the wait is over. */
  readonly onMessage: (data: Buffer, isBinary: boolean) => void;
}

/** The close reason of a connection that sent no opening frame in time (close code {@link RefusalCode.RequestTimeout}). */
const NO_OPENING_REASON = 'no Hello or Resume in time';

/**
 * Serves circuits over WebSocket. Create it with {@link createInteropServer}; get circuits from
 * `onCircuit`, the `circuit` event, or `for await (const circuit of server)`.
 */
export class InteropServer extends EventEmitter<InteropServerEvents> implements AsyncIterable<Circuit> {
  /** The HTTP server carrying the endpoint (yours, or the one the interop server created). */
  readonly httpServer: http.Server;
  readonly #ownsServer: boolean;
  readonly #options: ServerOptions;
  readonly #settings: Settings;
  readonly #wss: WebSocketServer;
  readonly #registry: CircuitRegistry;
  readonly #opening = new Map<WebSocket, Opening>();
  readonly #refusing: RefusedConnections;
  readonly #queues = new Set<CircuitQueue>();
  readonly #heartbeats: HeartbeatSlices<Circuit>;
  readonly #circuitEvents: CircuitEvents;
  readonly #beaconPath: string;
  readonly #beacons: BeaconHandling;
  /** Puts the HTTP server's request listeners back as they were. */
  readonly #restoreRequests: () => void;
  readonly #drain: ServerDrain;
  readonly #upgrades: UpgradeGate;
  #closed = false;

  /** @internal Use {@link createInteropServer}. */
  constructor(options: ServerOptions) {
    super();
    this.#options = options;
    this.#settings = resolveSettings(options);
    this.#ownsServer = !options.server;
    this.httpServer = options.server ?? createHttpServer(this.#settings);
    this.#registry = new CircuitRegistry(this.#settings.retention, this.#settings.maxRetained);
    // ws enforces a hard ceiling (4 frames' worth) and closes the connection beyond it; frames
    // between the limit and the ceiling are refused one by one, with an answer (see incoming.ts).
    this.#wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      perMessageDeflate: false,
      maxPayload: 4 * (this.#settings.maxMessageSize + BINARY_HEADER_SIZE),
    });
    this.#refusing = new RefusedConnections(this.#wss);
    this.#drain = new ServerDrain(this.#registry);
    this.#upgrades = new UpgradeGate(this.#settings.path, this.httpServer, options, this.#wss, this.#refusing, {
      closed: () => this.#closed,
      draining: () => this.#drain.drained !== undefined,
      open: (ws, request, user) => this.#open(ws, request, user),
      refused: (found) => this.#refused(found),
    });
    this.httpServer.on('upgrade', this.#upgrades.handle);
    this.#beaconPath = beaconPath(this.#settings.path);
    this.#beacons = {
      allowedOrigins: options.allowedOrigins,
      end: (id, secret) => {
        const circuit = this.#registry.get(id);
        if (!circuit || !secretMatches(circuit.identity.secret, secret)) return false;
        circuit.end(PAGE_CLOSED);
        return true;
      },
      refused: (found) => this.#refused(found),
    };
    this.#restoreRequests = frontRequests(this.httpServer, (request, response) => {
      if (requestPath(request) !== this.#beaconPath) return false;
      answerBeacon(request, response, this.#beacons);
      return true;
    });
    this.#heartbeats = new HeartbeatSlices(this.#settings.heartbeatInterval, this.#closeSilentOpenings);
    this.#circuitEvents = {
      disconnected: (circuit) => {
        this.#registry.retain(circuit);
        this.#guard(circuit, () => this.emit('connectionDown', circuit));
      },
      ended: (circuit, reason) => {
        this.#registry.remove(circuit);
        this.#heartbeats.remove(circuit);
        this.#guard(circuit, () => this.#options.onCircuitEnd?.(circuit, reason));
        this.#guard(circuit, () => this.emit('circuitEnd', circuit, reason));
        this.#drain.circuitEnded();
      },
      protocolError: (error, circuit) => this.#guard(circuit, () => this.#options.onProtocolError?.(error, circuit)),
    };
  }

  /** Tells the application (onRefused, then the `refused` event), guarded like every callback. */
  #refused(found: Refusal): void {
    this.#guard(undefined, () => this.#options.onRefused?.(found));
    this.#guard(undefined, () => this.emit('refused', found));
  }

  /** This process's node name, the text before the first dot of its circuit ids (`nodeName` option, or `JSINTEROP_NODE_NAME`). */
  get nodeName(): string | undefined {
    return this.#settings.nodeName;
  }

  /** The WebSocket endpoint's path. */
  get path(): string {
    return this.#settings.path;
  }

  /** The port the HTTP server listens on (0 before it listens). */
  get port(): number {
    const address = this.httpServer.address();
    return address && typeof address === 'object' ? address.port : 0;
  }

  /** `ws://host:port/path` of the endpoint, for a server listening on an IP address. */
  get url(): string {
    const address = this.httpServer.address();
    if (!address || typeof address !== 'object') throw new Error('The HTTP server is not listening yet.');
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `ws://${host}:${address.port}${this.#settings.path}`;
  }

  /** The circuit with this id, if it is alive. */
  circuit(id: string): Circuit | undefined {
    return this.#registry.get(id);
  }

  /** Every live circuit. */
  circuits(): Circuit[] {
    return [...this.#registry.values()];
  }

  stats(): ServerStats {
    const circuits = this.#registry.size;
    const disconnected = this.#registry.retainedCount;
    return { circuits, connected: circuits - disconnected, disconnected, opening: this.#opening.size, draining: this.#drain.drained !== undefined };
  }

  /** New circuits, as they open, until the server closes or the loop is left. */
  [Symbol.asyncIterator](): AsyncIterableIterator<Circuit> {
    const queue = new CircuitQueue((q) => this.#queues.delete(q));
    if (this.#closed) void queue.return();
    else this.#queues.add(queue);
    return queue;
  }

  /**
   * Drains the server, for a restart that cuts no call: from now on it opens no new circuit (an
   * upgrade without a `circuit` parameter is answered HTTP 503, for a proxy to retry elsewhere;
   * a Hello gets the "unavailable" refusal), but pages of its own circuits still resume. Each
   * circuit ends with {@link SERVER_DRAINING} once its calls in flight, both ways, are done (the
   * page, told, starts no new call; the host's new calls reject unsent), or at the deadline with
   * whatever is still in flight. Resolves when every circuit has ended; calling it again returns
   * the same promise. It neither closes the HTTP server nor ends the process: call
   * {@link close} next, then exit (docs/deploy.md).
   */
  drain(options: DrainOptions = {}): Promise<void> {
    if (this.#drain.drained) return this.#drain.drained;
    const deadline = options.deadline ?? 30_000;
    if (!(deadline >= 0 && deadline <= MAX_TIMER_DELAY)) throw new RangeError(`drain: 'deadline' must be between 0 and ${MAX_TIMER_DELAY} ms, got ${deadline}.`);
    return this.#drain.start(deadline);
  }

  /**
   * Ends every circuit (pending calls reject with `JSDisconnectedException`, pages are told) and
   * stops accepting connections. Closes the HTTP server only if the interop server created it.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#heartbeats.stop();
    this.#drain.stop();
    this.httpServer.off('upgrade', this.#upgrades.handle);
    this.#restoreRequests();
    for (const socket of this.#opening.keys()) socket.terminate();
    this.#opening.clear();
    this.#refusing.terminateAll();
    for (const circuit of [...this.#registry.values()]) circuit.end('The server is shutting down.');
    for (const queue of [...this.#queues]) void queue.return();
    if (this.#ownsServer) {
      await new Promise<void>((resolve) => {
        this.httpServer.closeAllConnections();
        this.httpServer.close(() => resolve());
      });
    }
  }

  // ---- connections ----

  #open(socket: WebSocket, request: http.IncomingMessage, user: unknown): void {
    const opener: CircuitOrigin = { origin: request.headers.origin, remoteAddress: request.socket.remoteAddress, user };
    const onError = noop; // a protocol error closes the socket; 'close' below cleans up
    const onClose = (): void => void this.#opening.delete(socket);
    const onMessage = (data: Buffer, isBinary: boolean): void => {
      this.#opening.delete(socket);
      socket.off('close', onClose);
      socket.off('error', onError);
      let opening;
      try {
        opening = readOpening(data, isBinary, this.#settings.maxMessageSize);
      } catch (error) {
        refuseConnection(socket, (error as Error).message);
        return this.#refused(refusal('opening', request, this.path, error));
      }
      if ('hello' in opening) return this.#start(socket, opening, opener, request);
      const [, id, secret, received] = opening.resume;
      // A URL naming another circuit was routed for that one: resuming here could hide a proxy's misrouting.
      const circuit = circuitParams(request).every((routed) => routed === id) ? this.#registry.get(id) : undefined;
      // One answer for an unknown circuit and a wrong secret: the page learns nothing about which.
      if (!circuit || !secretMatches(circuit.identity.secret, secret)) {
        refuseConnection(socket, CIRCUIT_GONE);
        return this.#refused(refusal('resume', request, this.path));
      }
      this.#registry.release(circuit);
      if (circuit.connect(socket, request.socket, received, opener)) return this.#guard(circuit, () => this.emit('connectionUp', circuit));
      refuseConnection(socket, CIRCUIT_GONE);
      this.#refused(refusal('resume', request, this.path));
    };
    this.#opening.set(socket, { beats: 0, request, onMessage });
    socket.on('error', onError);
    socket.once('close', onClose);
    socket.once('message', onMessage);
  }

  #start(socket: WebSocket, { hello, ...features }: CircuitRequest, opener: CircuitOrigin, request: http.IncomingMessage): void {
    if (this.#drain.drained) {
      // Upgraded before the drain began (or through a proxy that kept the `circuit` parameter of another request).
      refuseConnection(socket, 'The server is draining (restarting): it accepts no new circuits. Connect again: another server takes it.', RefusalCode.Unavailable);
      return this.#refused(refusal('draining', request, this.path));
    }
    if (this.#registry.size >= this.#settings.maxCircuits) {
      // Known only now: a Resume of a live circuit does not count against the limit. The limit
      // itself is not named: it is the host's detail.
      refuseConnection(socket, 'The server is full: it accepts no more circuits now. Try again later.', RefusalCode.Unavailable);
      return this.#refused(refusal('full', request, this.path));
    }
    let circuit: Circuit;
    try {
      circuit = new Circuit(newCircuitIdentity(this.#settings.nodeName), hello, opener, this.#settings, this.#circuitEvents, features);
    } catch (error) {
      // readOpening has checked everything the page sent: a failure here is the host's.
      refuseConnection(socket, this.#settings.detailedErrors ? errorText(error) : REDACTED_CIRCUIT_ERROR);
      return this.#refused(refusal('opening', request, this.path, error));
    }
    this.#registry.add(circuit);
    this.#heartbeats.add(circuit);
    circuit.connect(socket, request.socket);
    this.#guard(circuit, () => this.emit('circuit', circuit));
    for (const queue of this.#queues) queue.push(circuit);
    const onCircuit = this.#options.onCircuit;
    if (!onCircuit) return;
    const fail = (error: unknown): void => {
      this.#reportError(error, circuit);
      const reason = `The host failed to start the circuit: ${errorText(error)}`;
      circuit.endTelling(reason, this.#settings.detailedErrors ? reason : REDACTED_CIRCUIT_ERROR);
    };
    try {
      const started = onCircuit(circuit);
      if (started && typeof started.then === 'function') started.then(undefined, fail);
    } catch (error) {
      fail(error);
    }
  }

  /**
   * Runs application code (an option callback, the listeners of an event) from inside a socket or
   * timer handler, where a throw would end the process: it is reported to `onError` instead.
   */
  #guard(circuit: Circuit | undefined, run: () => void): void {
    try {
      run();
    } catch (error) {
      this.#reportError(error, circuit);
    }
  }

  #reportError(error: unknown, circuit: Circuit | undefined): void {
    const report = this.#options.onError ?? ((e: unknown) => console.error(`jsinterop: application code failed ${circuit ? `for circuit ${circuit.id}` : 'on a refused connection'}:`, e));
    try {
      report(error, circuit);
    } catch (e) {
      console.error('jsinterop: onError failed', e);
    }
  }

  /** Once a heartbeat period: a connection gets one period to send its opening frame. */
  readonly #closeSilentOpenings = (): void => {
    for (const [socket, opening] of this.#opening) {
      if (opening.beats++ < 1) continue;
      this.#opening.delete(socket); // now: its 'close' comes later, and it must be reported once
      // A close frame, not a cut: the page learns why (a cut reads as 1006, "the network failed").
      // What it sends from now on is not read, so a late Hello opens nothing.
      socket.off('message', opening.onMessage);
      this.#refusing.close(socket, RefusalCode.RequestTimeout, NO_OPENING_REASON);
      this.#refused(refusal('opening', opening.request, this.path, new Error('No opening frame (Hello or Resume) came within a heartbeat period.')));
    }
  };
}

/**
 * Creates an interop server: attached to `options.server` when given (upgrades on
 * `options.path`), or listening on `options.port` of `options.host` otherwise.
 */
export async function createInteropServer(options: ServerOptions = {}): Promise<InteropServer> {
  const server = new InteropServer(options);
  if (!options.server) {
    await new Promise<void>((resolve, reject) => {
      server.httpServer.once('error', reject);
      server.httpServer.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
        server.httpServer.off('error', reject);
        resolve();
      });
    });
  }
  return server;
}
