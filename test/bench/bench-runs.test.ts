/*
 * `npm run bench` (dist/bench/run.js): every module runs to its end and reports a row for each of
 * its cases, in the tables and in `--json`. Nothing here looks at a speed (docs/benchmarks.md holds
 * the numbers); the sizes, rounds and windows are cut to the least that exercises each case, so
 * the suite notices a bench that no longer runs, not a slow one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const RUN = fileURLToPath(new URL('../../bench/run.js', import.meta.url));

/** The least work each module does and still runs every case. */
const QUICK = {
  BENCH_ROUNDS: '2',
  BENCH_ROUND_MS: '5',
  BENCH_WARMUP_MS: '10',
  STREAM_MIB: '1',
  STREAM_REPS: '1',
  STREAM_MIN_SAMPLE_MS: '1',
  CAPACITY_STEPS: '8,16',
  CAPACITY_SETTLE_MS: '200',
  CAPACITY_WINDOW_MS: '1500',
};

interface Row {
  suite: string;
  id: string;
  label: string;
  nsPerOp: number;
  details?: { failures?: number };
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  rows: Row[];
}

async function bench(args: string[]): Promise<Run> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'jsinterop-bench-test-'));
  const json = path.join(dir, 'rows.json');
  try {
    const child = spawn(process.execPath, ['--expose-gc', RUN, ...args, '--json', json], { env: { ...process.env, ...QUICK }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (data: Buffer) => (stdout += data.toString()));
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    const rows = code === 0 ? ((JSON.parse(await readFile(json, 'utf8')) as { rows: Row[] }).rows) : [];
    return { code, stdout, stderr, rows };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function assertRan(run: Run): void {
  assert.equal(run.code, 0, `the bench failed:\n${run.stderr.slice(-3000)}`);
  assert.match(run.stdout, /\ndone in [\d.]+ s\n/);
  for (const row of run.rows) assert.ok(Number.isFinite(row.nsPerOp) && row.nsPerOp > 0, `${row.suite} ${row.id}: ${row.nsPerOp} ns per operation`);
}

/** The ids of the rows of the suites whose name starts with `suite`. */
const idsOf = (run: Run, suite: string) => run.rows.filter((row) => row.suite.startsWith(suite)).map((row) => row.id);

test('the streams module moves the payload in every case of every model, Chromium included', async () => {
  const run = await bench(['streams']);
  assertRan(run);
  for (const model of ['in-process', 'worker', 'server']) {
    const ids = idsOf(run, `streams ${model}`);
    for (const id of ['ours-p2h', 'ours-h2p-stream', 'ours-h2p-buffer']) assert.ok(ids.includes(`${model}-${id}`), `streams ${model}: no row ${model}-${id} among ${ids.join(', ')}`);
    assert.ok(ids.some((id) => id.startsWith(`${model}-raw-p2h`)) && ids.some((id) => id.startsWith(`${model}-raw-h2p`)), `streams ${model}: a raw case is missing among ${ids.join(', ')}`);
  }
  const inProcess = idsOf(run, 'streams in-process');
  for (const id of ['raw-h2p-pieces', 'ours-h2p-pieces']) assert.ok(inProcess.includes(`in-process-${id}`), `streams in-process: no row ${id} among ${inProcess.join(', ')}`);
  const chromium = run.rows.filter((row) => /chromium/i.test(row.suite));
  for (const model of ['in-process', 'worker', 'server']) {
    assert.ok(chromium.some((row) => row.id.includes(model) && row.id.includes('ours-h2p-stream')), `no Chromium ${model} host → page row among ${chromium.map((row) => row.id).join(', ')}`);
  }
  assert.ok(chromium.some((row) => row.id === 'chromium-in-process-ours-h2p-pieces'), `no Chromium in-process row for a host stream of pieces among ${chromium.map((row) => row.id).join(', ')}`);
  // Every Blob read has a raw case that reads the same Blob, its ratio's baseline.
  const blobRows = [...idsOf(run, 'streams server'), ...idsOf(run, 'streams in-process'), ...chromium.map((row) => row.id)].filter((id) => id.includes('-p2h-blob'));
  for (const id of blobRows.filter((id) => id.includes('-ours-'))) {
    assert.ok(blobRows.includes(id.replace('-ours-', '-raw-')), `${id}: no raw case reads the same Blob, among ${blobRows.join(', ')}`);
  }
});

test('the capacity module ramps every server and reports each step without a failed call', async () => {
  const run = await bench(['capacity']);
  assertRan(run);
  for (const kind of ['jsinterop', 'raw', 'birpc', 'capnweb']) {
    assert.deepEqual(idsOf(run, 'capacity').filter((id) => id.startsWith(`${kind}-`)), [`${kind}-8`, `${kind}-16`]);
  }
  for (const row of run.rows) assert.equal(row.details?.failures, 0, `${row.id}: ${row.details?.failures} calls failed`);
  assert.match(run.stdout, /^\| jsinterop \| 16 \|/m, 'the summary has no row for jsinterop at the last step');
  assert.match(run.stdout, /^jsinterop: all costs at N = 16: /m, 'the arithmetic per server is missing');
});

test('the per-call modules report every case', async () => {
  const run = await bench(['in-process', 'worker', 'worker-browser', 'browser-models', 'server']);
  assertRan(run);
  const suites = new Set(run.rows.map((row) => row.suite));
  for (const ids of [['ours-sync', 'ours-async'], ['ours-seq', 'ours-pipe', 'ours-16m-transfer']]) {
    for (const id of ids) assert.ok(run.rows.some((row) => row.id === id), `no row ${id} in ${[...suites].join(', ')}`);
  }
  assert.ok([...suites].some((suite) => /chromium/i.test(suite)), `no Chromium suite among ${[...suites].join(', ')}`);
  assert.ok([...suites].some((suite) => /server/i.test(suite)), `no server suite among ${[...suites].join(', ')}`);
});

test('a module name the bench does not have is refused with the list of modules', async () => {
  const run = await bench(['no-such-module']);
  assert.equal(run.code, 1);
  assert.match(run.stderr, /no module no-such-module; the modules are in-process, worker, worker-browser, browser-models, server, streams, capacity\./);
});
