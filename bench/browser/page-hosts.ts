/*
 * Starts the bench host in each hosting model from the bench page. Each host announces itself
 * by calling `jsinteropBench.attach`; this returns the models that could not start, and why.
 */
import { createInProcessRuntime, type HostingModel } from '../../src/index.js';
import { connectToServer } from '../../src/server-client.js';
import { hostInWorker } from '../../src/worker.js';
import { startBenchHost } from './bench-host.js';
import { BENCH_PATH, WORKER_SCRIPT } from './paths.js';

export async function startHosts(): Promise<Partial<Record<HostingModel, string>>> {
  const unavailable: Partial<Record<HostingModel, string>> = {};
  const fail = (model: HostingModel) => (error: unknown) => void (unavailable[model] = error instanceof Error ? error.message : String(error));
  const url = new URL(BENCH_PATH, location.href);
  url.protocol = 'ws:';
  await Promise.all([
    startBenchHost(createInProcessRuntime()).catch(fail('in-process')),
    hostInWorker(new Worker(WORKER_SCRIPT, { type: 'module' })).ready.catch(fail('worker')),
    connectToServer(url).catch(fail('server')),
  ]);
  return unavailable;
}
