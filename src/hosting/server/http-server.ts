/*
 * The HTTP server the interop server creates when the application gives it none. It serves only
 * WebSocket upgrades (and 404s), so every connection should send its upgrade request at once:
 * one that does not, or goes silent before upgrading, is closed instead of holding a file
 * descriptor until the client gives up. Upgraded connections are the heartbeat's (ws clears the
 * socket's idle timeout when it takes the connection over).
 */
import http from 'node:http';

export interface HttpTimeouts {
  /** Time to the end of a request's headers, from the connection (Node answers 408 beyond it). */
  readonly headersTimeout: number;
  /** Silence allowed on a connection that has not upgraded. */
  readonly idleTimeout: number;
}

/** How often Node checks its request deadlines, at most: once a second (its default is every 30 s). */
const MAX_CHECK_INTERVAL = 1_000;

export function createHttpServer({ headersTimeout, idleTimeout }: HttpTimeouts): http.Server {
  const server = http.createServer(
    {
      headersTimeout,
      // Node requires requestTimeout ≥ headersTimeout; nothing here reads a request body, so equal is enough.
      requestTimeout: headersTimeout,
      // Node enforces both deadlines only when it checks: by default every 30 s, which would let a
      // 10 s deadline run to 40 s. A check walks only the connections still in a request: cheap.
      connectionsCheckingInterval: Math.min(headersTimeout, MAX_CHECK_INTERVAL),
    },
    (_req, res) => void res.writeHead(404).end(),
  );
  // Node destroys a socket idle this long unless a 'timeout' listener takes it: none is added.
  server.timeout = idleTimeout;
  return server;
}
