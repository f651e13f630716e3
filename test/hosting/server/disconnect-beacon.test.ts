/*
 * The disconnect beacon on the server: `POST <path>/disconnect` with the circuit's id and secret
 * ends that circuit at once; a forged or replayed one ends nothing and learns nothing; what is
 * not a beacon is refused; and on an HTTP server shared with an application, the beacon reaches
 * only the interop server while every other request reaches only the application.
 */
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import { JSDisconnectedException } from '../../../src/index.js';
import { createInteropServer, PAGE_CLOSED, type InteropServer, type Refusal } from '../../../src/server.js';
import { RawPage, startServer } from './server-support.js';

/** The beacon's address for `server` (http://host:port/_jsinterop/disconnect). */
const beaconUrl = (server: InteropServer): string => server.url.replace(/^ws/, 'http') + '/disconnect';

/** Posts a form body as `navigator.sendBeacon(url, new URLSearchParams(…))` does. */
function postBeacon(url: string, form: Record<string, string> | string, init: RequestInit = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded;charset=UTF-8' },
    body: typeof form === 'string' ? form : new URLSearchParams(form).toString(),
    ...init,
  });
}

/** A circuit opened by a raw page, with its id and secret as the page holds them, and one host call pending. */
async function openCircuit(t: TestContext, server: InteropServer) {
  const opened = once(server, 'circuit');
  const page = await RawPage.open(t, server.url);
  const [circuit] = await opened;
  const [, circuitId, secret] = page.started as [number, string, string];
  const pending = circuit.js.invokeAsync('neverAnswered');
  pending.catch(() => {}); // asserted where it matters
  return { page, circuit, circuitId, secret, pending };
}

/** The refusals the server reports from now on. */
function refusals(server: InteropServer): Refusal[] {
  const found: Refusal[] = [];
  server.on('refused', (r) => void found.push(r));
  return found;
}

