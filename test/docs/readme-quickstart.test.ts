/*
 * The README promises that its quickstart can be pasted into two files and run with Node.
 * This test does exactly that, inside the package so `jsinterop` resolves to this checkout.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../support/browser.js';
import { jsCodeBlockAfter } from '../support/markdown.js';

test('the README quickstart runs in Node as written', async () => {
  const readme = await readFile(path.join(repoRoot, 'README.md'), 'utf8');
  const dir = path.join(repoRoot, 'dist', 'readme-quickstart');
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'scripts.js'), jsCodeBlockAfter(readme, '`scripts.js`', 'README'));
  await writeFile(path.join(dir, 'quickstart.mjs'), jsCodeBlockAfter(readme, '`quickstart.mjs`', 'README'));
  const { stdout } = await promisify(execFile)(process.execPath, ['quickstart.mjs'], { cwd: dir });
  assert.equal(stdout.trim(), '5 3');
});
