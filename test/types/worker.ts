/*
 * Worker hosting: the Worker's runtime is an IJSRuntime that narrows to IJSInProcessRuntime only
 * through isInProcess/asInProcess; the page's handle is read-only and says why it ended;
 * transfer() keeps the array's own type (a Uint8Array subclass stays that subclass).
 */
import { asInProcess, isInProcess, type IJSInProcessRuntime, type IJSRuntime } from 'jsinterop';
import { connectToPage, hostInWorker, transfer, type WorkerHost } from '../../src/worker.js';
import { expectTrue, type Equal } from './assert-type.js';

export async function workerSideTypes(): Promise<void> {
  const js = await connectToPage({ syncTimeout: 5_000 });
  expectTrue<Equal<typeof js, IJSRuntime>>();
  // @ts-expect-error sync members need asInProcess: the page may not share memory with this Worker
  js.invoke('Math.max', 1, 2);
  if (isInProcess(js)) expectTrue<Equal<typeof js, IJSInProcessRuntime>>();
  const max: number = asInProcess(js).invoke<number>('Math.max', 1, 2);
  void max;
  class Pixels extends Uint8Array {}
  const pixels = transfer(new Pixels(4));
  expectTrue<Equal<typeof pixels, Pixels>>();
  // @ts-expect-error only byte arrays (Uint8Array and its subclasses) can be moved
  transfer(new Float32Array(4));
}

export async function pageSideTypes(worker: Worker): Promise<void> {
  const host = hostInWorker(worker, { syncBufferSize: 4096, onError: (error) => expectTrue<Equal<typeof error, unknown>>() });
  expectTrue<Equal<typeof host, WorkerHost>>();
  await host.ready;
  const reason = await host.ended;
  expectTrue<Equal<typeof reason, string>>();
  // @ts-expect-error read-only: the handle reports the state, close() changes it
  host.closed = false;
  host.close('done');
}
