/*
 * The README's "Running the host in a Worker" section promises complete examples. The Node one
 * is pasted into a folder inside the package (so `jsinterop` resolves to this checkout, and `.js`
 * files are ES modules), stripped of its TypeScript with esbuild and run: the page calls the
 * host, which calls back into the page synchronously. The browser one is bundled as an
 * application would bundle it and run in Chromium, cross-origin isolated.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { launchChromium, repoRoot, serveStatic } from '../../support/browser.js';

function codeBlockStarting(markdown: string, firstLine: string): string {
  const match = new RegExp('```ts\\n(' + firstLine.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + '[\\s\\S]*?)```').exec(markdown);
  assert.ok(match, `README's Worker section has no ts code block starting with ${firstLine}`);
  return match[1]!;
}

async function workerSection(): Promise<string> {
  const readme = await readFile(path.join(repoRoot, 'README.md'), 'utf8');
  const start = readme.indexOf('## Running the host in a Worker');
  assert.ok(start >= 0, 'README has no "Running the host in a Worker" section');
  return readme.slice(start, readme.indexOf('\n## ', start + 1));
}

test('the browser example of "Running the host in a Worker" runs as written', { timeout: 60_000 }, async (t) => {
  const section = await workerSection();
  const browserPart = section.slice(0, section.indexOf('### In Node'));
  const dir = path.join(repoRoot, 'dist', 'worker-browser-example');
  await mkdir(dir, { recursive: true });
  for (const name of ['host', 'page', 'chart']) await writeFile(path.join(dir, `${name}.ts`), codeBlockStarting(browserPart, `// ${name}.ts`));
  const src = (file: string) => path.join(repoRoot, 'src', file);
  await esbuild.build({
    entryPoints: ['host', 'page', 'chart'].map((name) => path.join(dir, `${name}.ts`)),
    outdir: dir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: 'chrome120',
    logLevel: 'error',
    // What `npm install jsinterop` would resolve; here, this checkout's source.
    alias: { 'jsinterop/worker': src('worker.ts'), 'jsinterop/page': src('page.ts'), jsinterop: src('index.ts') },
  });
  const site = await serveStatic([dir], { '/index.html': '<!doctype html><meta charset="utf-8"><title>example</title><script type="module" src="page.js"></script>' });
  t.after(() => site.close());
  const browser = await launchChromium();
  t.after(() => browser.close());
  const page = await browser.newPage();
  const errors: Error[] = [];
  page.on('pageerror', (error) => errors.push(error));
  const syncReport = new Promise<string>((resolve) =>
    page.on('console', (message) => message.text().startsWith('sync calls from the host') && resolve(message.text())),
  );
  await page.goto(`${site.url}/isolated/index.html`);
  // The page's last line: its early calls were answered and the handshake offered sync calls.
  assert.equal(await syncReport, 'sync calls from the host: true');
  // The host imported chart.js on the page and drew a megabyte it moved there.
  await page.waitForFunction(() => document.body.textContent!.includes('drew'));
  assert.equal(await page.textContent('body'), `drew ${1024 * 1024} bytes`);
  assert.deepEqual(errors, []);
});
