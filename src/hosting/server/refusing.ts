/*
 * How the server refuses a connection so that the client learns why: an upgrade it will not
 * accept at all gets an HTTP status; one a browser page must be able to read is accepted and
 * closed at once with a refusal code (src/protocol/circuit-control.ts); an opened connection
 * gets an End frame. Reporting refusals to the application is refusal.ts.
 */
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import { Control } from '../../protocol/circuit-control.js';

/** The code the server closes a connection with when its opening frame is refused. */
const POLICY_VIOLATION = 1008;
const noop = (): void => {};

export function refuseUpgrade(socket: Duplex, status: number, text: string): void {
  // Node takes its own error listener off a socket it hands to 'upgrade' handlers; without one, a
  // client that resets the connection while the refusal is written would crash the process.
  socket.on('error', noop);
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/** Tells the page why (an End frame it can read) and closes the connection. */
export function refuseConnection(socket: WebSocket, reason: string, code = POLICY_VIOLATION): void {
  socket.on('error', noop);
  socket.send(JSON.stringify([Control.End, reason]));
  socket.close(code, reason.length <= 120 ? reason : reason.slice(0, 120));
}

/** Connections accepted only to be closed with a refusal code, kept until their close handshake ends. */
export class RefusedConnections {
  readonly #wss: WebSocketServer;
  readonly #closing = new Set<WebSocket>();

  constructor(wss: WebSocketServer) {
    this.#wss = wss;
  }

  /**
   * Refuses an upgrade on the interop path in a way a browser page can read: the upgrade is
   * accepted and closed at once with `code` (src/protocol/circuit-control.ts). No listener
   * reads what the client sends and no circuit state exists for it.
   */
  open(request: http.IncomingMessage, socket: Duplex, head: Buffer, code: number, reason: string): void {
    socket.on('error', noop);
    this.#wss.handleUpgrade(request, socket, head, (ws) => this.close(ws, code, reason));
  }

  /** Closes a refused connection with `code` and `reason`; it is kept only until its close handshake ends. */
  close(ws: WebSocket, code: number, reason: string): void {
    ws.on('error', noop);
    this.#closing.add(ws);
    ws.once('close', () => this.#closing.delete(ws));
    ws.close(code, reason);
  }

  /** Cuts every connection still closing (the server is shutting down). */
  terminateAll(): void {
    for (const socket of this.#closing) socket.terminate();
    this.#closing.clear();
  }
}
