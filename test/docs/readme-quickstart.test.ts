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

function codeBlockAfter(markdown: string, label: string): string {
  const at = markdown.indexOf(label);
  assert.ok(at >= 0, `README has no ${label}`);
  const match = /```js\n([\s\S]*?)```/.exec(markdown.slice(at));
  assert.ok(match, `README has no js code block after ${label}`);
  return match[1]!;
}

test('the README quickstart runs in Node as written', async () => {
  const readme = await readFile(path.join(repoRoot, 'README.md'), 'utf8');
  const dir = path.join(repoRoot, 'dist', 'readme-quickstart');
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'scripts.js'), codeBlockAfter(readme, '`scripts.js`'));
  await writeFile(path.join(dir, 'quickstart.mjs'), codeBlockAfter(readme, '`quickstart.mjs`'));
  const { stdout } = await promisify(execFile)(process.execPath, ['quickstart.mjs'], { cwd: dir });
  assert.equal(stdout.trim(), '5 3');
});
