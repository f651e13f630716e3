/*
 * The README's Node `worker_threads` example, pasted as printed into a fresh project set up as the
 * TypeScript quickstart says (its tsconfig.json), compiled with tsc and run: the page calls the
 * host, which calls back into the page synchronously.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConsumerProject } from '../support/consumer-project.js';
import { exampleCommands, exampleFiles, readReadme, requireFiles, section } from '../support/readme.js';

test('the Node worker_threads example compiles and runs as printed', { timeout: 240_000 }, async (t) => {
  const readme = await readReadme();
  const typescript = section(readme, '### In TypeScript');
  const example = section(readme, '### In Node (`worker_threads`)');
  const project = await ConsumerProject.create('worker-node');
  t.after(() => project.dispose());
  const [tsconfig] = requireFiles(exampleFiles(typescript), ['tsconfig.json'], 'TypeScript quickstart');
  await project.write({ 'tsconfig.json': tsconfig! });
  await project.write(new Map(requireFiles(exampleFiles(example), ['main.mts', 'host.mts'], 'Node Worker example').map((text, i) => [['main.mts', 'host.mts'][i]!, text])));
  // "In a folder set up as for the TypeScript quickstart": its install commands first.
  for (const command of exampleCommands(typescript).filter((c) => c.line.startsWith('npm install'))) await project.exec(command.line);
  const commands = exampleCommands(example);
  assert.ok(commands.some((c) => c.prints !== undefined), 'the example says what it prints');
  for (const command of commands) {
    const stdout = await project.exec(command.line);
    if (command.prints !== undefined) assert.equal(stdout.trim(), command.prints);
  }
});
