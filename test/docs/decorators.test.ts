/*
 * The README's "Decorators" section: its counter.mts, pasted as printed into a fresh project set up
 * as the TypeScript quickstart says, built with each toolchain in the section's table using the
 * setting the table names, and run (tsc: in Node; esbuild and Vite: in Chromium). Each setting is
 * also shown to matter: without it the decorator reaches the output untransformed.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium, serveStatic } from '../support/browser.js';
import { ConsumerProject } from '../support/consumer-project.js';
import { exampleCommands, exampleFiles, readReadme, requireFiles, section } from '../support/readme.js';

/** `@JSInvokable()` (or the bundler's renamed import, `@k()`) still in front of `increment`. */
const UNTRANSFORMED = /@[\w$]+\([^)]*\)\s*increment\s*\(/;

interface Decorators {
  readonly counter: string;
  readonly commands: ReturnType<typeof exampleCommands>;
  /** The section's tsconfig.json, told from the quickstart's (same name) by its text. */
  readonly viteTsconfig: string;
}

async function decoratorsSection(): Promise<Decorators> {
  const example = section(await readReadme(), '## Decorators');
  const [counter] = requireFiles(exampleFiles(example), ['counter.mts'], 'Decorators section');
  const viteTsconfig = [...example.matchAll(/^```\w*\n([\s\S]*?)^```$/gm)].map((m) => m[1]!).find((body) => /^\/\/ tsconfig\.json\b.*for Vite/.test(body));
  assert.ok(viteTsconfig, "README's Decorators section has no tsconfig.json block 'for Vite'");
  return { counter: counter!, commands: exampleCommands(example), viteTsconfig };
}

/** A fresh project "set up as for the TypeScript quickstart": its tsconfig.json and its npm install lines, plus counter.mts. */
async function quickstartProject(t: TestContext, name: string, counter: string): Promise<ConsumerProject> {
  const typescript = section(await readReadme(), '### In TypeScript');
  const project = await ConsumerProject.create(name);
  t.after(() => project.dispose());
  const [tsconfig] = requireFiles(exampleFiles(typescript), ['tsconfig.json'], 'TypeScript quickstart');
  await project.write({ 'tsconfig.json': tsconfig!, 'counter.mts': counter });
  const installs = exampleCommands(typescript).filter((c) => c.line.startsWith('npm install'));
  assert.ok(installs.length > 0, 'the TypeScript quickstart has npm install lines');
  for (const command of installs) await project.exec(command.line);
  return project;
}

interface PageOutcome {
  readonly logged: string[];
  readonly error?: Error;
}

/** Opens `url` and resolves once the page logs "2" or reports an uncaught error, whichever comes first. */
async function load(browser: Browser, url: string): Promise<PageOutcome> {
  const page = await browser.newPage();
  try {
    const logged: string[] = [];
    const outcome = new Promise<PageOutcome>((resolve) => {
      page.on('console', (message) => {
        logged.push(message.text());
        if (message.text() === '2') resolve({ logged });
      });
      page.on('pageerror', (error) => resolve({ logged, error }));
    });
    await page.goto(url);
    return await outcome;
  } finally {
    await page.close();
  }
}

async function builtScripts(dir: string): Promise<string> {
  const files = (await readdir(dir, { recursive: true })).filter((file) => file.endsWith('.js'));
  assert.ok(files.length > 0, `no .js files in ${dir}`);
  return (await Promise.all(files.map((file) => readFile(path.join(dir, file), 'utf8')))).join('\n');
}

test('Decorators, tsc: no setting beyond the quickstart tsconfig.json; counter.mjs prints what the README says', { timeout: 240_000 }, async (t) => {
  const { counter, commands } = await decoratorsSection();
  const command = commands.find((c) => /^npx tsc\b/.test(c.line));
  assert.ok(command, "the Decorators section has an 'npx tsc' command line");
  assert.equal(command.prints, '2', 'the tsc line says it prints 2');
  const project = await quickstartProject(t, 'deco-tsc', counter);
  const stdout = await project.exec(command.line);
  assert.equal(stdout.trim(), command.prints);
  // tsc compiled the standard decorator away: no '@' syntax is left for Node to reject.
  assert.doesNotMatch(await readFile(path.join(project.dir, 'counter.mjs'), 'utf8'), UNTRANSFORMED);
});

test('Decorators, esbuild: --target=es2022 makes a browser bundle that runs; without it the decorator stays', { timeout: 240_000 }, async (t) => {
  const { counter, commands } = await decoratorsSection();
  const command = commands.find((c) => /^npx esbuild\b/.test(c.line));
  assert.ok(command, "the Decorators section has an 'npx esbuild' command line");
  assert.match(command.line, / --target=es2022\b/);
  assert.match(command.line, / --outfile=public\/counter\.js\b/);
  assert.doesNotMatch(command.line, /--platform/, 'the README bundles for esbuild\'s default platform, the browser');
  const project = await quickstartProject(t, 'deco-esbuild', counter);
  await project.exec('npm install --save-dev esbuild');

  const publicDir = path.join(project.dir, 'public');
  const site = await serveStatic([publicDir], { '/index.html': '<!doctype html><meta charset="utf-8"><title>counter</title><script type="module" src="./counter.js"></script>' });
  t.after(() => site.close());
  const browser = await launchChromium();
  t.after(() => browser.close());

  await t.test('with --target=es2022, Chromium logs 2', async () => {
    await project.exec(command.line);
    const bundle = await readFile(path.join(publicDir, 'counter.js'), 'utf8');
    assert.doesNotMatch(bundle, UNTRANSFORMED);
    // 'jsinterop/page' bundled for the browser: '#node-globals' resolved to the browser file, no Node built-ins.
    assert.doesNotMatch(bundle, /\bfrom\s*["']node:|\brequire\(\s*["']node:|import\(\s*["']node:/);
    const { logged, error } = await load(browser, `${site.url}/index.html`);
    assert.equal(error, undefined, `the page failed: ${error?.stack}`);
    assert.ok(logged.includes('2'), logged.join('; '));
  });

  await t.test('the same command without --target=es2022 leaves @JSInvokable() in place and the page does not run', async () => {
    const untargeted = command.line.replace(/ --target=es2022\b/, '');
    assert.notEqual(untargeted, command.line);
    await project.exec(untargeted);
    const bundle = await readFile(path.join(publicDir, 'counter.js'), 'utf8');
    assert.match(bundle, /@JSInvokable\(\)\s*increment\(/);
    const { logged, error } = await load(browser, `${site.url}/index.html`);
    assert.ok(error, `the page ran: ${logged.join('; ')}`);
    assert.equal(error.name, 'SyntaxError', error.stack);
    assert.ok(!logged.includes('2'), logged.join('; '));
  });
});

test('Decorators, Vite 8: experimentalDecorators in tsconfig.json makes a build that runs; without it the decorator stays', { timeout: 240_000 }, async (t) => {
  const { counter, viteTsconfig } = await decoratorsSection();
  assert.match(viteTsconfig, /"experimentalDecorators":\s*true/);
  const project = await quickstartProject(t, 'deco-vite', counter);
  await project.exec('npm install --save-dev vite');
  const viteVersion = (await project.exec('npx vite --version')).trim();
  assert.match(viteVersion, /^vite\/8\./, 'the README names Vite 8');
  await project.write({
    'tsconfig.json': viteTsconfig,
    'index.html': '<!doctype html><meta charset="utf-8"><title>counter</title><script type="module" src="/counter.mts"></script>',
  });

  const distDir = path.join(project.dir, 'dist');
  const site = await serveStatic([distDir]);
  t.after(() => site.close());
  const browser = await launchChromium();
  t.after(() => browser.close());

  await t.test('with experimentalDecorators, `npx vite build` of an index.html naming counter.mts runs in Chromium and logs 2', async () => {
    await project.exec('npx vite build');
    assert.doesNotMatch(await builtScripts(path.join(distDir, 'assets')), UNTRANSFORMED);
    const { logged, error } = await load(browser, `${site.url}/index.html`);
    assert.equal(error, undefined, `the page failed: ${error?.stack}`);
    assert.ok(logged.includes('2'), logged.join('; '));
  });

  await t.test('without experimentalDecorators, the build leaves the decorator in front of increment and the page does not run', async () => {
    const without = viteTsconfig.replace(/,\s*"experimentalDecorators":\s*true/, '');
    assert.notEqual(without, viteTsconfig);
    await project.write({ 'tsconfig.json': without });
    await project.exec('npx vite build'); // empties dist/ first
    assert.match(await builtScripts(path.join(distDir, 'assets')), UNTRANSFORMED);
    const { logged, error } = await load(browser, `${site.url}/index.html`);
    assert.ok(error, `the page ran: ${logged.join('; ')}`);
    assert.equal(error.name, 'SyntaxError', error.stack);
    assert.ok(!logged.includes('2'), logged.join('; '));
  });
});
