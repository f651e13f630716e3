/*
 * The examples of the README and docs/*.md, read from the documents themselves so the docs and
 * the tests cannot drift. A complete example is a set of fenced code blocks whose first line
 * names the file (`// quickstart.mjs`, `<!-- index.html -->`, `# jsinterop.conf`) and a ```bash
 * block with the commands to run.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { repoRoot } from './browser.js';

export async function readReadme(): Promise<string> {
  return readDocument('README.md');
}

/** A document of the repository, by its path from the root (`docs/deploy.md`). */
export async function readDocument(file: string): Promise<string> {
  return readFile(path.join(repoRoot, file), 'utf8');
}

/** The text under `heading` (a whole heading line, e.g. `### In TypeScript`) up to the next heading of its level or above. */
export function section(markdown: string, heading: string): string {
  const level = /^#+/.exec(heading)![0].length;
  const start = markdown.split('\n').indexOf(heading);
  assert.ok(start >= 0, `the document has no heading "${heading}"`);
  const lines = markdown.split('\n').slice(start + 1);
  const end = lines.findIndex((line) => /^#+ /.test(line) && /^#+/.exec(line)![0].length <= level);
  return lines.slice(0, end < 0 ? undefined : end).join('\n');
}

interface Fence {
  readonly language: string;
  readonly body: string;
}

function fences(markdown: string): Fence[] {
  return [...markdown.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => ({ language: m[1]!, body: m[2]! }));
}

const FILE_NAME = /^(?:\/\/|<!--|#)\s*([\w.-]+(?:\/[\w.-]+)*\.\w+)\b/;

/** The files a section's code blocks name in their first line, by name. */
export function exampleFiles(markdown: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const fence of fences(markdown)) {
    const name = FILE_NAME.exec(fence.body)?.[1];
    if (name) files.set(name, fence.body);
  }
  return files;
}

/** One command line of a ```bash block, with what its comment says it prints. */
export interface ExampleCommand {
  readonly line: string;
  /** The text after `# prints:` on that line, if any. */
  readonly prints?: string;
}

export function exampleCommands(markdown: string): ExampleCommand[] {
  return fences(markdown)
    .filter((fence) => fence.language === 'bash')
    .flatMap((fence) => fence.body.split('\n'))
    .filter((line) => line.trim() !== '' && !line.trim().startsWith('#'))
    .map((line) => {
      const prints = /#\s*prints:\s*(.*)$/.exec(line)?.[1]?.trim();
      return prints === undefined ? { line } : { line, prints };
    });
}

/** Asserts that `files` has each name, and returns their texts in that order. */
export function requireFiles(files: Map<string, string>, names: readonly string[], where: string): string[] {
  return names.map((name) => {
    const text = files.get(name);
    assert.ok(text !== undefined, `README's ${where} has no code block starting with a comment naming ${name}`);
    return text;
  });
}
