/*
 * What lets a stock proxy route a page to the process that holds its circuit: the node name in
 * front of every circuit id, the `circuit` parameter on every request that needs the owner (a
 * resume, the disconnect beacon), and the clear end a page gets when its owner is gone.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { CIRCUIT_GONE, createInteropServer, type Refusal } from '../../../src/server.js';
import { CIRCUIT_GONE as CLIENT_CIRCUIT_GONE } from '../../../src/server-client.js';
import { Control } from '../../../src/protocol/circuit-control.js';
import { FaultProxy } from './fault-proxy.js';
import { definePageGlobals, openPage, RawPage, SocketWatch, startServer, StateLog } from './server-support.js';

const RANDOM_PART = /^[A-Za-z0-9_-]{22}$/; // 128 bits in unpadded base64url

/** The `circuit` query parameters of a URL. */
const circuitParams = (url: string): string[] => new URL(url).searchParams.getAll('circuit');

describe('routing a page to the process that holds its circuit', () => {
  test('with a node name, every circuit id is <nodeName>.<128 random bits>; without one, the random part alone', async (t) => {
    const named = await startServer(t, { nodeName: 'web-2_b' });
    assert.equal(named.nodeName, 'web-2_b');
    const ids = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const page = await RawPage.open(t, named.url);
      const [name, random, ...rest] = (page.started[1] as string).split('.');
      assert.equal(name, 'web-2_b');
      assert.match(random!, RANDOM_PART);
      assert.deepEqual(rest, []);
      ids.add(page.started[1]);
    }
    assert.equal(ids.size, 3);
    const unnamed = await startServer(t);
    assert.equal(unnamed.nodeName, undefined);
    assert.match((await RawPage.open(t, unnamed.url)).started[1], RANDOM_PART);
  });

  test('the node name comes from JSINTEROP_NODE_NAME when the option is not given; the option wins', async (t) => {
    const before = process.env.JSINTEROP_NODE_NAME;
    t.after(() => (before === undefined ? delete process.env.JSINTEROP_NODE_NAME : (process.env.JSINTEROP_NODE_NAME = before)));
    process.env.JSINTEROP_NODE_NAME = 'from-env';
    const fromEnv = await startServer(t);
    assert.equal(fromEnv.nodeName, 'from-env');
    assert.match((await RawPage.open(t, fromEnv.url)).started[1], /^from-env\./);
    assert.equal((await startServer(t, { nodeName: 'option' })).nodeName, 'option');
    process.env.JSINTEROP_NODE_NAME = '';
    assert.equal((await startServer(t)).nodeName, undefined);
    process.env.JSINTEROP_NODE_NAME = 'has.dot';
    await assert.rejects(createInteropServer(), (error: Error) => error instanceof TypeError && /JSINTEROP_NODE_NAME/.test(error.message) && error.message.includes('"has.dot"'));
  });

  test('a node name that is not 1 to 32 letters, digits, _ or - is refused, naming the value and the rule', async () => {
    for (const bad of ['', 'a.b', 'x'.repeat(33), 'naïve', 'a b', 'a/b']) {
      await assert.rejects(createInteropServer({ nodeName: bad }), (error: Error) => {
        assert.ok(error instanceof TypeError);
        assert.ok(error.message.includes(JSON.stringify(bad)), error.message);
        assert.ok(error.message.includes('/^[A-Za-z0-9_-]{1,32}$/'), error.message);
        return true;
      });
    }
    const longest = await createInteropServer({ nodeName: 'x'.repeat(32) });
    await longest.close();
  });

  test("a reconnect opens the page's URL plus circuit=<id> (kept beside the URL's own query, replacing a stale one); the first connection has none", async (t) => {
    const server = await startServer(t, { nodeName: 'n1' });
    const watch = new SocketWatch();
    const page = await openPage(t, server, { url: `${server.url}?token=abc`, WebSocket: watch.WebSocket });
    assert.deepEqual(circuitParams(watch.sockets[0]!.url), []);
    const stale = new SocketWatch();
    const other = await openPage(t, server, { url: `${server.url}?circuit=stale&token=abc`, WebSocket: stale.WebSocket });
    for (const [p, w] of [[page, watch], [other, stale]] as const) {
      const up = once(server, 'connectionUp');
      p.circuit.dropConnection();
      await up;
      const resumed = new URL(w.sockets.at(-1)!.url);
      assert.deepEqual(resumed.searchParams.getAll('circuit'), [p.connection.circuitId]);
      assert.deepEqual(resumed.searchParams.getAll('token'), ['abc']);
      assert.equal(resumed.pathname, server.path);
    }
  });

  test('the disconnect beacon names its circuit in the URL (the body is unchanged) and still ends it', async (t) => {
    const server = await startServer(t, { nodeName: 'n1', disconnectedCircuitRetention: 3_600_000 });
    const beacons: { url: string; body: string }[] = [];
    const hideListeners: ((event: { persisted?: boolean }) => void)[] = [];
    definePageGlobals(t, {
      addEventListener: (type: string, listener: (event: { persisted?: boolean }) => void) => type === 'pagehide' && hideListeners.push(listener),
      removeEventListener: () => {},
      navigator: {
        sendBeacon: (url: string, body: URLSearchParams) => {
          beacons.push({ url, body: body.toString() });
          void fetch(url, { method: 'POST', body }); // what the browser does, after the page is gone
          return true;
        },
      },
    });
    const page = await openPage(t, server);
    const ended = once(server, 'circuitEnd');
    for (const listener of hideListeners) listener({ persisted: false });
    assert.equal(beacons.length, 1);
    const url = new URL(beacons[0]!.url);
    assert.equal(url.pathname, `${server.path}/disconnect`);
    assert.deepEqual(url.searchParams.getAll('circuit'), [page.connection.circuitId]);
    assert.deepEqual([...url.searchParams.keys()], ['circuit']);
    assert.deepEqual(Object.fromEntries(new URLSearchParams(beacons[0]!.body)), { circuitId: page.connection.circuitId, secret: (page.circuit.identity.secret as Buffer).toString('base64url') });
    assert.equal((await ended)[0], page.circuit);
  });

  test('a resume or a beacon on a URL whose circuit parameter names another circuit is refused like an unknown circuit', async (t) => {
    const server = await startServer(t, { nodeName: 'n1' });
    const refusals: Refusal[] = [];
    server.on('refused', (r) => void refusals.push(r));
    const owner = await RawPage.open(t, server.url);
    const [, id, secret] = owner.started;
    const misrouted = await RawPage.open(t, `${server.url}?circuit=n1.other`, { hello: false });
    misrouted.send([Control.Resume, id, secret, 0]);
    assert.deepEqual(await misrouted.next((f) => Array.isArray(f) && f[0] === Control.End), [Control.End, CIRCUIT_GONE]);
    assert.equal((await misrouted.closed).code, 1008);
    assert.deepEqual(refusals.map((r) => r.reason), ['resume']);

    const beacon = await fetch(`${server.url.replace(/^ws/, 'http')}/disconnect?circuit=n1.other`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ circuitId: id, secret }).toString(),
    });
    assert.equal(beacon.status, 204); // the answer every well-formed beacon gets
    assert.deepEqual(refusals.map((r) => r.reason), ['resume', 'beacon']);
    assert.equal(server.circuit(id)!.state, 'connected');

    // The parameter that names the circuit is what a proxy routes on: with it, the resume is taken.
    const takeover = await RawPage.open(t, `${server.url}?circuit=${id}`, { hello: false });
    takeover.send([Control.Resume, id, secret, 0]);
    assert.equal((await takeover.next((f) => Array.isArray(f) && f[0] === Control.Resumed))[0], Control.Resumed);
  });
});