describe('the disconnect beacon', () => {
  test('with the circuit id and its secret, the circuit ends at once with the page-closed reason; pending host calls reject with JSDisconnectedException', async (t) => {
    const server = await startServer(t, { disconnectedCircuitRetention: 3_600_000 });
    const { circuit, circuitId, secret, pending } = await openCircuit(t, server);
    const ended = once(server, 'circuitEnd');
    const response = await postBeacon(beaconUrl(server), { circuitId, secret });
    assert.equal(response.status, 204);
    const [endedCircuit, reason] = await ended;
    assert.equal(endedCircuit, circuit);
    assert.equal(reason, PAGE_CLOSED);
    await assert.rejects(pending, JSDisconnectedException);
    assert.equal(circuit.state, 'ended');
    assert.equal(server.circuit(circuitId), undefined);
  });

  test('ends a disconnected circuit that waits for its page, without waiting out the retention period', async (t) => {
    const server = await startServer(t, { disconnectedCircuitRetention: 3_600_000 });
    const { page, circuit, circuitId, secret, pending } = await openCircuit(t, server);
    const down = once(server, 'connectionDown');
    page.socket.terminate();
    await down;
    const ended = once(server, 'circuitEnd');
    assert.equal((await postBeacon(beaconUrl(server), { circuitId, secret })).status, 204);
    assert.deepEqual((await ended)[1], PAGE_CLOSED);
    await assert.rejects(pending, JSDisconnectedException);
    assert.equal(circuit.state, 'ended');
  });

  test('a forged beacon ends nothing and gets the same answer; so does one replayed after the circuit ended', async (t) => {
    const server = await startServer(t);
    const found = refusals(server);
    const ends: string[] = [];
    server.on('circuitEnd', (_c, reason) => void ends.push(reason));
    const { page, circuit, circuitId, secret } = await openCircuit(t, server);
    const wrong = secret.slice(0, -1) + (secret.endsWith('A') ? 'B' : 'A');
    const forged = [
      { circuitId, secret: wrong },
      { circuitId, secret: secret.toUpperCase() === secret ? secret.toLowerCase() : secret.toUpperCase() },
      { circuitId, secret: `${secret}=` }, // another spelling of the same bytes is not the secret
      { circuitId: 'AAAAAAAAAAAAAAAAAAAAAA', secret },
    ];
    for (const form of forged) assert.equal((await postBeacon(beaconUrl(server), form)).status, 204);
    assert.deepEqual(found.map((r) => r.reason), ['beacon', 'beacon', 'beacon', 'beacon']);
    assert.equal(circuit.state, 'connected');
    // The circuit carries on: a host call reaches the page.
    const call = page.next((f) => Array.isArray(f) && f[0] === 10 && f[2] === 'stillThere');
    void circuit.js.invokeAsync('stillThere').catch(() => {});
    await call;
    assert.deepEqual(ends, []);

    // The right beacon ends it; the same beacon again finds nothing and ends nothing more.
    const ended = once(server, 'circuitEnd');
    assert.equal((await postBeacon(beaconUrl(server), { circuitId, secret })).status, 204);
    await ended;
    assert.equal((await postBeacon(beaconUrl(server), { circuitId, secret })).status, 204);
    assert.deepEqual(ends, [PAGE_CLOSED]);
    assert.equal(found.length, 5);
    assert.equal(found[4]!.reason, 'beacon');
    assert.equal(found[4]!.path, '/_jsinterop/disconnect');
  });

  test('what is not a beacon is refused: another method, another content type, a body too large or malformed', async (t) => {
    const server = await startServer(t);
    const found = refusals(server);
    const { circuit, circuitId, secret } = await openCircuit(t, server);
    const url = beaconUrl(server);
    const get = await fetch(url);
    assert.equal(get.status, 405);
    assert.equal(get.headers.get('allow'), 'POST');
    assert.equal((await fetch(url, { method: 'PUT', body: `circuitId=${circuitId}&secret=${secret}` })).status, 405);
    const json = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ circuitId, secret }) });
    assert.equal(json.status, 415);
    // Too large, declared (Content-Length) or streamed (chunked, no length): refused before the end is read.
    const padding = 'x'.repeat(2_000);
    assert.equal((await postBeacon(url, { circuitId, secret, padding })).status, 413);
    const chunked = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(`circuitId=${circuitId}&secret=${secret}&padding=`));
        controller.enqueue(new TextEncoder().encode(padding));
        controller.close();
      },
    });
    assert.equal((await postBeacon(url, '', { body: chunked, duplex: 'half' } as RequestInit)).status, 413);
    for (const body of [`circuitId=${circuitId}`, `secret=${secret}`, `circuitId=${circuitId}&secret=${secret}&secret=${secret}`, `circuitId=${circuitId}&secret=${secret}&more=1`, '']) {
      assert.equal((await postBeacon(url, body)).status, 400, body);
    }
    assert.equal(found.length, 10);
    assert.ok(found.every((r) => r.reason === 'beacon' && r.error instanceof Error));
    assert.equal(circuit.state, 'connected');
    // Only that exact path is the beacon's: others on the server the interop server created stay 404.
    const base = server.url.replace(/^ws/, 'http');
    assert.equal((await fetch(`${base}/disconnected`, { method: 'POST' })).status, 404);
    assert.equal((await fetch(base.replace('/_jsinterop', '/disconnect'), { method: 'POST' })).status, 404);
  });

  test('a beacon from an origin that may not open circuits is refused like its upgrade', async (t) => {
    const server = await startServer(t);
    const found = refusals(server);
    const { circuit, circuitId, secret } = await openCircuit(t, server);
    // fetch in Node lets a test set Origin, as a browser page of another site would send it.
    const response = await postBeacon(beaconUrl(server), { circuitId, secret }, { headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: 'https://elsewhere.example' } });
    assert.equal(response.status, 403);
    assert.deepEqual(found.map((r) => r.reason), ['origin']);
    assert.equal(circuit.state, 'connected');
  });

  test("mounted on an application's HTTP server: the beacon reaches only the interop server, every other request only the application, and close() gives the path back", async (t) => {
    const seen: string[] = [];
    const app = http.createServer((request, response) => {
      seen.push(`${request.method} ${request.url}`);
      response.writeHead(200, { 'Content-Type': 'text/plain' }).end('from the app');
    });
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    const server = await createInteropServer({ server: app, disconnectedCircuitRetention: 3_600_000 });
    let closed = false;
    t.after(async () => {
      if (!closed) await server.close(); // first: it closes the circuits' sockets, which the app's close waits for
      app.closeAllConnections();
      await new Promise<void>((resolve) => app.close(() => resolve()));
    });
    const { circuitId, secret } = await openCircuit(t, server);

    const ended = once(server, 'circuitEnd');
    assert.equal((await postBeacon(beaconUrl(server), { circuitId, secret })).status, 204);
    assert.equal((await ended)[1], PAGE_CLOSED);
    const other = await fetch(server.url.replace(/^ws/, 'http').replace('/_jsinterop', '/page?x=1'));
    assert.equal(await other.text(), 'from the app');
    assert.deepEqual(seen, ['GET /page?x=1']);

    const url = beaconUrl(server);
    await server.close();
    closed = true;
    assert.equal(await (await postBeacon(url, { circuitId, secret })).text(), 'from the app');
    assert.deepEqual(seen, ['GET /page?x=1', 'POST /_jsinterop/disconnect']);
    assert.equal(app.listenerCount('request'), 1);
  });
});
