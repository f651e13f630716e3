/*
 * The Worker model with both of its halves in this thread: the page side (hostInWorker) and the
 * host side (connectToPage) joined by a real MessageChannel. Every call takes the whole message
 * path (handshake, outbox batching, structured clone, MessageHost, the page channel and the
 * official package's dispatcher); only the second thread is missing.
 *
 * Without it there are no synchronous calls: the host would block the very thread that has to
 * answer. So the page offers none (sync: false), and the runtime is async-only, as in a browser
 * page that is not cross-origin isolated.
 */
import { MessageChannel } from 'node:worker_threads';
import type { TestContext } from 'node:test';
import { isInProcess, type IJSRuntime, type RuntimeOptions } from '../../src/index.js';
import { connectToPage, hostInWorker } from '../../src/worker.js';
import type { DotNetNamespace } from '../../src/page/official-package.js';
import { resolveReleasesOnOwnInstance } from './page.js';

/**
 * Attaches `DotNet` (the page) to a host over a new same-thread channel and resolves with the
 * host's runtime once the handshake is done. The channel closes when the test ends.
 */
export async function connectOverChannel(t: TestContext, DotNet: DotNetNamespace, { directCalls, ...options }: RuntimeOptions & { directCalls?: boolean } = {}): Promise<IJSRuntime> {
  resolveReleasesOnOwnInstance(DotNet);
  const { port1: pagePort, port2: hostPort } = new MessageChannel();
  const worker = hostInWorker(pagePort, { DotNet, sync: false, directCalls });
  t.after(() => {
    worker.close('the test ended');
    pagePort.close(); // an open port keeps the process alive
  });
  const [js] = await Promise.all([connectToPage({ ...options, port: hostPort }), worker.ready]);
  // A twin that quietly ran in-process would pass every test and prove nothing about the Worker.
  if (js.hostingModel !== 'worker' || isInProcess(js)) throw new Error(`expected an async-only Worker runtime, got ${js.hostingModel}`);
  return js;
}
