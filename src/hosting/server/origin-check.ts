/*
 * Cross-site WebSocket hijacking defence. Browsers send the page's origin with every WebSocket
 * upgrade and do not apply CORS to it, so without this check any site the user visits could
 * open a circuit with the user's cookies. Clients that are not browsers send no Origin and
 * cannot carry a victim's cookies, so they are not affected by it.
 */
import type http from 'node:http';

/** Whether the upgrade request may open a circuit. */
export function originAllowed(request: http.IncomingMessage, allowed: readonly string[] | '*' | undefined): boolean {
  const origin = request.headers.origin;
  if (origin === undefined || allowed === '*') return true;
  if (allowed) return allowed.includes(origin);
  // Default: same origin only. The Host header names the server the browser connected to.
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}
