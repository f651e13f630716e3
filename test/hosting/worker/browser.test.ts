/*
 * Worker hosting in real Chromium (Debian's, driven by playwright-core): the page bundle is
 * the official package plus hostInWorker, the host a module Worker. Served cross-origin
 * isolated (COOP/COEP: SharedArrayBuffer, sync calls) and not (async only).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { chromiumSite } from '../../support/browser.js';
import { ELEMENT_SCENARIO_RESULT } from '../elements/element-scenario.js';

const HTML = '<!doctype html><meta charset="utf-8"><title>jsinterop Worker hosting</title><script type="module" src="page.js"></script>';

describe('Worker hosting in Chromium', () => {
  const chromium = chromiumSite(
    'worker',
    {
      page: 'test/hosting/worker/browser/page.ts',
      host: 'test/hosting/worker/browser/host.ts',
      'math-module': 'test/fixtures/math-module.ts',
      'throws-at-start': 'test/hosting/worker/browser/throws-at-start.ts',
    },
    { '/index.html': HTML },
    {
      prepare: async (outdir) => {
        // Scripts that a build would never emit: one that does not parse (a decorator no compiler
        // transformed) and one served with a type that is not JavaScript.
        await writeFile(path.join(outdir, 'does-not-parse.js'), 'export const x = 1;\n@decorator class A {}\n');
        await writeFile(path.join(outdir, 'not-javascript.bin'), 'postMessage(1);\n');
      },
    },
  );

  /** Opens the page and starts its Worker host; page errors fail the test. `prepare` runs before the page loads. */
  async function open(pathname: string, prepare?: (page: Page) => Promise<void>): Promise<{ page: Page; started: { syncCalls: boolean; isolated: boolean } }> {
    const page = await chromium.browser.newPage();
    await prepare?.(page);
    const errors: Error[] = [];
    page.on('pageerror', (error) => errors.push(error));
    await page.goto(`${chromium.site.url}${pathname}`);
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

  test('a Blob read by the host loads the Blob cursor on demand: a chunk that fails to load fails that read with why, and the next read loads it', async () => {
    const { page } = await open('/index.html', async (page) => {
      await page.route(/blob-cursor-.*\.js$/, (route) => route.abort());
    });
    try {
      const expected = Array.from({ length: 1_000_000 }, (_, i) => (i * 7) & 0xff).reduce((sum, b, i) => (sum + b * (i + 1)) % 1_000_000_007, 0);
      const failed = await page.evaluate(() => window.workerTest.run('blobFromPage'));
      assert.match(failed.error, /blob-cursor-.*\.js/, 'the read fails with the loader\'s error, naming the chunk');
      await page.unroute(/blob-cursor-.*\.js$/);
      assert.deepEqual(await page.evaluate(() => window.workerTest.run('blobFromPage')), { length: 1_000_000, checksum: expected });
    } finally {
      await page.close();
    }
  });

  test('a Blazor-style page script receives the elements of host ElementReferences, focusAsync focuses, an element from the page arrives as one', async () => {
    const { page } = await open('/index.html');
    try {
      assert.deepEqual(await page.evaluate(() => window.workerTest.run('elements')), ELEMENT_SCENARIO_RESULT);
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

  describe('a Worker that fails to start: host.ready names the cause', () => {
    /** Opens `pathname` and starts a Worker from `script` there; resolves with the message `ready` rejected with. */
    async function failToStart(pathname: string, script: string, check = true): Promise<string> {
      const page = await chromium.browser.newPage();
      try {
        await page.goto(`${chromium.site.url}${pathname}`);
        await page.waitForFunction(() => window.workerTest !== undefined);
        return await page.evaluate(([url, c]) => window.workerTest.failToStart(url, c), [script, check] as [string, boolean]);
      } finally {
        await page.close();
      }
    }

    test('a script that throws while it loads: its error and where', async () => {
      const message = await failToStart('/index.html', '/throws-at-start.js', false);
      // The line is the bundle's, not the source's.
      assert.match(message, /^The Worker failed to start: its script threw before it connected: Error: the host script failed at start \(http:.*\/throws-at-start\.js:\d+\)\.$/);
    });

    test('a script that is not there: HTTP 404', async () => {
      assert.equal(
        await failToStart('/index.html', '/missing.js'),
        `The Worker failed to start: its script ${chromium.site.url}/missing.js was not found (HTTP 404): check the URL the Worker was created with, and that the script is built and served there.`,
      );
    });

    test('on a cross-origin isolated page, a script served without Cross-Origin-Embedder-Policy: blocked', async () => {
      // /host.js is served without the isolation headers (only /isolated/… gets them).
      assert.equal(
        await failToStart('/isolated/index.html', '/host.js'),
        `The Worker failed to start: its script ${chromium.site.url}/host.js was blocked: this page is cross-origin isolated and the script is served without Cross-Origin-Embedder-Policy; send it the same COEP header as the page (require-corp).`,
      );
    });

    test('a script not served as JavaScript', async () => {
      assert.equal(
        await failToStart('/index.html', '/not-javascript.bin'),
        `The Worker failed to start: its script ${chromium.site.url}/not-javascript.bin is served as 'application/octet-stream', not JavaScript: serve it as text/javascript.`,
      );
    });

    test('a script that does not parse; without scriptUrl, the possible causes', async () => {
      assert.match(
        await failToStart('/index.html', '/does-not-parse.js'),
        /^The Worker failed to start: its script http:.*\/does-not-parse\.js is served as JavaScript, so it or a module it imports did not parse or load \(a SyntaxError/,
      );
      assert.match(
        await failToStart('/index.html', '/does-not-parse.js', false),
        /^The Worker failed to start: its script did not load or did not parse, and the browser does not say which: a wrong URL \(404\), .*pass \{ scriptUrl \} to hostInWorker/,
      );
    });
  });
});
