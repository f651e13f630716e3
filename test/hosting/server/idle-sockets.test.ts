/*
 * Connections that hold a socket without using it: the HTTP server the interop server creates
 * closes one that sends nothing, or nothing more, before it upgrades; a WebSocket that never
 * sends its opening frame is closed with a code and a reason the page can read. Each test waits
 * for the close itself; its timeout only stops a wait that would otherwise last Node's defaults
 * (a silent socket held 60–90 s).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import { createInteropServer, type InteropServer, type Refusal } from '../../../src/server.js';
import { RefusalCode } from '../../../src/protocol/circuit-control.js';
import { openPage, RawPage, startServer } from './server-support.js';

/** Opens a raw TCP connection to the server, writes `data` if any, and resolves with what came back once the server closed it. */
async function heldUntilClosed(server: InteropServer, data?: string): Promise<string> {
  const socket = net.connect(server.port, '127.0.0.1');
  let received = '';
  socket.on('data', (chunk) => void (received += chunk.toString('latin1')));
  socket.on('error', () => {}); // a reset is a close too
  await once(socket, 'connect');
  if (data !== undefined) socket.write(data);
  await once(socket, 'close');
  return received;
}

const GUARD = { timeout: 20_000 };

describe('idle sockets', () => {
  test('the HTTP server it creates has the documented timeouts', async (t) => {
    const { httpServer } = await startServer(t);
    assert.equal(httpServer.headersTimeout, 10_000);
    assert.equal(httpServer.requestTimeout, 10_000);
    assert.equal(httpServer.timeout, 30_000);
  });

  test('a connection that sends nothing is answered 408 and closed after headersTimeout', GUARD, async (t) => {
    const server = await startServer(t, { headersTimeout: 100 });
    assert.match(await heldUntilClosed(server), /^HTTP\/1\.1 408 /);
  });

  test('a connection that sends part of its upgrade request and stops is closed after headersTimeout', GUARD, async (t) => {
    const server = await startServer(t, { headersTimeout: 100 });
    assert.match(await heldUntilClosed(server, `GET ${server.path} HTTP/1.1\r\nHost: x\r\n`), /^HTTP\/1\.1 408 /);
  });

  test('a connection that stays silent is closed after idleTimeout, before its headersTimeout; an upgraded one is not', GUARD, async (t) => {
    const server = await startServer(t, { idleTimeout: 50 });
    const page = await openPage(t, server);
    // Opened after the page's connection and closed for idling: the page's has been silent at least as long.
    assert.equal(await heldUntilClosed(server), ''); // no 408: the idle timeout cut it, not the headers deadline (10 s)
    assert.equal(page.circuit.state, 'connected'); // ws took the upgraded socket off the idle timeout
    assert.equal(await page.circuit.js.invokeAsync('Math.max', 1, 2), 2);
  });

  test('the timeouts are refused with a server of the application’s own: they would not apply', async () => {
    const own = http.createServer();
    await assert.rejects(createInteropServer({ server: own, headersTimeout: 1_000 }), /'headersTimeout' applies only to the HTTP server the interop server creates/);
    await assert.rejects(createInteropServer({ server: own, idleTimeout: 1_000 }), /'idleTimeout' applies only/);
  });

  test('a WebSocket that sends no opening frame is closed with 4408 and a reason, and reported once', GUARD, async (t) => {
    const refusals: Refusal[] = [];
    const server = await startServer(t, { heartbeatInterval: 50, onRefused: (refusal) => void refusals.push(refusal) });
    const page = await RawPage.open(t, server.url, { hello: false });
    assert.deepEqual(await page.closed, { code: RefusalCode.RequestTimeout, reason: 'no Hello or Resume in time' });
    assert.deepEqual(
      refusals.map((r) => r.reason),
      ['opening'],
    );
    assert.match((refusals[0]!.error as Error).message, /No opening frame/);
    assert.equal(server.stats().opening, 0);
    assert.equal(server.stats().circuits, 0);
  });
});
