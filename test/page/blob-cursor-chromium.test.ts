/*
 * The Blob cursor in Chromium, whose Blob streams behave unlike Node's: a byte stream read with a
 * BYOB reader, pieces from a data pipe, and a stream that nothing in JS reaches collected with a
 * read pending (that read then never settles). The page collects garbage after every task while
 * Files are read as a server host reads them, so a cursor left unreachable mid-read hangs here.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { bundle, launchChromium, serveStatic, type StaticServer } from '../support/browser.js';

const HTML = '<!doctype html><meta charset="utf-8"><title>blob cursor</title><body><script type="module" src="page.js"></script></body>';

describe('the Blob cursor in Chromium', () => {
  let outdir: string;
  let site: StaticServer;
  let browser: Browser;
  before(async () => {
    outdir = await mkdtemp(path.join(os.tmpdir(), 'jsinterop-blob-cursor-'));
    await bundle({ page: 'test/page/blob-cursor-chromium/page.ts' }, outdir);
    site = await serveStatic([outdir], { '/index.html': HTML });
    browser = await launchChromium(['--js-flags=--expose-gc']);
  });
  after(async () => {
    await browser?.close();
    await site?.close();
    if (outdir) await rm(outdir, { recursive: true, force: true });
  });

  // The timeout only ends a hung read sooner than the suite's; the reads take about a second.
  test('reads whole Files, chunk requests all in flight, while the page collects garbage after every task', { timeout: 120_000 }, async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${site.url}/index.html`);
      await page.waitForFunction(() => typeof window.readFilesUnderGc === 'function');
      // A server's 256 KiB chunks (the second segment is read with a BYOB reader), then 32 KiB ones.
      assert.deepEqual(await page.evaluate(() => window.readFilesUnderGc(20, 1_500_000, 256 * 1024)), []);
      assert.deepEqual(await page.evaluate(() => window.readFilesUnderGc(5, 1_500_000, 32 * 1024)), []);
    } finally {
      await page.close();
    }
  });
});
