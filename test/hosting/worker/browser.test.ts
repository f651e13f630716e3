/*
 * Worker hosting in real Chromium (Debian's, driven by playwright-core): the page bundle is
 * the official package plus hostInWorker, the host a module Worker. Served cross-origin
 * isolated (COOP/COEP: SharedArrayBuffer, sync calls) and not (async only).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { bundle, launchChromium, serveStatic, type StaticServer } from '../../support/browser.js';

const HTML = '<!doctype html><meta charset="utf-8"><title>jsinterop Worker hosting</title><script type="module" src="page.js"></script>';

describe('Worker hosting in Chromium', () => {
  let browser: Browser;
  let site: StaticServer;
  let outdir: string;

  before(async () => {
    outdir = await mkdtemp(path.join(os.tmpdir(), 'jsinterop-worker-'));
    await bundle(
      { page: 'test/hosting/worker/browser/page.ts', host: 'test/hosting/worker/browser/host.ts', 'math-module': 'test/fixtures/math-module.ts' },
      outdir,
    );
    site = await serveStatic([outdir], { '/index.html': HTML });
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await site?.close();
    if (outdir) await rm(outdir, { recursive: true, force: true });
  });

  /** Opens the page and starts its Worker host; page errors fail the test. `prepare` runs before the page loads. */
  async function open(pathname: string, prepare?: (page: Page) => Promise<void>): Promise<{ page: Page; started: { syncCalls: boolean; isolated: boolean } }> {
    const page = await browser.newPage();
    await prepare?.(page);
    const errors: Error[] = [];
    page.on('pageerror', (error) => errors.push(error));
    await page.goto(`${site.url}${pathname}`);
    await page.waitForFunction(() => window.workerTest !== undefined);
    const started = await page.evaluate(() => window.workerTest.start());
    assert.deepEqual(errors, []);
    return { page, started };
  }

  test('cross-origin isolated: sync and async calls, byte arrays both ways, a module import, host callbacks', async () => {
    const { page, started } = await open('/isolated/index.html');
    try {
      assert.deepEqual(started, { syncCalls: true, isolated: true });
      assert.deepEqual(await page.evaluate(() => window.workerTest.run('info')), { model: 'worker', inProcess: true, isolated: true });
      const asyncCalls = await page.evaluate(() => window.workerTest.run('asyncCalls'));
      assert.equal(asyncCalls.sum, 5);
      assert.deepEqual(asyncCalls.bytesSeen, { type: 'Uint8Array', length: 1000, last: 999 & 0xff });
      const expected = Array.from({ length: 3000 }, (_, i) => (i * 7) & 0xff).reduce((sum, b, i) => (sum + b * (i + 1)) % 1_000_000_007, 0);
      assert.equal(asyncCalls.bytesFromPage, expected);
      assert.deepEqual(await page.evaluate(() => window.workerTest.run('deadlines')), { sums: [3, 7], expired: 'TimeoutError' });
      const sync = await page.evaluate(() => window.workerTest.run('syncCalls'));
      assert.equal(sync.sum, 9);
      assert.equal(sync.echoed, true);
      assert.equal(sync.made, true);
      assert.equal(sync.bytes, Array.from({ length: 10_000 }, (_, i) => (i * 7) & 0xff).reduce((sum, b, i) => (sum + b * (i + 1)) % 1_000_000_007, 0));
      assert.deepEqual(sync.error, { error: { name: 'JSException', message: 'thrown on the page' } });
      assert.deepEqual(await page.evaluate(() => window.workerTest.run('importModule')), { added: 3, answer: 42 });
      assert.deepEqual(await page.evaluate(() => window.workerTest.run('callbacks')), { seen: [2, 5], total: 5 });
      assert.deepEqual(await page.evaluate(() => window.workerTest.bytesToHost()), { sum: 300_000, after: 0 });
      const mainThread = await page.evaluate(() => window.workerTest.hostOnMainThread());
      assert.match(mainThread.asyncOnly, /hosted on a thread that may not block in Atomics\.wait \(a browser's main thread\)/);
      assert.deepEqual({ ...mainThread, asyncOnly: '' }, { offered: true, accepted: false, inProcess: false, asyncOnly: '', sum: 5 });
    } finally {
      await page.close();
    }
  });

  test('without isolation headers: no SharedArrayBuffer, the runtime is async only and says so', async () => {
    const { page, started } = await open('/index.html');
    try {
      assert.deepEqual(started, { syncCalls: false, isolated: false });
      assert.deepEqual(await page.evaluate(() => window.workerTest.run('info')), { model: 'worker', inProcess: false, isolated: false });
      const sync = await page.evaluate(() => window.workerTest.run('syncCalls'));
      assert.equal(sync.asyncOnly.error.name, 'TypeError');
      assert.match(sync.asyncOnly.error.message, /the page offered no SharedArrayBuffer.*Cross-Origin-Opener-Policy/);
      const asyncCalls = await page.evaluate(() => window.workerTest.run('asyncCalls'));
      assert.equal(asyncCalls.sum, 5);
      assert.deepEqual(await page.evaluate(() => window.workerTest.run('importModule')), { added: 3, answer: 42 });
      assert.deepEqual(await page.evaluate(() => window.workerTest.run('callbacks')), { seen: [2, 5], total: 5 });
    } finally {
      await page.close();
    }
  });

  // The timeout only bounds a failure: a page that never notices the missing chunk never ends.
  test('a page whose sync responder chunk fails to load closes the connection and says why', { timeout: 60_000 }, async () => {
    const { page, started } = await open('/isolated/index.html', async (page) => {
      await page.route(/sync-responder-.*\.js$/, (route) => route.abort());
    });
    try {
      assert.deepEqual(started, { syncCalls: true, isolated: true }, 'the handshake itself does not wait for the chunk');
      assert.match(await page.evaluate(() => window.workerTest.whenClosed()), /could not load its sync-call responder \(sync-responder\.js\)/);
    } finally {
      await page.close();
    }
  });

  test('terminating the Worker rejects the page calls in flight at once', async () => {
    const { page } = await open('/isolated/index.html');
    try {
      assert.equal(await page.evaluate(() => window.workerTest.terminateWithPendingCall()), 'The Worker was terminated.');
    } finally {
      await page.close();
    }
  });
});
