/*
 * The README's Install section: the package is built by `npm pack` and by a git install, from
 * files without `dist/`, and what it ships resolves for a user (types, source maps, licence).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { ConsumerProject, gitRepositoryCopy, userEnvironment } from '../support/consumer-project.js';

const ENTRIES = ['jsinterop', 'jsinterop/page', 'jsinterop/worker', 'jsinterop/server', 'jsinterop/server/client'];

async function importsEveryEntry(project: ConsumerProject): Promise<void> {
  const script = `for (const entry of ${JSON.stringify(ENTRIES)}) { const m = await import(entry); if (Object.keys(m).length === 0) throw new Error(entry + ' exports nothing'); } console.log('ok');`;
  assert.equal((await project.exec(`node --input-type=module -e "${script.replace(/"/g, '\\"')}"`)).trim(), 'ok');
}

test('npm pack from files without dist/ builds a package whose every entry imports in a fresh project', { timeout: 240_000 }, async (t) => {
  const project = await ConsumerProject.create('install-pack');
  t.after(() => project.dispose());
  await project.exec('npm install jsinterop');
  await importsEveryEntry(project);

  const installed = path.join(project.dir, 'node_modules', 'jsinterop');
  const manifest = JSON.parse(await readFile(path.join(installed, 'package.json'), 'utf8'));
  for (const field of ['repository', 'homepage', 'bugs', 'license']) assert.ok(manifest[field], `package.json has ${field}`);
  assert.match(await readFile(path.join(installed, 'LICENSE'), 'utf8'), /MIT License/);
  assert.ok(!(await readdir(installed)).includes('test'), 'tests are not shipped');

  // Every source map and declaration map names sources that ship with the package.
  const maps = (await readdir(path.join(installed, 'dist'), { recursive: true })).filter((file) => String(file).endsWith('.map'));
  assert.ok(maps.length > 20, `source maps shipped (${maps.length})`);
  for (const map of maps) {
    const file = path.join(installed, 'dist', String(map));
    const { sources } = JSON.parse(await readFile(file, 'utf8')) as { sources: string[] };
    for (const source of sources) await readFile(path.resolve(path.dirname(file), source)).catch(() => assert.fail(`${map} names ${source}, which is not in the package`));
  }
});

test('npm install of a git URL builds the package (prepare) and every entry imports', { timeout: 300_000 }, async (t) => {
  const repository = await gitRepositoryCopy();
  t.after(() => rm(repository, { recursive: true, force: true }));
  const project = await ConsumerProject.create('install-git');
  t.after(() => project.dispose());
  await project.install(`git+file://${repository}`);
  await importsEveryEntry(project);
});

test('npm publish --dry-run is clean: nothing but the registry login is missing', { timeout: 120_000 }, async () => {
  const repository = await gitRepositoryCopy();
  try {
    await promisify(execFile)('npm', ['install', '--no-audit', '--no-fund'], { cwd: repository, env: userEnvironment() });
    const { stderr } = await promisify(execFile)('npm', ['publish', '--dry-run'], { cwd: repository, env: userEnvironment(), maxBuffer: 16 << 20 });
    // npm's own warnings and errors, by their log prefix: a shipped file named *-error-* is not one.
    const warnings = stderr.split('\n').filter((line) => /^npm (warn|error|ERR!)/i.test(line) && !/logged in|install-scripts/i.test(line));
    assert.deepEqual(warnings, []);
  } finally {
    await rm(repository, { recursive: true, force: true });
  }
});
