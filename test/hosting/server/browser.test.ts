/*
 * The browser client in real Chromium (Debian's, driven by playwright-core): the page bundle is
 * the official package plus jsinterop/server/client, served by the same HTTP server the
 * interop server is mounted on.
 */
import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { JSDisconnectedException, JSTimeoutError, registerInvokables } from '../../../src/index.js';
import { Control } from '../../../src/protocol/circuit-control.js';
import { createInteropServer, PAGE_CLOSED, SERVER_DRAINING, type Circuit, type InteropServer } from '../../../src/server.js';
import { bundle, launchChromium, serveStatic, type StaticServer } from '../../support/browser.js';
import { deferred, patternBytes, RawPage, readAll } from './server-support.js';
import { elementScenario, ELEMENT_SCENARIO_RESULT } from '../elements/element-scenario.js';

const isHeartbeat = (frame: unknown): boolean => Array.isArray(frame) && frame[0] === Control.Heartbeat;

const HTML = '<!doctype html><meta charset="utf-8"><title>jsinterop server client</title><script type="module" src="/page.js"></script>';

describe('the browser client in Chromium', () => {
  let browser: Browser;
  let site: StaticServer;
  let server: InteropServer;
  let outdir: string;
  let page: Page;
  let circuit: Circuit;
  let unregister: () => void;

  before(async () => {
    outdir = await mkdtemp(path.join(os.tmpdir(), 'jsinterop-server-'));
    await bundle({ page: 'test/hosting/server/browser/page.ts' }, outdir);
    site = await serveStatic([outdir], { '/': HTML });
    server = await createInteropServer({ server: site.server });
    unregister = registerInvokables('BrowserTest', {
      Echo: (text: string) => `host got ${text}`,
      Length: (bytes: Uint8Array) => bytes.length,
    });
    browser = await launchChromium();
    page = await browser.newPage();
    const opened = once(server, 'circuit');
    await page.goto(`${site.url}/`);
    const circuitId = await page.evaluate(() => window.ready);
    [circuit] = await opened;
    assert.equal(circuit.id, circuitId);
  });

  after(async () => {
    unregister?.();
    await browser?.close();
    await server?.close();
    await site?.close();
    if (outdir) await rm(outdir, { recursive: true, force: true });
  });

  test('a call each way', async () => {
    assert.equal(await circuit.js.invokeAsync('browserAdd', 2, 3), 5);
    assert.equal(await page.evaluate(() => window.DotNet.invokeMethodAsync('BrowserTest', 'Echo', 'hi')), 'host got hi');
  });

  test('a Blazor-style page script receives the elements of host ElementReferences, focusAsync focuses, an element from the page arrives as one', async () => {
    // The page loads the official package itself, not jsinterop/page: the glue provides Blazor._internal.domWrapper.
    assert.deepEqual(await elementScenario(circuit.js), ELEMENT_SCENARIO_RESULT);
  });

  test('a byte array each way, as binary frames', async () => {
    const bytes = patternBytes(100_000);
    assert.deepEqual(await circuit.js.invokeAsync('browserEchoBytes', bytes), bytes);
    assert.equal(await page.evaluate(() => window.DotNet.invokeMethodAsync('BrowserTest', 'Length', new Uint8Array(70_000))), 70_000);
  });

  test('a stream upload from a Blob, read by the host as a ReadableStream', async () => {
    const size = 200_000;
    const reference = await circuit.js.invokeStreamReferenceAsync('browserBlob', size);
    assert.equal(reference.length, size);
    assert.deepEqual(await readAll(reference.openReadStream()), patternBytes(size));
    await reference.disposeAsync();
  });

  test('a reconnect after the server drops the socket, with a call sent into the dead connection', async () => {
    const up = once(server, 'connectionUp');
    const resumed = page.waitForEvent('websocket');
    circuit.dropConnection();
    const call = circuit.js.invokeAsync('browserAdd', 20, 22);
    await up;
    assert.equal(await call, 42);
    // The browser's reconnect names its circuit for a proxy to route on.
    assert.equal((await resumed).url(), `${server.url}?circuit=${circuit.id}`);
    const states = await page.evaluate(() => window.states);
    assert.deepEqual(states.slice(-2), ['reconnecting', 'connected']);
    assert.equal(await page.evaluate(() => window.DotNet.invokeMethodAsync('BrowserTest', 'Echo', 'again')), 'host got again');
    assert.equal(circuit.state, 'connected');
  });

  test('static calls keep working after a failed connect and after a circuit ended', async (t) => {
    const manual = await browser.newPage();
    t.after(() => manual.close());
    await manual.goto(`${site.url}/?manual`);
    const results = await manual.evaluate(async () => {
      const failed = await window.connectTo('/no-interop-here').then(
        () => 'connected',
        () => 'failed',
      );
      const first = await window.connectTo('/_jsinterop');
      const one = await window.DotNet.invokeMethodAsync('BrowserTest', 'Echo', 'one');
      first.close('first done');
      await first.ended;
      const second = await window.connectTo('/_jsinterop');
      const two = await window.DotNet.invokeMethodAsync('BrowserTest', 'Echo', 'two');
      second.close();
      return [failed, one, two];
    });
    assert.deepEqual(results, ['failed', 'host got one', 'host got two']);
  });

  /**
   * A site whose disconnected circuits are retained as long as a timer can wait (about 24.8
   * days), so that a circuit that ends in a test was ended by the page's beacon, not by its
   * retention period; and a page of it, connected, with a host call waiting for it.
   */
  async function pageOnLongRetention(t: TestContext) {
    const longSite = await serveStatic([outdir], { '/': HTML });
    const longServer = await createInteropServer({ server: longSite.server, disconnectedCircuitRetention: 2 ** 31 - 1 });
    const tab = await browser.newPage();
    t.after(async () => {
      if (!tab.isClosed()) await tab.close();
      await longServer.close();
      await longSite.close();
    });
    const opened = once(longServer, 'circuit');
    await tab.goto(`${longSite.url}/`);
    await tab.evaluate(() => window.ready);
    const [tabCircuit] = (await opened) as [Circuit];
    await tab.evaluate(() => void ((window as any).browserNeverAnswers = () => new Promise(() => {})));
    const pending = tabCircuit.js.invokeAsync('browserNeverAnswers');
    pending.catch(() => {}); // asserted by the tests
    return { tab, server: longServer, circuit: tabCircuit, pending };
  }

  test('closing the tab ends its circuit at once: the page sends its disconnect beacon', async (t) => {
    const { tab, server: longServer, circuit: tabCircuit, pending } = await pageOnLongRetention(t);
    const ended = once(longServer, 'circuitEnd');
    await tab.close({ runBeforeUnload: true });
    const [endedCircuit, reason] = await ended;
    assert.equal(endedCircuit, tabCircuit);
    assert.equal(reason, PAGE_CLOSED);
    await assert.rejects(pending, JSDisconnectedException);
  });

  test('a drain: a page call after Draining rejects unsent with SERVER_DRAINING, the call in flight completes, the circuit ends with SERVER_DRAINING', async (t) => {
    const drainSite = await serveStatic([outdir], { '/': HTML });
    const drainServer = await createInteropServer({ server: drainSite.server });
    const tab = await browser.newPage();
    const release = deferred<void>();
    const started = deferred<void>();
    let holds = 0;
    t.after(
      registerInvokables('BrowserDrain', {
        Hold: async () => {
          holds++;
          started.resolve();
          await release.promise;
          return 'held done';
        },
      }),
    );
    t.after(async () => {
      release.resolve();
      await tab.close();
      await drainServer.close(); // before the HTTP server, whose close waits for the upgraded sockets
      await drainSite.close();
    });
    const socket = tab.waitForEvent('websocket');
    await tab.goto(`${drainSite.url}/`);
    await tab.evaluate(() => window.ready);
    // The page's Drained, as the browser sends it: after it, the page has taken Draining in.
    const drained = new Promise<void>((resolve) =>
      void socket.then((ws) => ws.on('framesent', ({ payload }) => void (payload === `[${Control.Drained}]` && resolve()))),
    );
    await tab.evaluate(() => void ((window as any).held = window.DotNet.invokeMethodAsync('BrowserDrain', 'Hold')));
    await started.promise;
    const done = drainServer.drain();
    await drained;
    const refused = await tab.evaluate(() => window.DotNet.invokeMethodAsync('BrowserDrain', 'Hold').then(() => 'sent', (error: Error) => error.message));
    assert.equal(refused, SERVER_DRAINING);
    release.resolve();
    assert.equal(await tab.evaluate(() => (window as any).held), 'held done');
    assert.equal(await tab.evaluate(() => window.connection.ended), SERVER_DRAINING);
    await done;
    assert.equal(holds, 1);
  });

  test('a page put into the back/forward cache sends no beacon and keeps its circuit; hidden for good, it sends one', async (t) => {
    const { tab, server: longServer, circuit: tabCircuit, pending } = await pageOnLongRetention(t);
    // The browser's own pagehide, as it fires for a page entering the cache (persisted) or leaving for good.
    const hide = (persisted: boolean) =>
      tab.evaluate((persisted) => {
        const sent: string[] = [];
        const send = navigator.sendBeacon.bind(navigator);
        navigator.sendBeacon = (url, data) => (sent.push(String(url)), send(url, data));
        window.dispatchEvent(new PageTransitionEvent('pagehide', { persisted }));
        return { sent, state: window.connection.state };
      }, persisted);
    assert.deepEqual(await hide(true), { sent: [], state: 'connected' });
    assert.equal(await tab.evaluate(() => window.DotNet.invokeMethodAsync('BrowserTest', 'Echo', 'still here')), 'host got still here');
    assert.equal(tabCircuit.state, 'connected');

    const ended = once(longServer, 'circuitEnd');
    const { sent, state } = await hide(false);
    assert.deepEqual(sent, [`${longServer.url.replace(/^ws/, 'http')}/disconnect?circuit=${tabCircuit.id}`]);
    assert.equal(state, 'ended');
    assert.deepEqual((await ended).slice(1), [PAGE_CLOSED]);
    await assert.rejects(pending, JSDisconnectedException);
  });

  test('a page busy for several heartbeat periods, with a call timing out meanwhile, keeps its connection and its circuit', async (t) => {
    // A server of its own, with a short heartbeat, so that the page stays busy for several periods.
    // Not shorter: once the page is free again, it has two periods to read the heartbeats that
    // queued up while it was busy, and the server one period to read each pong, on a loaded CI machine.
    const busySite = await serveStatic([outdir], { '/': HTML });
    const busyServer = await createInteropServer({ server: busySite.server, heartbeatInterval: 500 });
    let released = false;
    const busyStarted = deferred<void>();
    const releaseServer = http.createServer((_req, res) => {
      busyStarted.resolve();
      res.writeHead(200, { 'Access-Control-Allow-Origin': '*', 'Cache-Control': 'no-store', 'Content-Type': 'text/plain' }).end(released ? 'go' : 'wait');
    });
    await new Promise<void>((resolve) => releaseServer.listen(0, '127.0.0.1', resolve));
    const busyPage = await browser.newPage();
    t.after(async () => {
      released = true;
      await busyPage.close();
      await busyServer.close(); // before the HTTP server, whose close waits for the upgraded sockets
      await busySite.close();
      releaseServer.closeAllConnections();
      await new Promise<void>((resolve) => releaseServer.close(() => resolve()));
    });
    const opened = once(busyServer, 'circuit');
    await busyPage.goto(`${busySite.url}/`);
    await busyPage.evaluate(() => window.ready);
    const [busyCircuit] = (await opened) as [Circuit];
    // Another connection to the same server sees every heartbeat it sends. It answers each one
    // with an Ack, so that its own messages keep it connected even if pongs stopped counting:
    // it must outlive the page under test.
    const watcher = await RawPage.open(t, busyServer.url);
    watcher.socket.on('message', (data: Buffer) => {
      if (data.toString().startsWith(`[${Control.Heartbeat},`)) watcher.send([Control.Ack, 0]);
    });
    const downs: string[] = [];
    busyServer.on('connectionDown', (c) => void downs.push(c.id));

    const busy = busyCircuit.js.invokeAsync<number>('browserBusy', `http://127.0.0.1:${(releaseServer.address() as AddressInfo).port}/`);
    await busyStarted.promise;
    // A page this busy answers nothing: a call with a deadline runs out of time.
    await assert.rejects(busyCircuit.js.with({ timeout: 50 }).invokeAsync('browserAdd', 1, 1), JSTimeoutError);
    // Three heartbeats after the page became busy: it has been busy for at least two whole periods,
    // longer than a silent connection is given.
    let from = watcher.frames.length;
    for (let beats = 0; beats < 3; beats++) from = watcher.frames.indexOf(await watcher.next(isHeartbeat, from)) + 1;
    // Chromium answered the server's pings for the busy page, so the server did not declare it dead.
    assert.deepEqual(downs, [], 'the server disconnected the busy page');
    assert.equal(busyCircuit.state, 'connected');
    released = true;
    assert.ok((await busy) > 1, 'the page kept polling while it was busy');

    // Nor did the page, catching up, take the silence for a dead server.
    assert.deepEqual(downs, []);
    assert.deepEqual(await busyPage.evaluate(() => window.states), ['connected']);
    assert.equal(await busyCircuit.js.invokeAsync('browserAdd', 2, 3), 5);
    assert.equal(await busyPage.evaluate(() => window.DotNet.invokeMethodAsync('BrowserTest', 'Echo', 'after')), 'host got after');
  });
});