describe('the owner of a circuit is gone', () => {
  test('a resume that reaches another process ends the page with exactly CIRCUIT_GONE, after one attempt', async (t) => {
    assert.equal(CLIENT_CIRCUIT_GONE, CIRCUIT_GONE);
    const owner = await startServer(t, { nodeName: 'a' });
    const survivor = await startServer(t, { nodeName: 'b' });
    const refusals: Refusal[] = [];
    survivor.on('refused', (r) => void refusals.push(r));
    const proxy = await FaultProxy.start(t, owner.port);
    const watch = new SocketWatch();
    const log = new StateLog();
    const page = await openPage(t, owner, { url: proxy.url(owner.path), WebSocket: watch.WebSocket, reconnectDelay: 1, maxReconnectDelay: 1, onStateChange: log.onStateChange });
    const pageCall = page.DotNet.invokeMethodAsync('Never', 'Answered');
    pageCall.catch(() => {});
    // The owner dies (its connections cut, nothing said); the proxy now sends everything to the survivor.
    proxy.retarget(survivor.port);
    const down = once(owner, 'connectionDown');
    proxy.cut();
    await down;
    await owner.close();

    assert.equal(await page.connection.ended, CIRCUIT_GONE);
    assert.equal(page.connection.state, 'ended');
    assert.deepEqual(log.states.slice(-2), ['reconnecting', 'ended']);
    await assert.rejects(pageCall, (error: Error) => error.message.includes(CIRCUIT_GONE));
    // A new circuit lands on the survivor through the same proxy; a client still trying would have tried again by now.
    const fresh = await openPage(t, survivor, { url: proxy.url(survivor.path) });
    assert.match(fresh.connection.circuitId, /^b\./);
    assert.equal(watch.sockets.length, 2); // the first connection and the one resume
    assert.deepEqual(refusals.map((r) => r.reason), ['resume']);
    assert.equal(proxy.connections, 3);
  });

  test('when nothing answers a resume, the client backs off until the retention period is over, then ends saying what to do', async (t) => {
    const server = await startServer(t, { disconnectedCircuitRetention: 300 });
    const proxy = await FaultProxy.start(t, server.port);
    let refused = 0;
    proxy.on('refused', () => refused++);
    const log = new StateLog();
    const page = await openPage(t, server, { url: proxy.url(server.path), reconnectDelay: 20, maxReconnectDelay: 40, onStateChange: log.onStateChange });
    proxy.refuse(true);
    proxy.cut();
    const reason = await page.connection.ended;
    assert.match(reason, /could not be restored within 300 ms/);
    assert.match(reason, /call connectToServer again/);
    assert.ok(refused >= 1); // how many attempts fit in 300 ms depends on the machine
    assert.deepEqual(log.states, ['connected', 'reconnecting', 'ended']);
  });
});
