/*
 * Which upgrades on the interop path become connections: the path, the server's state (closed,
 * draining), the Origin, then `authenticate`. A refused upgrade is answered so that its client
 * learns why (refusing.ts) and is reported (refusal.ts); an accepted one waits for its opening
 * frame in the server.
 */
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import { RefusalCode } from '../../protocol/circuit-control.js';
import type { ServerOptions } from './options.js';
import { originAllowed } from './origin-check.js';
import { circuitParams, refusal, requestPath, type Refusal } from './refusal.js';
import { refuseUpgrade, type RefusedConnections } from './refusing.js';

const noop = (): void => {};

/** What the gate asks of its server. */
export interface GatePorts {
  /** The server has closed (its listener is off: only a racing upgrade gets here). */
  closed(): boolean;
  /** The server drains: it opens no new circuit. */
  draining(): boolean;
  /** An accepted connection, to wait for its opening frame; `user` is what `authenticate` returned. */
  open(ws: WebSocket, request: http.IncomingMessage, user: unknown): void;
  /** Tells the application of a refusal. */
  refused(found: Refusal): void;
}

/** The `upgrade` listener of an interop server. */
export class UpgradeGate {
  readonly #path: string;
  readonly #httpServer: http.Server;
  readonly #options: Pick<ServerOptions, 'allowedOrigins' | 'authenticate'>;
  readonly #wss: WebSocketServer;
  readonly #refusing: RefusedConnections;
  readonly #ports: GatePorts;

  constructor(path: string, httpServer: http.Server, options: Pick<ServerOptions, 'allowedOrigins' | 'authenticate'>, wss: WebSocketServer, refusing: RefusedConnections, ports: GatePorts) {
    this.#path = path;
    this.#httpServer = httpServer;
    this.#options = options;
    this.#wss = wss;
    this.#refusing = refusing;
    this.#ports = ports;
  }

  readonly handle = (request: http.IncomingMessage, socket: Duplex, head: Buffer): void => {
    const path = requestPath(request);
    if (path !== this.#path) {
      // Another endpoint's upgrade: leave it to its handler, or refuse it if there is none. It
      // stays an HTTP 404 (the page sees 1006): accepting an upgrade on a path that is not ours
      // would answer for an endpoint that may be someone else's. Reported only when refused here.
      if (this.#httpServer.listenerCount('upgrade') === 1) {
        refuseUpgrade(socket, 404, 'Not Found');
        this.#ports.refused(refusal('path', request, path));
      }
      return;
    }
    if (this.#ports.closed()) return refuseUpgrade(socket, 503, 'Service Unavailable'); // the listener is off: only a racing call
    if (this.#ports.draining() && circuitParams(request).length === 0) {
      // A new circuit (a resume names its circuit): an HTTP 503 a proxy can retry on another process.
      refuseUpgrade(socket, 503, 'Service Unavailable');
      return this.#ports.refused(refusal('draining', request, path));
    }
    if (!originAllowed(request, this.#options.allowedOrigins)) {
      // Before authentication: a page of a refused origin gets nothing run for it with the user's cookies.
      this.#refusing.open(request, socket, head, RefusalCode.Forbidden, 'origin refused');
      return this.#ports.refused(refusal('origin', request, path));
    }
    const authenticate = this.#options.authenticate;
    if (!authenticate) return this.#wss.handleUpgrade(request, socket, head, (ws) => this.#ports.open(ws, request, undefined));
    socket.on('error', noop);
    Promise.resolve()
      .then(() => authenticate(request))
      .then(
        (user) => {
          if (this.#ports.closed()) {
            refuseUpgrade(socket, 503, 'Service Unavailable');
            this.#ports.refused(refusal('closing', request, path));
          } else if (!user) {
            this.#refusing.open(request, socket, head, RefusalCode.Unauthorized, 'authentication refused');
            this.#ports.refused(refusal('authentication', request, path));
          } else {
            this.#wss.handleUpgrade(request, socket, head, (ws) => this.#ports.open(ws, request, user));
          }
        },
        (error: unknown) => {
          // The page learns only that authentication failed; the error is the application's to log.
          if (this.#ports.closed()) refuseUpgrade(socket, 503, 'Service Unavailable');
          else this.#refusing.open(request, socket, head, RefusalCode.AuthenticationFailed, 'authentication failed');
          this.#ports.refused(refusal('authentication-error', request, path, error));
        },
      );
  };
}
