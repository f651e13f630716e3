/*
 * The browser client in real Chromium (Debian's, driven by playwright-core): the page bundle is
 * the official package plus jsinterop/server/client, served by the same HTTP server the
 * interop server is mounted on.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { registerInvokables } from '../../../src/index.js';
import { createInteropServer, type Circuit, type InteropServer } from '../../../src/server.js';
import { bundle, launchChromium, serveStatic, type StaticServer } from '../../support/browser.js';
import { patternBytes, readAll } from './server-support.js';

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
    circuit.dropConnection();
    const call = circuit.js.invokeAsync('browserAdd', 20, 22);
    await up;
    assert.equal(await call, 42);
    const states = await page.evaluate(() => window.states);
    assert.deepEqual(states.slice(-2), ['reconnecting', 'connected']);
    assert.equal(await page.evaluate(() => window.DotNet.invokeMethodAsync('BrowserTest', 'Echo', 'again')), 'host got again');
    assert.equal(circuit.state, 'connected');
  });
});
