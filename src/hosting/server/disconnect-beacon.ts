/*
 * The disconnect beacon: the page says it is gone for good, so its circuit ends at once instead
 * of waiting out the retention period with all its host objects (Blazor Server's
 * `_blazor/disconnect`, which its client posts with `navigator.sendBeacon` on unload).
 *
 * The request is `POST <path>/disconnect?circuit=<circuitId>` with the form body
 * `circuitId=…&secret=…` (`application/x-www-form-urlencoded`, what `sendBeacon` sends for
 * `URLSearchParams`: no CORS preflight). The secret is the circuit's resume secret, compared in
 * constant time as a Resume is: whoever can end a circuit could resume it as well, and nobody
 * else can do either. It is in the body, never the URL, which proxies and logs keep; the URL
 * names only the circuit, for a proxy to route the beacon to the process that holds it (a URL
 * naming another circuit than the body ends nothing). Every well-formed beacon gets the same
 * answer, 204, whether it ended a circuit, named one that is gone or gave a wrong secret, so a
 * guess learns nothing; a beacon that ended nothing is reported as a refusal.
 */
import type http from 'node:http';
import { originAllowed } from './origin-check.js';
import { circuitParams, refusal, requestPath, type Refusal } from './refusal.js';

/** The reason a circuit ends with when its page's beacon came (`circuitEnd`, `onCircuitEnd`). */
export const PAGE_CLOSED = 'The page was closed: its disconnect beacon ended the circuit.';

/** Largest beacon body read, in bytes. A real one is under 100 (a 22-character id and a 43-character secret). */
export const MAX_BEACON_BYTES = 1024;

const FORM = 'application/x-www-form-urlencoded';

/** The beacon's path for the endpoint at `path` (the client derives it the same way). */
export function beaconPath(path: string): string {
  return `${path.endsWith('/') ? path : `${path}/`}disconnect`;
}

export interface BeaconHandling {
  readonly allowedOrigins: readonly string[] | '*' | undefined;
  /** Ends the circuit if `secret` is its own; false if it is gone or the secret is wrong. */
  end(circuitId: string, secret: string): boolean;
  refused(found: Refusal): void;
}

/** Answers one request for the beacon's path, whatever its method. */
export function answerBeacon(request: http.IncomingMessage, response: http.ServerResponse, handling: BeaconHandling): void {
  const path = requestPath(request);
  request.on('error', noop); // a client that goes away mid-body must not raise an unhandled 'error'
  const refuse = (status: number, problem: string, headers: Record<string, string> = {}): void => {
    // The body is not read: the connection closes after the answer instead of Node draining it.
    response.writeHead(status, { ...headers, Connection: 'close', 'Content-Length': '0' }).end();
    handling.refused(refusal('beacon', request, path, new Error(problem)));
  };
  if (request.method !== 'POST') return refuse(405, `A disconnect beacon is a POST, not a ${request.method}.`, { Allow: 'POST' });
  if (!originAllowed(request, handling.allowedOrigins)) {
    response.writeHead(403, { Connection: 'close', 'Content-Length': '0' }).end();
    return handling.refused(refusal('origin', request, path));
  }
  const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== FORM) return refuse(415, `A disconnect beacon's body is ${FORM}, not '${type}'.`);
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > MAX_BEACON_BYTES) return refuse(413, `A disconnect beacon's body is at most ${MAX_BEACON_BYTES} bytes.`);
  const parts: Buffer[] = [];
  let size = 0;
  let over = false;
  request.on('data', (chunk: Buffer) => {
    if (over) return;
    size += chunk.byteLength;
    if (size <= MAX_BEACON_BYTES) return void parts.push(chunk);
    // A chunked body that grows too large: answer now and stop reading.
    over = true;
    parts.length = 0;
    refuse(413, `A disconnect beacon's body is at most ${MAX_BEACON_BYTES} bytes.`);
    request.pause();
  });
  request.on('end', () => {
    if (over) return;
    const form = new URLSearchParams(Buffer.concat(parts).toString('utf8'));
    const circuitId = form.getAll('circuitId');
    const secret = form.getAll('secret');
    if (circuitId.length !== 1 || secret.length !== 1 || [...form.keys()].length !== 2) {
      return refuse(400, 'A disconnect beacon carries exactly one circuitId and one secret.');
    }
    const routed = circuitParams(request).every((id) => id === circuitId[0]);
    const ended = routed && handling.end(circuitId[0]!, secret[0]!);
    response.writeHead(204, { 'Content-Length': '0' }).end();
    // The same as a Resume: the circuit is gone, or the secret is wrong (a guess, or a replay after the end).
    if (!ended) handling.refused(refusal('beacon', request, path, new Error('The beacon named a circuit that is gone, gave a wrong secret, or came on a URL naming another circuit.')));
  });
}

const noop = (): void => {};
