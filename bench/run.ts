/*
 * `npm run bench`: runs every bench module in turn and prints one table per module.
 * A bench module exports `run(): Promise<BenchRow[]>`; add new ones (Worker, server) to BENCHES.
 *
 *   --json <file>   also write every row, with its ratios, as JSON
 *   --markdown      also print the tables as Markdown (for docs/benchmarks.md)
 *   env BENCH_ROUNDS, BENCH_ROUND_MS, BENCH_WARMUP_MS   override the harness defaults (30 rounds, 20 ms, 250 ms)
 */
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { findChromium } from '../test/support/chromium.js';
import { toMarkdown, type BenchRow } from './support/harness.js';
import * as inProcess from './in-process.js';
import * as worker from './worker.js';
import * as workerBrowser from './worker-browser.js';
import * as browserModels from './browser-models.js';
import * as server from './server.js';
import * as capacity from './capacity.js';
import * as streams from './streams.js';

interface BenchModule {
  run(): Promise<BenchRow[]>;
  /** Whether the module, as the environment sets it up, drives a Chromium. */
  usesChromium?(): boolean;
}

const BENCHES: readonly [name: string, module: BenchModule][] = [
  ['in-process', inProcess],
  ['worker', worker],
  ['worker-browser', workerBrowser],
  ['browser-models', browserModels],
  ['server', server],
  ['streams', streams],
  ['capacity', capacity],
];

const argv = process.argv.slice(2);
const jsonIndex = argv.indexOf('--json');
const jsonFile = jsonIndex >= 0 ? argv[jsonIndex + 1] : undefined;
const markdown = argv.includes('--markdown');
const only = argv.filter((a, i) => !a.startsWith('--') && argv[i - 1] !== '--json');

const unknown = only.filter((name) => !BENCHES.some(([known]) => known === name));
if (unknown.length) {
  console.error(`npm run bench: no module ${unknown.join(', ')}; the modules are ${BENCHES.map(([name]) => name).join(', ')}.`);
  process.exit(1);
}
const selected = BENCHES.filter(([name]) => !only.length || only.includes(name));

// A fresh machine has no Chromium: install Debian's, as `npm test` does, before any module runs
// (or stop with what to do), rather than fail halfway through the run.
if (selected.some(([, module]) => module.usesChromium?.()) && !findChromium()) {
  const setUp = fileURLToPath(new URL('../test/support/ensure-system-tools.js', import.meta.url));
  // npm names the script in npm_lifecycle_event; the set-up's messages name the command with it.
  const env = { ...process.env, npm_lifecycle_event: process.env.npm_lifecycle_event ?? 'bench' };
  const { status } = spawnSync(process.execPath, [setUp, 'chromium'], { stdio: 'inherit', env });
  if (status !== 0) process.exit(status ?? 1);
}

const cpus = os.cpus();
const machine = `${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, Node ${process.version}, ${os.platform()} ${os.arch()}`;
console.log(`jsinterop benchmarks — ${machine}`);

const started = performance.now();
const all: BenchRow[] = [];
for (const [, module] of selected) {
  const rows = await module.run();
  all.push(...rows);
  if (markdown) console.log(`\n${toMarkdown(rows)}`);
}
console.log(`\ndone in ${((performance.now() - started) / 1000).toFixed(1)} s`);
if (jsonFile) await writeFile(jsonFile, JSON.stringify({ machine, date: new Date().toISOString(), rows: all }, null, 2) + '\n');
