/*
 * The README's "Hosting on a server" example, pasted as printed into a fresh `npm init -y`
 * project with the packed package: installed, bundled and started with the README's commands,
 * then used in Chromium (the button calls a host object and a static invokable).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launchChromium } from '../support/browser.js';
import { ConsumerProject, stop } from '../support/consumer-project.js';
import { exampleCommands, exampleFiles, readReadme, requireFiles, section } from '../support/readme.js';

test('the server example installs, bundles, serves and answers clicks in Chromium as printed', { timeout: 240_000 }, async (t) => {
  const example = section(await readReadme(), '## Hosting on a server');
  const project = await ConsumerProject.create('server');
  t.after(() => project.dispose());
  const files = exampleFiles(example);
  requireFiles(files, ['server.mjs', 'page.mjs', 'index.html'], 'server example');
  await project.write(files);
  const commands = exampleCommands(example);
  const serve = commands.at(-1)!;
  assert.match(serve.line, /^node server\.mjs\b/, 'the last command starts the server');
  for (const command of commands.slice(0, -1)) await project.exec(command.line);
  const { child, url } = await project.start(serve.line, { PORT: '0' });
  t.after(() => stop(child));

  const browser = await launchChromium();
  t.after(() => browser.close());
  const page = await browser.newPage();
  const states: string[] = [];
  page.on('console', (message) => states.push(message.text()));
  await page.goto(url);
  await page.waitForFunction(() => document.body.textContent!.includes('Hello from Node'));
  assert.match((await page.textContent('body')) ?? '', /Hello from Node, page "Shop"/);
  await page.click('button');
  await page.waitForFunction(() => document.querySelector('button')!.textContent !== 'Click');
  assert.equal(await page.textContent('button'), '1 × 4.5');
  assert.ok(states.includes('circuit connected'), states.join('; '));
});
