/*
 * The README's Quickstart, JavaScript and TypeScript, pasted as printed into fresh `npm init -y`
 * projects that install the packed package, and run with the commands the README gives.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { ConsumerProject } from '../support/consumer-project.js';
import { exampleCommands, exampleFiles, readReadme, requireFiles, section } from '../support/readme.js';

async function runExample(t: { after(fn: () => Promise<void>): void }, name: string, markdown: string, fileNames: string[]): Promise<ConsumerProject> {
  const project = await ConsumerProject.create(name);
  t.after(() => project.dispose());
  const files = exampleFiles(markdown);
  requireFiles(files, fileNames, name);
  await project.write(files);
  const commands = exampleCommands(markdown);
  assert.ok(commands.some((c) => c.prints !== undefined), `README's ${name} says what its program prints`);
  for (const command of commands) {
    const stdout = await project.exec(command.line);
    if (command.prints !== undefined) assert.equal(stdout.trim(), command.prints, `\`${command.line}\` prints what the README says`);
  }
  return project;
}

test('the JavaScript quickstart runs as printed in a fresh npm init -y project, from its folder and from any other', { timeout: 240_000 }, async (t) => {
  const readme = await readReadme();
  const quickstart = section(readme, '## Quickstart').split('\n### ')[0]!;
  const project = await runExample(t, 'quickstart', quickstart, ['scripts.mjs', 'quickstart.mjs']);
  // `./scripts.mjs` resolves beside the entry script, as a page's imports resolve against its document.
  const elsewhere = await project.exec(`node ${path.join(project.dir, 'quickstart.mjs')}`, { cwd: path.dirname(project.dir) });
  assert.equal(elsewhere.trim(), '5 3');
});

test('the TypeScript quickstart compiles with the README tsconfig and runs on this Node', { timeout: 240_000 }, async (t) => {
  const readme = await readReadme();
  await runExample(t, 'quickstart-ts', section(readme, '### In TypeScript'), ['tsconfig.json', 'scripts.mts', 'quickstart.mts']);
});
