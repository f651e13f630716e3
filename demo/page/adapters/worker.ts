/*
 * Worker: the host code runs in a module Worker (demo/worker/main.ts) and reaches the page over
 * postMessage, with a SharedArrayBuffer for synchronous calls when the page is cross-origin
 * isolated. Opening the panel again terminates the Worker and starts a fresh one.
 */
import { hostInWorker, type WorkerHost } from '../../../src/worker.js';
import type { HostingAdapter } from './adapter.js';

/** The Worker bundle (see demo/build.ts); like every response, it is served with COOP/COEP. */
const WORKER_SCRIPT = '/worker.js';

export function workerAdapter(): HostingAdapter {
  let host: WorkerHost | undefined;
  return {
    model: 'worker',
    title: 'Worker',
    where: 'Host code runs in a module Worker; a sync call blocks the Worker on a SharedArrayBuffer until the page answers.',
    async start(events) {
      host?.terminate();
      events.connection('starting', false);
      const current = hostInWorker(new Worker(WORKER_SCRIPT, { type: 'module', name: 'jsinterop demo host' }), {
        onError: (error) => console.error('jsinterop demo Worker:', error),
      });
      host = current;
      await current.ready;
      events.connection(current.syncCalls ? 'postMessage + SharedArrayBuffer' : 'postMessage only', true);
    },
  };
}
