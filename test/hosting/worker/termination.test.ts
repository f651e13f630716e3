/*
 * Failure: the Worker terminated, crashed or exited, the page closing, the host disconnecting.
 * Every pending call on both sides settles at once, naming the cause; nothing waits for a
 * timeout. Page-side JS objects the host held are released.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { hostInWorker } from '../../../src/worker.js';
import { freshDotNet } from '../../support/page.js';
import { outcome, startWorkerHost, type WorkerPage } from './support.js';

describe('when either side of a Worker host goes away', () => {
  /** Has the host hold a page object; returns its id once the page holds it for the host. */
  async function holdObject(page: WorkerPage): Promise<number> {
    page.define('wtMakeObject', () => ({ name: () => 'held' }));
    const ran = page.run('holdObject');
    const { heldId } = await page.nextReport();
    await ran;
    assert.equal(typeof page.DotNet.findJSFunction('name', heldId), 'function'); // held for the host
    return heldId;
  }
  const released = /JS object instance with ID \d+ does not exist/;

  test('terminating the Worker rejects the page calls in flight and releases what the host held', async (t) => {
    const page = await startWorkerHost(t);
    await page.host.ready;
    const heldId = await holdObject(page);
    const pending = outcome(page.call('Never'));
    await page.worker.terminate();
    assert.equal(await pending, 'The Worker was terminated.');
    assert.throws(() => page.DotNet.findJSFunction('name', heldId), released);
    assert.equal(page.host.closed, true);
    assert.equal(await page.host.ended, 'The Worker was terminated.');
    await assert.rejects(page.call('Add', 1, 2), /The Worker was terminated/);
  });

  test('a Worker that crashes rejects the page calls in flight with its error and releases what the host held', async (t) => {
    const page = await startWorkerHost(t);
    const heldId = await holdObject(page);
    const pending = outcome(page.call('Never'));
    // The crash comes a moment after Crash answers, but Node reports a Worker's uncaught error on a
    // channel of its own, which may overtake the answer: the Crash call itself may fail either way.
    const crash = outcome(page.call('Crash', 'the host blew up'));
    assert.equal(await pending, 'The Worker failed: the host blew up');
    assert.match(await crash, /^(resolved|The Worker failed: the host blew up)$/);
    assert.equal(await page.host.ended, 'The Worker failed: the host blew up');
    assert.throws(() => page.DotNet.findJSFunction('name', heldId), released);
  });

  test('a Worker that exits rejects the page calls in flight with its exit code', async (t) => {
    const page = await startWorkerHost(t);
    const pending = outcome(page.call('Never'));
    await page.call('Exit', 3);
    assert.equal(await pending, 'The Worker exited (exit code 3).');
  });

  test('a Worker whose script fails before connecting rejects ready and the calls waiting for it', async (t) => {
    const page = await startWorkerHost(t, { data: { mode: 'throw-at-start' } });
    const early = outcome(page.call('Add', 1, 2));
    await assert.rejects(page.host.ready, { message: 'The Worker failed to start: the host script failed at start' });
    assert.equal(await early, 'The Worker failed to start: the host script failed at start');
  });

  test('a Worker whose script does not parse rejects ready saying it is a SyntaxError', async (t) => {
    // Written at run time: the compiler would refuse it as a source file. A decorator no compiler
    // transformed, as a build that skipped the host script would leave it.
    const dir = await mkdtemp(path.join(os.tmpdir(), 'jsinterop-worker-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const script = path.join(dir, 'does-not-parse.mjs');
    await writeFile(script, 'export const x = 1;\n@decorator class A {}\n');
    const worker = new Worker(script);
    t.after(() => worker.terminate());
    const host = hostInWorker(worker, { DotNet: await freshDotNet() });
    // Node's own text after the name ("Invalid or unexpected token" in Node 20) may change.
    await assert.rejects(host.ready, { message: /^The Worker failed to start: SyntaxError: \S/ });
  });

  test('the page closing fails the host calls in flight with JSDisconnectedException and releases what the host held', async (t) => {
    const page = await startWorkerHost(t);
    page.define('wtMakeObject', () => ({ name: () => 'held' }));
    page.define('wtNever', () => new Promise(() => {}));
    page.define('wtKeep', () => {});
    const scenario = outcome(page.run('pendingThenClosed'));
    const { heldId, hostObjects } = await page.nextReport();
    assert.equal(typeof page.DotNet.findJSFunction('name', heldId), 'function'); // held for the host
    assert.equal(hostObjects, 1, 'the host holds its object for the page');
    const pageCall = outcome(page.call('Never'));
    page.host.close('the page is going away');
    assert.equal(await pageCall, 'the page is going away');
    assert.equal(await scenario, 'the page is going away');
    const report = await page.nextReport();
    assert.equal(report.pending.error.name, 'JSDisconnectedException');
    assert.match(report.pending.error.message, /the page is going away/);
    assert.equal(report.later.error.name, 'JSDisconnectedException');
    assert.equal(report.stats.pendingCalls, 0);
    assert.equal(report.stats.hostObjectReferences, 0, 'the host released what it held for the page');
    assert.throws(() => page.DotNet.findJSFunction('name', heldId), /JS object instance with ID \d+ does not exist/);
  });

  test('the host disconnecting rejects the page calls in flight with its reason', async (t) => {
    const page = await startWorkerHost(t);
    const pending = outcome(page.call('Never'));
    await page.call('Disconnect', 'host shutting down');
    assert.equal(await pending, 'The host disconnected: host shutting down');
    assert.equal(page.host.closed, true);
  });
});
