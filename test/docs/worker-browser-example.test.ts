/*
 * The README's browser Worker example, pasted as printed into fresh `npm init -y` projects with the
 * packed package, built with each bundler the README gives a recipe for (esbuild, Vite) by its
 * commands, and run in Chromium cross-origin isolated (sync calls offered) and not (async only).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium, serveStatic } from '../support/browser.js';
import { ConsumerProject, stop } from '../support/consumer-project.js';
import { exampleCommands, exampleFiles, readReadme, requireFiles, section } from '../support/readme.js';

const SHARED = ['host.ts', 'chart.ts', 'page.ts'];

async function projectFor(t: { after(fn: () => Promise<void>): void }, tool: string, files: string[]): Promise<{ project: ConsumerProject; commands: ReturnType<typeof exampleCommands> }> {
  const readme = await readReadme();
  const browser = section(readme, '### In a browser');
  const recipe = section(readme, `#### With ${tool}`);
  const project = await ConsumerProject.create(`worker-${tool.toLowerCase()}`);
  t.after(() => project.dispose());
  const shared = exampleFiles(browser);
  const own = exampleFiles(recipe);
  await project.write(new Map(SHARED.map((name, i) => [name, requireFiles(shared, SHARED, 'browser Worker example')[i]!])));
  await project.write(new Map(files.map((name, i) => [name, requireFiles(own, files, `${tool} recipe`)[i]!])));
  return { project, commands: exampleCommands(recipe) };
}

/** Opens the page and resolves with its report line once the host has drawn the chart. */
async function runPage(browser: Browser, url: string): Promise<string> {
  const page = await browser.newPage();
  try {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const report = new Promise<string>((resolve) => page.on('console', (m) => m.text().startsWith('price ') && resolve(m.text())));
    await page.goto(url);
    const line = await report;
    await page.waitForFunction(() => document.body.textContent!.includes('drew'));
    assert.equal((await page.textContent('body'))?.trim(), `drew ${1024 * 1024} bytes`);
    assert.deepEqual(errors, []);
    return line;
  } finally {
    await page.close();
  }
}

test('the browser Worker example built with esbuild runs in Chromium, isolated (sync) and not (async only)', { timeout: 300_000 }, async (t) => {
  const { project, commands } = await projectFor(t, 'esbuild', ['public/index.html']);
  for (const command of commands) await project.exec(command.line);
  const site = await serveStatic([path.join(project.dir, 'public')]);
  t.after(() => site.close());
  const browser = await launchChromium();
  t.after(() => browser.close());
  assert.equal(await runPage(browser, `${site.url}/isolated/index.html`), 'price 0.5, count 2, sync calls from the host: true');
  assert.equal(await runPage(browser, `${site.url}/index.html`), 'price 0.5, count 2, sync calls from the host: false');
});

test('the browser Worker example built with Vite runs under vite preview (isolated, sync) and served plainly (async only)', { timeout: 300_000 }, async (t) => {
  const { project, commands } = await projectFor(t, 'Vite', ['vite.config.mts', 'index.html']);
  const preview = commands.at(-1)!;
  assert.match(preview.line, /^npx vite preview\b/, 'the recipe ends by serving the build');
  for (const command of commands.slice(0, -1)) await project.exec(command.line);
  const { child, url } = await project.start(`${preview.line.split(' #')[0]} --port 0`);
  t.after(() => stop(child));
  const browser = await launchChromium();
  t.after(() => browser.close());
  assert.equal(await runPage(browser, url), 'price 0.5, count 2, sync calls from the host: true');
  const site = await serveStatic([path.join(project.dir, 'dist')]);
  t.after(() => site.close());
  assert.equal(await runPage(browser, `${site.url}/index.html`), 'price 0.5, count 2, sync calls from the host: false');
});
