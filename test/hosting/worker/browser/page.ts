/*
 * The page of the Chromium Worker test: the official package (through jsinterop/page) and
 * hostInWorker, bundled with esbuild. It starts the host Worker (host.ts, bundled beside it)
 * when the test asks, and offers the page functions the host calls. Outside a browser page
 * (node --test runs every file under test/) it does nothing.
 */
import '../../../../src/page.js';
import { asInProcess, isInProcess } from '../../../../src/index.js';
import { connectToPage, hostInWorker, transfer, type WorkerHost } from '../../../../src/worker.js';
import { installBlazorStylePage } from '../../elements/blazor-style-page.js';

interface WorkerTestPage {
  start(): Promise<{ syncCalls: boolean; isolated: boolean }>;
  run(scenario: string): Promise<any>;
  bytesToHost(): Promise<{ sum: number; after: number }>;
  terminateWithPendingCall(): Promise<string>;
  /** Waits for the connection to close (host.ended); returns its reason if a page call then fails with the same text. */
  whenClosed(): Promise<string>;
  /** Starts a module Worker from `url` (with `{ scriptUrl }` if `check`) that must fail; resolves with the message `ready` rejected with. */
  failToStart(url: string, check: boolean): Promise<string>;
  /** A host on this (main) thread over a MessageChannel: the page offers a buffer, but this thread may not block. */
  hostOnMainThread(): Promise<{ offered: boolean; accepted: boolean; inProcess: boolean; asyncOnly: string; sum: number }>;
}

declare global {
  interface Window {
    workerTest: WorkerTestPage;
  }
}

if (typeof document !== 'undefined') {
  const g = globalThis as any;
  installBlazorStylePage();
  const call = (method: string, ...args: unknown[]): Promise<any> => g.DotNet.invokeMethodAsync('BrowserWorkerTests', method, ...args);
  g.wtAdd = (a: number, b: number) => a + b;
  g.wtNever = () => new Promise(() => {});
  g.wtEcho = (text: string) => text;
  g.wtRepeat = (text: string, count: number) => text.repeat(count);
  g.wtThrow = () => {
    throw new Error('thrown on the page');
  };
  g.wtInspectBytes = (bytes: Uint8Array) => ({ type: bytes.constructor.name, length: bytes.length, last: bytes[bytes.length - 1] });
  g.wtMakeBytes = (length: number) => Uint8Array.from({ length }, (_, i) => (i * 7) & 0xff);
  g.wtMakeBlob = (length: number) => new Blob([g.wtMakeBytes(length)]);
  g.wtUseHostObject = async (reference: any) => [await reference.invokeMethodAsync('add', 2), await reference.invokeMethodAsync('add', 3)];

  let worker: Worker;
  let host: WorkerHost;
  window.workerTest = {
    async start() {
      worker = new Worker(new URL('./host.js', import.meta.url), { type: 'module' });
      host = hostInWorker(worker, { syncBufferSize: 4096 });
      await host.ready;
      return { syncCalls: host.syncCalls, isolated: crossOriginIsolated };
    },
    run: (scenario) => call('Run', scenario),
    async bytesToHost() {
      const bytes = new Uint8Array(100_000).fill(3);
      const sum = await call('SumBytes', transfer(bytes));
      return { sum, after: bytes.byteLength };
    },
    async terminateWithPendingCall() {
      const pending = call('Never').then(
        () => 'resolved',
        (error: Error) => error.message,
      );
      worker.terminate();
      return pending;
    },
    async hostOnMainThread() {
      const { port1, port2 } = new MessageChannel();
      const pageEnd = hostInWorker(port1);
      const offered = pageEnd.syncCalls;
      const js = await connectToPage({ port: port2 });
      await pageEnd.ready;
      let asyncOnly = '';
      try {
        asInProcess(js);
      } catch (error) {
        asyncOnly = (error as Error).message;
      }
      const sum = await js.invokeAsync<number>('wtAdd', 2, 3);
      pageEnd.close();
      return { offered, accepted: pageEnd.syncCalls, inProcess: isInProcess(js), asyncOnly, sum };
    },
    async failToStart(url, check) {
      const scriptUrl = new URL(url, location.href);
      const failing = hostInWorker(new Worker(scriptUrl, { type: 'module' }), check ? { scriptUrl } : {});
      return failing.ready.then(
        () => 'started',
        (error: Error) => error.message,
      );
    },
    async whenClosed() {
      const reason = await host.ended;
      return call('SumBytes', new Uint8Array(1)).then(
        () => 'resolved',
        (error: Error) => (error.message === reason ? reason : `the call failed with "${error.message}", the close said "${reason}"`),
      );
    },
  };
}
