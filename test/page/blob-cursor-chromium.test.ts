/*
 * The Blob cursor in Chromium, whose Blob streams behave unlike Node's: a byte stream read with a
 * BYOB reader, pieces from a data pipe, and a stream that nothing in JS reaches collected with a
 * read pending (that read then never settles). The page collects garbage after every task while
 * Files are read as a server host reads them, so a cursor left unreachable mid-read hangs here.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chromiumSite } from '../support/browser.js';

const HTML = '<!doctype html><meta charset="utf-8"><title>blob cursor</title><body><script type="module" src="page.js"></script></body>';

describe('the Blob cursor in Chromium', () => {
  const chromium = chromiumSite('blob-cursor', { page: 'test/page/blob-cursor-chromium/page.ts' }, { '/index.html': HTML }, { launchArgs: ['--js-flags=--expose-gc'] });

  // The timeout only ends a hung read sooner than the suite's; the reads take about a second.
  test('reads whole Files, chunk requests all in flight, while the page collects garbage after every task', { timeout: 120_000 }, async () => {
    const page = await chromium.browser.newPage();
    try {
      await page.goto(`${chromium.site.url}/index.html`);
      await page.waitForFunction(() => typeof window.readFilesUnderGc === 'function');
      // A server's 256 KiB chunks (the second segment is read with a BYOB reader), then 32 KiB ones.
      assert.deepEqual(await page.evaluate(() => window.readFilesUnderGc(20, 1_500_000, 256 * 1024)), []);
      assert.deepEqual(await page.evaluate(() => window.readFilesUnderGc(5, 1_500_000, 32 * 1024)), []);
    } finally {
      await page.close();
    }
  });
});
