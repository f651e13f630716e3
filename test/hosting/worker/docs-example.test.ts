/*
 * The README's "Running the host in a Worker" section promises a complete Node example. This
 * test pastes its two files into a folder inside the package (so `jsinterop` resolves to this
 * checkout, and `.js` files are ES modules), strips the TypeScript with esbuild, and runs them: the page calls the host, which
 * calls back into the page synchronously.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { repoRoot } from '../../support/browser.js';

function codeBlockStarting(markdown: string, firstLine: string): string {
  const match = new RegExp('```ts\\n(' + firstLine.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + '[\\s\\S]*?)```').exec(markdown);
  assert.ok(match, `README's Worker section has no ts code block starting with ${firstLine}`);
  return match[1]!;
}

test('the Node example of "Running the host in a Worker" runs as written', { timeout: 60_000 }, async () => {
  const readme = await readFile(path.join(repoRoot, 'README.md'), 'utf8');
  const start = readme.indexOf('## Running the host in a Worker');
  assert.ok(start >= 0, 'README has no "Running the host in a Worker" section');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  const node = section.slice(section.indexOf('### In Node'));
  assert.ok(node.length < section.length, 'the Worker section has no "In Node" part');
  const dir = path.join(repoRoot, 'dist', 'worker-example');
  await mkdir(dir, { recursive: true });
  for (const name of ['main', 'host']) {
    const source = codeBlockStarting(node, `// ${name}.ts`);
    const { code } = await esbuild.transform(source, { loader: 'ts', format: 'esm', target: 'node20' });
    await writeFile(path.join(dir, `${name}.js`), code);
  }
  const child = spawn(process.execPath, ['main.js'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (data: Buffer) => (stdout += data));
  child.stderr!.on('data', (data: Buffer) => (stderr += data));
  const [code] = await once(child, 'exit');
  assert.equal(code, 0, stderr);
  assert.equal(stdout.trim(), '3');
});
