/*
 * The Worker half of bench/worker-browser.ts (Chromium): the Worker makes the calls, the page
 * answers. Each case is timed here, in the Worker where it starts, and the elapsed milliseconds
 * go back to the page over a control port. Same designs as the Node bench
 * (bench/support/worker-bench-host.ts), without the third-party libraries.
 */
import { asInProcess, type IJSRuntime } from '../../src/index.js';
import { connectToPage, transfer } from '../../src/worker.js';
import { dispatcherCaller } from '../support/sab-dispatcher.js';
import { sabWaitCall } from '../support/sab-calls.js';
import { pipelined, sequential } from '../support/call-loops.js';

export interface BrowserWorkerSetup {
  readonly control: MessagePort;
  readonly raw: MessagePort;
  readonly rawBytes: MessagePort;
  readonly ours: MessagePort;
  readonly oursNoSpin: MessagePort;
  /** Hand-written sync calls, page woken by Atomics.waitAsync: [0] answered id, [1] value, [2] requested id. */
  readonly sabWait: SharedArrayBuffer;
  readonly sabWaitPageSpin: SharedArrayBuffer;
  /** Hand-written sync interop (bench/support/sab-dispatcher.ts): no page spin, and page spin 1024. */
  readonly sabDispatcher: SharedArrayBuffer;
  readonly sabDispatcherPageSpin: SharedArrayBuffer;
}

const BYTES_16M = 16 * 1024 * 1024;
const WINDOW = 1000;
const SPIN = 4096;

function rawClient(port: MessagePort): () => Promise<unknown> {
  const pending = new Map<number, (value: unknown) => void>();
  let nextId = 0;
  port.onmessage = (event: MessageEvent<[number, unknown]>) => {
    const resolve = pending.get(event.data[0])!;
    pending.delete(event.data[0]);
    resolve(event.data[1]);
  };
  return () =>
    new Promise((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      port.postMessage([id, 1, 2]);
    });
}

const g = globalThis as any;
if (typeof g.WorkerGlobalScope === 'function' && g instanceof g.WorkerGlobalScope) {
  g.onmessage = async (event: MessageEvent<BrowserWorkerSetup>) => {
    const setup = event.data;
    const js: IJSRuntime = await connectToPage({ port: setup.ours });
    const jsNoSpin: IJSRuntime = await connectToPage({ port: setup.oursNoSpin, syncSpin: 0 });
    const sync = asInProcess(js);
    const syncNoSpin = asInProcess(jsNoSpin);
    const raw = rawClient(setup.raw);
    // 16 MiB each way, moved both ways so the loop allocates nothing: the page sends the array back.
    const acks: ((bytes: Uint8Array) => void)[] = [];
    setup.rawBytes.onmessage = (e: MessageEvent<Uint8Array>) => acks.shift()!(e.data);
    let rawBuffer: Uint8Array = new Uint8Array(BYTES_16M);
    const rawBytes = () =>
      new Promise<void>((resolve) => {
        acks.push((bytes) => {
          rawBuffer = bytes;
          resolve();
        });
        setup.rawBytes.postMessage(rawBuffer, [rawBuffer.buffer as ArrayBuffer]);
      });
    let oursBuffer: Uint8Array = new Uint8Array(BYTES_16M);
    const oursBytes = async () => {
      oursBuffer = await js.invokeAsync<Uint8Array>('benchBounce', transfer(oursBuffer));
    };
    const reused = new Uint8Array(BYTES_16M);
    const sabWait = sabWaitCall(setup.sabWait);
    const sabWaitPageSpin = sabWaitCall(setup.sabWaitPageSpin);
    const sabDispatcher = dispatcherCaller(setup.sabDispatcher);
    const sabDispatcherPageSpin = dispatcherCaller(setup.sabDispatcherPageSpin);
    const syncLoop = (n: number, call: (x: number) => number) => {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += call(i);
      return sum;
    };
    const cases: Record<string, (n: number) => unknown> = {
      'raw-seq': (n) => sequential(n, raw),
      'ours-seq': (n) => sequential(n, () => js.invokeAsync('benchAdd', 1, 2)),
      'raw-pipe': (n) => pipelined(n, WINDOW, raw),
      'ours-pipe': (n) => pipelined(n, WINDOW, () => js.invokeAsync('benchAdd', 1, 2)),
      'sab-wait': (n) => syncLoop(n, (x) => sabWait(x, 0)),
      'sab-wait-spin': (n) => syncLoop(n, (x) => sabWait(x, SPIN)),
      'sab-wait-spin-both': (n) => syncLoop(n, (x) => sabWaitPageSpin(x, SPIN)),
      'sab-dispatcher': (n) => syncLoop(n, () => sabDispatcher('benchAdd', [1, 2], 0) as number),
      'sab-dispatcher-spin-both': (n) => syncLoop(n, () => sabDispatcherPageSpin('benchAdd', [1, 2], SPIN) as number),
      'ours-sync-nospin': (n) => syncLoop(n, () => syncNoSpin.invoke<number>('benchAdd', 1, 2)),
      'ours-sync': (n) => syncLoop(n, () => sync.invoke<number>('benchAdd', 1, 2)),
      'raw-16m': (n) => sequential(n, rawBytes),
      'ours-16m-transfer': (n) => sequential(n, oursBytes),
      'ours-16m-copy': (n) => sequential(n, () => js.invokeVoidAsync('benchTakeBytes', reused)),
    };
    setup.control.onmessage = async (message: MessageEvent<{ cmd: string; n: number }>) => {
      const started = performance.now();
      await cases[message.data.cmd]!(message.data.n);
      setup.control.postMessage(performance.now() - started);
    };
    setup.control.postMessage('ready');
  };
}
