/*
 * Each way a page can fail to open a circuit gets its own message, naming the URL and what to
 * do, and the server reports each refusal it makes to the application (onRefused, 'refused').
 * Real servers and sockets; the page is the real client over `ws`'s WebSocket (Chromium's view
 * is in browser-refusals.test.ts).
 */
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import { WebSocket, WebSocketServer } from 'ws';
import { connectToServer } from '../../../src/server-client.js';
import type { InteropServer, Refusal, ServerOptions } from '../../../src/server.js';
import * as Msg from '../../../src/protocol/message-codes.js';
import { PROTOCOL_VERSION } from '../../../src/protocol/messages.js';
import { freshDotNet } from '../../support/page.js';
import { openPage, startServer, urlNothingListensAt } from './server-support.js';

/** `ws`'s WebSocket sending an Origin header, as a browser page of that origin would. */
const withOrigin = (origin: string) =>
  class extends WebSocket {
    constructor(url: string) {
      super(url, { headers: { Origin: origin } });
    }
  } as any;

/** The message the page's connectToServer rejects with. */
async function openFails(url: string, WS: unknown = WebSocket): Promise<string> {
  const error = await connectToServer(url, { DotNet: await freshDotNet(), WebSocket: WS as any }).then(
    () => assert.fail('the circuit opened'),
    (e: Error) => e,
  );
  return error.message;
}

/** A server whose refusals are recorded twice: by onRefused and by the 'refused' event. */
async function recordingServer(t: TestContext, options: ServerOptions = {}): Promise<{ server: InteropServer; reports: Refusal[]; events: Refusal[] }> {
  const reports: Refusal[] = [];
  const server = await startServer(t, { ...options, onRefused: (refusal) => void reports.push(refusal) });
  const events: Refusal[] = [];
  server.on('refused', (refusal) => void events.push(refusal));
  return { server, reports, events };
}


describe('a page that cannot open a circuit learns why, and the server reports it', () => {
  test('nothing listening', async () => {
    const url = await urlNothingListensAt();
    assert.equal(await openFails(url), `Could not open a circuit at ${url}: nothing answered there: is the server running, on this host and port?`);
  });

  test('a wrong path: HTTP 404, reported when the interop server refused it itself', async (t) => {
    const { server, reports, events } = await recordingServer(t);
    const url = new URL('/wrong?token=secret', server.url).href;
    assert.equal(
      await openFails(url),
      `Could not open a circuit at ${url}: no interop endpoint at /wrong (HTTP 404): check the path passed to createInteropServer({ path }), and that a proxy in between passes WebSocket upgrades.`,
    );
    assert.deepEqual(reports, [{ reason: 'path', origin: undefined, path: '/wrong', remoteAddress: '127.0.0.1' }]);
    assert.deepEqual(events, reports);
  });

  test('a wrong path that another WebSocket endpoint of the same HTTP server takes is not reported', async (t) => {
    const httpServer = http.createServer();
    await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
    const { server, reports } = await recordingServer(t, { server: httpServer });
    const other = new WebSocketServer({ server: httpServer, path: '/other' });
    const socket = new WebSocket(new URL('/other', server.url));
    // Upgraded sockets keep an HTTP server's close waiting: they go first.
    t.after(async () => {
      socket.terminate();
      other.close();
      await server.close();
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
    });
    await once(socket, 'open');
    // A refusal after it, to know the server has handled the upgrade before.
    await openFails(server.url, withOrigin('https://evil.example'));
    assert.deepEqual(reports.map((r) => r.reason), ['origin']);
  });

  test('a refused origin: closed with 4403, nothing read from the connection', async (t) => {
    const { server, reports, events } = await recordingServer(t);
    assert.equal(
      await openFails(server.url, withOrigin('https://evil.example')),
      `Could not open a circuit at ${server.url}: the server refused this page's origin: add it to allowedOrigins in createInteropServer().`,
    );
    assert.deepEqual(reports, [{ reason: 'origin', origin: 'https://evil.example', path: '/_jsinterop', remoteAddress: '127.0.0.1' }]);
    assert.deepEqual(events, reports);
    // A client that says Hello the moment the connection opens gets no circuit: nothing reads it.
    const raw = new WebSocket(server.url, { headers: { Origin: 'https://evil.example' } });
    raw.on('open', () => raw.send(JSON.stringify([Msg.Hello, PROTOCOL_VERSION, 0, null])));
    const [code, reason] = await once(raw, 'close');
    assert.deepEqual([code, String(reason)], [4403, 'origin refused']);
    assert.deepEqual(server.stats(), { circuits: 0, connected: 0, disconnected: 0, opening: 0, draining: false });
    assert.equal(reports.length, 2);
  });

  test('authentication refused: closed with 4401; authentication that throws: 4500, the error reported', async (t) => {
    const failure = new Error('session store down');
    const { server, reports } = await recordingServer(t, {
      authenticate: (request) => {
        if (request.headers.origin === 'http://throws.example') throw failure;
        return undefined;
      },
      allowedOrigins: '*',
    });
    assert.equal(
      await openFails(server.url),
      `Could not open a circuit at ${server.url}: authentication refused (the server's authenticate() returned no user): sign in, or send the cookie or header it checks.`,
    );
    assert.equal(
      await openFails(server.url, withOrigin('http://throws.example')),
      `Could not open a circuit at ${server.url}: the server's authenticate() failed: see the server's onRefused report.`,
    );
    assert.deepEqual(reports, [
      { reason: 'authentication', origin: undefined, path: '/_jsinterop', remoteAddress: '127.0.0.1' },
      { reason: 'authentication-error', origin: 'http://throws.example', path: '/_jsinterop', remoteAddress: '127.0.0.1', error: failure },
    ]);
    assert.equal(server.stats().circuits, 0);
  });

  test('a full server: the page is told to try again later, without the limit', async (t) => {
    const { server, reports } = await recordingServer(t, { maxCircuits: 1 });
    await openPage(t, server);
    const message = await openFails(server.url);
    assert.equal(message, `Could not open a circuit at ${server.url}: the server is full (maxCircuits), draining (restarting) or shutting down: try again later.`);
    assert.deepEqual(reports, [{ reason: 'full', origin: undefined, path: '/_jsinterop', remoteAddress: '127.0.0.1' }]);
  });

  test('an onRefused or refused listener that throws is reported to onError, with no circuit; the server goes on', async (t) => {
    const errors: [string, unknown][] = [];
    const server = await startServer(t, {
      onRefused: () => {
        throw new Error('in onRefused');
      },
      onError: (error, circuit) => void errors.push([(error as Error).message, circuit]),
    });
    const seen = once(server, 'refused');
    server.on('refused', () => {
      throw new Error('in a refused listener');
    });
    await openFails(server.url, withOrigin('https://evil.example'));
    await seen;
    assert.deepEqual(errors, [
      ['in onRefused', undefined],
      ['in a refused listener', undefined],
    ]);
    await openPage(t, server);
  });
});

