/*
 * Why a page could not open a circuit, in words that say what to do. The server closes the
 * refusals it can make readable with a code of its own (RefusalCode); the rest fail before any
 * WebSocket exists and a browser reports them all as close code 1006, hiding the HTTP status.
 * Node's `ws` names the status, or the socket error, in its error event; otherwise one HTTP
 * request to the same URL tells "nothing is listening" from "something answered, but no
 * interop endpoint". (Page bundles include this file: kept small.)
 */
import { RefusalCode } from '../../../protocol/circuit-control.js';

/** What the failed attempt left to go on. */
export interface FailedOpen {
  /** The close event's code and reason. */
  readonly code: number;
  readonly reason: string;
  /** The reason of an End frame the server sent before closing (a refused Hello). */
  readonly ended?: string;
  /** The error event's message, if the WebSocket class gives one (`ws` does; browsers do not). */
  readonly error?: string;
}

/** The message `connectToServer` rejects with when the first connection fails. */
export async function describeFailedOpen(url: string, failed: FailedOpen): Promise<string> {
  return `Could not open a circuit at ${url}: ${await cause(url, failed)}`;
}

async function cause(url: string, { code, reason, ended, error }: FailedOpen): Promise<string> {
  const origin = (globalThis as { location?: { origin?: string } }).location?.origin;
  switch (code) {
    case RefusalCode.Forbidden:
      return `the server refused this page's origin${origin ? ` (${origin})` : ''}: add it to allowedOrigins in createInteropServer().`;
    case RefusalCode.Unauthorized:
      return "authentication refused (the server's authenticate() returned no user): sign in, or send the cookie or header it checks.";
    case RefusalCode.AuthenticationFailed:
      return "the server's authenticate() failed: see the server's onRefused report.";
    case RefusalCode.Unavailable:
      return 'the server is full (maxCircuits), draining (restarting) or shutting down: try again later.';
  }
  if (ended) return ended;
  if (reason) return reason;
  const path = new URL(url).pathname;
  const status = /Unexpected server response: (\d+)/.exec(error ?? '')?.[1];
  if (status === '404') return notHere(path, 'HTTP 404');
  if (status === '503') return 'the server takes no new circuit now (HTTP 503: it is draining for a restart, or overloaded): try again shortly.';
  if (status) return `the server answered HTTP ${status} instead of opening a WebSocket.`;
  if (/ECONNREFUSED/.test(error ?? '')) return nothingListening();
  if (error) return `${error}.`;
  switch (await probe(url)) {
    case 'nothing':
      return nothingListening();
    case 'answered':
      return notHere(path, 'an HTTP server answered');
    default:
      return `the connection failed (WebSocket close code ${code}).`;
  }
}

const nothingListening = (): string => 'nothing answered there: is the server running, on this host and port?';

const notHere = (path: string, seen: string): string =>
  `no interop endpoint at ${path} (${seen}): check the path passed to createInteropServer({ path }), and that a proxy in between passes WebSocket upgrades.`;

/**
 * One GET of the endpoint's URL over HTTP, without credentials or a readable answer (no-cors:
 * the page only learns whether anything answered). A request that fails means nothing accepted
 * the connection; any answer means a server is there, but did not accept the upgrade.
 */
async function probe(url: string): Promise<'nothing' | 'answered' | 'unknown'> {
  if (typeof fetch !== 'function') return 'unknown';
  const target = new URL(url);
  target.protocol = target.protocol === 'wss:' ? 'https:' : 'http:';
  try {
    await fetch(target, { mode: 'no-cors', credentials: 'omit', cache: 'no-store', signal: AbortSignal.timeout?.(10_000) });
    return 'answered';
  } catch (error) {
    return (error as Error)?.name === 'TypeError' ? 'nothing' : 'unknown';
  }
}
