/*
 * The README's "Hosting on a server" section promises a complete example. This test
 * pastes its two files into a folder inside the package (so `jsinterop` resolves to this
 * checkout), bundles the page, runs the server and clicks the button in Chromium.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { launchChromium, repoRoot } from '../../support/browser.js';
import { jsCodeBlockAfter } from '../../support/markdown.js';

test('the "Hosting on a server" example runs as written', { timeout: 60_000 }, async (t) => {
  const readme = await readFile(path.join(repoRoot, 'README.md'), 'utf8');
  const docs = readme.slice(readme.indexOf('## Hosting on a server'));
  const dir = path.join(repoRoot, 'dist', 'server-example');
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'server.mjs'), jsCodeBlockAfter(docs, '`server.mjs`', "README's server section"));
  await writeFile(path.join(dir, 'page.mjs'), jsCodeBlockAfter(docs, '`page.mjs`', "README's server section"));
  await writeFile(path.join(dir, 'index.html'), '<!doctype html><meta charset="utf-8"><title>example</title><script type="module" src="/page.js"></script><button>Click</button>');
  await esbuild.build({
    entryPoints: [path.join(dir, 'page.mjs')],
    outfile: path.join(dir, 'page.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    logLevel: 'error',
    // What `npm install jsinterop` would resolve; here, this checkout's source.
    alias: { 'jsinterop/server/client': path.join(repoRoot, 'src', 'server-client.ts') },
  });

  const server = spawn(process.execPath, ['server.mjs'], { cwd: dir, env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'] });
  t.after(() => server.kill());
  const [line] = await once(server.stdout!, 'data');
  const url = /http:\/\/localhost:\d+\//.exec(String(line))![0];

  const browser = await launchChromium();
  t.after(() => browser.close());
  const page = await browser.newPage();
  const states: string[] = [];
  page.on('console', (message) => states.push(message.text()));
  await page.goto(url);
  await page.waitForFunction(() => document.body.textContent!.includes('Hello from Node'));
  assert.match(await page.textContent('body') ?? '', /Hello from Node, page "example"/);
  await page.click('button');
  await page.waitForFunction(() => document.querySelector('button')!.textContent !== 'Click');
  assert.equal(await page.textContent('button'), '1 × 4.5');
  assert.ok(states.includes('circuit connected'), states.join('; '));
});
