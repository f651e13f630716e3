/*
 * What a page in real Chromium learns when it cannot open a circuit. A browser hides the HTTP
 * status of a failed WebSocket upgrade (the page sees close code 1006 for all of them), so each
 * case here checks that the page's message still names its own cause, and that the server
 * reported the refusals it made.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { createInteropServer, type InteropServer, type Refusal, type ServerOptions } from '../../../src/server.js';
import { bundle, launchChromium, serveStatic, type StaticServer } from '../../support/browser.js';
import { RawPage, urlNothingListensAt } from './server-support.js';

const HTML = '<!doctype html><meta charset="utf-8"><title>jsinterop refusals</title><script type="module" src="/refusal-page.js"></script>';

describe('a page in Chromium that cannot open a circuit learns why', () => {
  let browser: Browser;
  let site: StaticServer;
  let outdir: string;
  let page: Page;
  const servers: InteropServer[] = [];

  before(async () => {
    outdir = await mkdtemp(path.join(os.tmpdir(), 'jsinterop-refusals-'));
    await bundle({ 'refusal-page': 'test/hosting/server/browser/refusal-page.ts' }, outdir);
    site = await serveStatic([outdir], { '/': HTML });
    browser = await launchChromium();
    page = await browser.newPage();
    await page.goto(`${site.url}/`);
    await page.waitForFunction(() => typeof window.openFails === 'function');
  });

  after(async () => {
    await browser?.close();
    for (const server of servers) await server.close();
    await site?.close();
    if (outdir) await rm(outdir, { recursive: true, force: true });
  });

  /** An interop server (on a port of its own unless `server` is given) whose refusals are recorded. */
  async function recordingServer(options: ServerOptions = {}): Promise<{ server: InteropServer; reports: Refusal[] }> {
    const reports: Refusal[] = [];
    const server = await createInteropServer({ ...options, onRefused: (refusal) => void reports.push(refusal) });
    servers.push(server);
    return { server, reports };
  }

  const openFails = (url: string): Promise<string> => page.evaluate((u) => window.openFails(u), url);

  test('nothing listening', async () => {
    const url = await urlNothingListensAt();
    assert.equal(await openFails(url), `Could not open a circuit at ${url}: nothing answered there: is the server running, on this host and port?`);
  });

  test('a wrong path', async () => {
    const { reports } = await recordingServer({ server: site.server });
    const url = `${site.url.replace('http', 'ws')}/wrong`;
    assert.equal(
      await openFails(url),
      `Could not open a circuit at ${url}: no interop endpoint at /wrong (an HTTP server answered): check the path passed to createInteropServer({ path }), and that a proxy in between passes WebSocket upgrades.`,
    );
    assert.deepEqual(reports, [{ reason: 'path', origin: site.url, path: '/wrong', remoteAddress: '127.0.0.1' }]);
    await servers.pop()!.close(); // the site is this test's only: other tests' pages use it
  });

  test('a refused origin', async () => {
    const { server, reports } = await recordingServer(); // same origin only, and the page is on another port
    assert.equal(
      await openFails(server.url),
      `Could not open a circuit at ${server.url}: the server refused this page's origin (${site.url}): add it to allowedOrigins in createInteropServer().`,
    );
    assert.deepEqual(reports, [{ reason: 'origin', origin: site.url, path: '/_jsinterop', remoteAddress: '127.0.0.1' }]);
    assert.equal(server.stats().circuits, 0);
  });

  test('authentication refused', async () => {
    const { server, reports } = await recordingServer({ allowedOrigins: [site.url], authenticate: (request) => request.headers.cookie?.includes('session=') });
    assert.equal(
      await openFails(server.url),
      `Could not open a circuit at ${server.url}: authentication refused (the server's authenticate() returned no user): sign in, or send the cookie or header it checks.`,
    );
    assert.deepEqual(reports, [{ reason: 'authentication', origin: site.url, path: '/_jsinterop', remoteAddress: '127.0.0.1' }]);
  });

  test('a full server', async (t) => {
    const { server, reports } = await recordingServer({ allowedOrigins: [site.url], maxCircuits: 1 });
    await RawPage.open(t, server.url);
    assert.equal(await openFails(server.url), `Could not open a circuit at ${server.url}: the server is full (maxCircuits), draining (restarting) or shutting down: try again later.`);
    assert.deepEqual(reports, [{ reason: 'full', origin: site.url, path: '/_jsinterop', remoteAddress: '127.0.0.1' }]);
  });
});
