/*
 * A page for one Worker test, in Node: a fresh instance of the official package on the main
 * thread (the page), attached with hostInWorker to a real worker_threads Worker running
 * fixtures/host-worker.js (the host). Everything is torn down when the test ends.
 */
import { MessageChannel, Worker } from 'node:worker_threads';
import type { TestContext } from 'node:test';
import { freshDotNet } from '../../support/page.js';
import { hostInWorker, type HostInWorkerOptions, type WorkerHost } from '../../../src/worker.js';
import type { DotNetNamespace } from '../../../src/page/official-package.js';
import type { HostWorkerData } from './fixtures/host-worker.js';

export const HOST_WORKER = new URL('./fixtures/host-worker.js', import.meta.url);

export interface WorkerPage {
  readonly DotNet: DotNetNamespace;
  readonly worker: Worker;
  /** Undefined until attached (see `attach` in {@link StartOptions}). */
  host: WorkerHost;
  /** Attaches the page to the Worker (done by `startWorkerHost` unless `attach: false`). */
  attach(options?: HostInWorkerOptions): WorkerHost;
  /** Calls a 'WorkerTests' invokable of the host. */
  call<T = any>(method: string, ...args: unknown[]): Promise<T>;
  /** Runs a host scenario (fixtures/scenarios.ts) and returns what it reported. */
  run<T = any>(scenario: string, ...args: unknown[]): Promise<T>;
  /** Puts a function or value on the page's global object for this test. */
  define(name: string, value: unknown): void;
  /** The next message the Worker posted on its control port. */
  nextReport<T = any>(): Promise<T>;
}

export interface StartOptions {
  readonly page?: HostInWorkerOptions;
  readonly data?: Omit<HostWorkerData, 'control'>;
  /** Attach at once (default) or leave it to the test. */
  readonly attach?: boolean;
}

export async function startWorkerHost(t: TestContext, options: StartOptions = {}): Promise<WorkerPage> {
  const DotNet = await freshDotNet();
  // Blazor's disposal identifier "DotNet.disposeJSObjectReferenceById" resolves through window.DotNet.
  const previousDotNet = (globalThis as any).DotNet;
  (globalThis as any).DotNet = DotNet;
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(HOST_WORKER, { workerData: { ...options.data, control: port2 }, transferList: [port2] });
  const reports: unknown[] = [];
  const waiting: ((value: unknown) => void)[] = [];
  port1.on('message', (value) => (waiting.length ? waiting.shift()!(value) : reports.push(value)));
  const defined: string[] = [];
  t.after(async () => {
    if (page.host && !page.host.closed) page.host.close('the test ended');
    port1.close();
    await worker.terminate();
    for (const name of defined) delete (globalThis as any)[name];
    (globalThis as any).DotNet = previousDotNet;
  });

  const page: WorkerPage = {
    DotNet,
    worker,
    host: undefined as unknown as WorkerHost,
    attach: (pageOptions) => (page.host = hostInWorker(worker, { DotNet, ...options.page, ...pageOptions })),
    call: (method, ...args) => DotNet.invokeMethodAsync('WorkerTests', method, ...args),
    run: (scenario, ...args) => DotNet.invokeMethodAsync('WorkerTests', 'Run', scenario, ...args),
    define(name, value) {
      if (name in globalThis) throw new Error(`the page global '${name}' already exists; pick another name`);
      (globalThis as any)[name] = value;
      defined.push(name);
    },
    nextReport: <T>() => new Promise<T>((resolve) => (reports.length ? resolve(reports.shift() as T) : waiting.push(resolve as (value: unknown) => void))),
  };
  if (options.attach !== false) page.attach();
  return page;
}

/** Resolves with the reason an event-emitting Worker ended: its 'exit' code. */
export function exited(worker: Worker): Promise<number> {
  return new Promise((resolve) => worker.once('exit', resolve));
}

/** How a promise settled, as text: 'resolved', or the rejection's message. Attach it at once, so an early rejection is never unhandled. */
export function outcome(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'resolved',
    (error: Error) => error.message,
  );
}
