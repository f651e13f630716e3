/**
 * Worker hosting: the host runs in a Worker (a browser module Worker or a Node `worker_threads`
 * Worker), the page on the main thread.
 *
 * - In the Worker: `const js = await connectToPage()` gives the host its runtime; it is also an
 *   `IJSInProcessRuntime` (sync calls through a SharedArrayBuffer) when `isInProcess(js)` says so.
 * - On the page: `hostInWorker(worker)` attaches the official page package to that host.
 * - Either side: `transfer(bytes)` moves a byte array instead of copying it.
 *
 * The two halves are separate modules with no side effects, so a page bundle that imports only
 * `hostInWorker` leaves the host out.
 *
 * @packageDocumentation
 */
export { connectToPage, DEFAULT_SYNC_SPIN, DEFAULT_SYNC_TIMEOUT, type ConnectToPageOptions } from './hosting/worker/connect-to-page.js';
export { hostInWorker, type HostInWorkerOptions, type WorkerHost } from './hosting/worker/host-in-worker.js';
export { transfer } from './hosting/worker/transfer.js';
export type { MessageTarget } from './hosting/worker/ports.js';
export type { IJSRuntime, IJSInProcessRuntime } from './host/types.js';
// isInProcess, asInProcess and the error classes come from 'jsinterop': re-exporting them here
// would put the host's classes into every page bundle that imports hostInWorker.
