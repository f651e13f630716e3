/*
 * What the server tells the application about a connection it refused. Every refusal the
 * interop server makes itself is reported; upgrades for other paths that another handler of the
 * same HTTP server takes are that handler's traffic and are not.
 */
import type http from 'node:http';

/**
 * Why a connection was refused:
 * - `path`: an upgrade for another path that no other `upgrade` handler of the HTTP server
 *   takes, answered 404 by the interop server (never reported when another handler exists);
 * - `origin`: the `Origin` is not allowed (`allowedOrigins`);
 * - `authentication`: `authenticate(request)` returned no user;
 * - `authentication-error`: `authenticate(request)` threw or rejected (the error is in `error`);
 * - `full`: a new circuit beyond `maxCircuits`;
 * - `closing`: the server was shutting down;
 * - `draining`: a new circuit while the server drains (`drain()`): an upgrade without a
 *   `circuit` parameter (answered HTTP 503, for a proxy to retry on another process) or a Hello;
 * - `opening`: the first frame was not a valid Hello or Resume (the problem is in `error`), or
 *   none came within a heartbeat period;
 * - `resume`: a Resume named a circuit that is gone or gave a wrong secret, or came on a URL
 *   whose `circuit` parameter names another circuit;
 * - `beacon`: a disconnect beacon (`POST <path>/disconnect`) that ended nothing: it named a
 *   circuit that is gone or gave a wrong secret (a guess, or a replay), or it was not a beacon
 *   (another method, content type or body; the problem is in `error`).
 */
export type RefusalReason = 'path' | 'origin' | 'authentication' | 'authentication-error' | 'full' | 'closing' | 'draining' | 'opening' | 'resume' | 'beacon';

/** A refused connection, as reported by `onRefused` and the server's `refused` event. */
export interface Refusal {
  readonly reason: RefusalReason;
  /** The `Origin` header, if the client sent one (browsers always do). */
  readonly origin: string | undefined;
  /** The path of the request, without its query string (which may carry a token). */
  readonly path: string;
  /** The client's address as the socket sees it (a proxy's, behind one). */
  readonly remoteAddress: string | undefined;
  /** For `authentication-error`, `opening` and `beacon`: what failed. */
  readonly error?: unknown;
}

/** The request's path without its query; '' if the request target cannot be read. */
export function requestPath(request: http.IncomingMessage): string {
  try {
    return new URL(request.url ?? '/', 'http://x').pathname;
  } catch {
    return '';
  }
}

/**
 * The `circuit` query parameters of the request (the client adds one to every request that
 * needs the circuit's owner, for a proxy to route on); empty for a new circuit, or a target
 * that cannot be read.
 */
export function circuitParams(request: http.IncomingMessage): string[] {
  try {
    return new URL(request.url ?? '/', 'http://x').searchParams.getAll('circuit');
  } catch {
    return [];
  }
}

export function refusal(reason: RefusalReason, request: http.IncomingMessage, path: string, error?: unknown): Refusal {
  const found: Refusal = { reason, origin: request.headers.origin, path, remoteAddress: request.socket.remoteAddress };
  return error === undefined ? found : { ...found, error };
}
