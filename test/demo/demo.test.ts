/*
 * The demo, end to end in Chromium: the demo server on port 0, the page in Debian's Chromium
 * driven by playwright-core, and every feature of the component exercised in each panel. The
 * assertions are on what the page shows, checked against values computed here in Node
 * (node:crypto's SHA-256, the report generator) so that nothing is taken on the page's word.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { startDemoServer, type DemoServer } from '../../demo/demo-server.js';
import { reportBytes } from '../../demo/component/report.js';
import { launchChromium } from '../support/browser.js';
import { CLEAN_RESULTS, DemoPage, KNOWN_FILE, MODELS, type Model } from './demo-page.js';

const FILE_SHA256 = createHash('sha256').update(KNOWN_FILE).digest('hex');
const SYNC: Record<Model, boolean> = { 'in-process': true, worker: true, server: false };

let demo: DemoServer;
let browser: Browser;
let page: Page;
let ui: DemoPage;
const unavailable = new Map<Model, string>();
const consoleErrors: string[] = [];

before(async () => {
  demo = await startDemoServer({ port: 0 });
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1440, height: 1000 }, acceptDownloads: true });
  page = await context.newPage();
  page.on('pageerror', (error) => consoleErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  ui = new DemoPage(page);
  await page.goto(demo.url);
  for (const model of MODELS) {
    if ((await ui.waitForState(model, 'open', 'unavailable')) === 'unavailable') {
      unavailable.set(model, (await ui.role(model, 'error').textContent()) ?? '');
    }
  }
});

after(async () => {
  await browser?.close();
  await demo?.close();
});

it('serves a cross-origin isolated page (the Worker needs SharedArrayBuffer)', async () => {
  assert.equal(await page.evaluate(() => globalThis.crossOriginIsolated), true);
});

for (const model of MODELS) {
  describe(`${model} panel`, () => {
    const skip = (t: { skip(reason: string): void }): boolean => {
      const reason = unavailable.get(model);
      if (reason !== undefined) t.skip(reason);
      return reason !== undefined;
    };

    it(`says it uses ${SYNC[model] ? 'sync' : 'async'} calls`, async (t) => {
      if (skip(t)) return;
      assert.equal(await ui.role(model, 'mode').getAttribute('data-sync'), String(SYNC[model]));
      assert.equal(await ui.role(model, 'mode').textContent(), SYNC[model] ? 'sync calls' : 'async calls');
    });

    it('redraws the chart through the imported module when the page calls the host', async (t) => {
      if (skip(t)) return;
      const draws = await ui.waitForData(model, 'chart', 'draws');
      await ui.role(model, 'add-harmonic').click();
      await ui.waitForText(model, 'harmonics', /^2 harmonics$/);
      assert.ok(Number(await ui.waitForData(model, 'chart', 'draws', draws)) > Number(draws));
      await ui.role(model, 'harmonics-input').fill('5');
      await ui.waitForText(model, 'harmonics', /^5 harmonics$/);
      assert.match(await ui.role(model, 'chart-note').textContent() ?? '', SYNC[model] ? /invokeVoid \(sync\)/ : /invokeVoidAsync \(async\)/);
    });

    it('hashes a picked file on the host: the SHA-256 shown is the real one', async (t) => {
      if (skip(t)) return;
      assert.equal(await ui.hashFile(model), FILE_SHA256);
      assert.equal(await ui.role(model, 'hash-progress').evaluate((p) => (p as HTMLProgressElement).value), 1);
    });

    it('streams a file generated on the host to the page as a download', async (t) => {
      if (skip(t)) return;
      const expected = reportBytes(5);
      assert.equal(await ui.makeReport(model), expected.byteLength);
      const downloaded = page.waitForEvent('download');
      await ui.role(model, 'download').click();
      const download = await downloaded;
      assert.equal(download.suggestedFilename(), 'square-wave-5-harmonics.csv');
      assert.deepEqual(new Uint8Array(await readFile(await download.path())), expected);
    });

    it('round-trips a byte array host → page → host intact', async (t) => {
      if (skip(t)) return;
      const text = await ui.roundTrip(model);
      assert.match(text, /^✓ identical: 256 KiB host → page → host/);
      assert.match(text, SYNC[model] ? /with invoke \(sync\)/ : /with invokeAsync \(async\)/);
    });

    it('shows leaked references in the inspector, and disposing brings the counters back', async (t) => {
      if (skip(t)) return;
      await ui.waitForInspector(model);
      await ui.waitForCounters(model, { js: 3, host: 1 }); // the panel, the module and the chart; the component
      await ui.role(model, 'leak').click();
      await ui.waitForText(model, 'leaks', /^leaked 10 JS \+ 10 host$/);
      await ui.waitForCounters(model, { js: 13, host: 11 });
      await ui.role(model, 'dispose-leaks').click();
      await ui.waitForText(model, 'leaks', /^none leaked$/);
      await ui.waitForCounters(model, { js: 3, host: 1, pending: 0 });
    });
  });
}

// Only checks that the exercised page renders: the test writes nothing into the repository, and
// docs/demo.png is refreshed on purpose by `npm run screenshot` (test/demo/screenshot.ts).
it('renders the exercised page as a screenshot', async () => {
  const png = await page.screenshot({ fullPage: true });
  assert.equal(png.subarray(0, 8).toString('hex'), '89504e470d0a1a0a');
  // The IHDR chunk's width and height: the whole page, not an empty or viewport-sized image.
  assert.equal(png.readUInt32BE(16), 1440);
  assert.ok(png.readUInt32BE(20) >= 1000, `page height ${png.readUInt32BE(20)}`);
});

for (const model of MODELS) {
  it(`${model} panel: closing disposes every reference (counters read zero), and it opens again clean and working`, async (t) => {
    if (unavailable.has(model)) return t.skip(unavailable.get(model));
    // Results on screen first, so that the reopened panel has something to forget.
    await ui.hashFile(model);
    await ui.makeReport(model);
    await ui.roundTrip(model);
    assert.notDeepEqual(await ui.results(model), CLEAN_RESULTS);

    await ui.role(model, 'close').click();
    await ui.waitForState(model, 'closed');
    await ui.waitForCounters(model, { js: 0, host: 0, pending: 0 });
    await ui.role(model, 'open').click();
    await ui.waitForState(model, 'open');
    // The server panel's reopening ends the previous circuit before the new one starts, so a
    // mistaken "circuit ended" error would already show here.
    assert.deepEqual(await ui.results(model), CLEAN_RESULTS);
    await ui.waitForCounters(model, { js: 3, host: 1 });

    // The new component answers.
    await ui.role(model, 'add-harmonic').click();
    await ui.waitForText(model, 'harmonics', /^2 harmonics$/);
    await ui.roundTrip(model);
    assert.equal((await ui.results(model)).error, null);
  });
}

it('server panel: the page resumes its circuit after the server drops the socket, state intact', async (t) => {
  if (unavailable.has('server')) return t.skip(unavailable.get('server'));
  // Reopening the panel ended the first circuit, so exactly one is alive: this page's.
  const circuits = demo.interop.circuits();
  assert.equal(circuits.length, 1);
  const circuit = circuits[0]!;
  const harmonics = await ui.role('server', 'harmonics').textContent();
  circuit.dropConnection();
  await ui.waitForText('server', 'connection', /^connected \(reconnected 1×\)$/);
  assert.deepEqual(demo.interop.circuits().map((c) => c.id), [circuit.id]);
  assert.equal(await ui.role('server', 'harmonics').textContent(), harmonics);
  // The same component answers: its harmonics count goes on from where it was.
  await ui.role('server', 'add-harmonic').click();
  await ui.waitForText('server', 'harmonics', new RegExp(`^${Number.parseInt(harmonics!, 10) + 1} harmonics$`));
  await ui.waitForCounters('server', { js: 3, host: 1, pending: 0 });
});

it('logged no errors in the page', () => {
  assert.deepEqual(consoleErrors, []);
});
