/*
 * The Worker half of bench/worker.ts. The main thread (the page) answers; this thread makes the
 * calls, one way per library, each over its own MessageChannel, and times nothing itself: the
 * main thread sends `{ cmd, n }` and takes the time until `{ done }` comes back, so every case
 * pays the same command round trip, spread over n operations.
 */
import { parentPort, type MessagePort } from 'node:worker_threads';
import { createBirpc } from 'birpc';
import { newMessagePortRpcSession } from 'capnweb';
import { asInProcess, type IJSRuntime } from '../../src/index.js';
import { connectToPage, transfer } from '../../src/worker.js';
import { dispatcherCaller } from './sab-dispatcher.js';
import { dispatcherPortCaller } from './dispatcher-floor.js';
import { awaitAnswer, sabWaitCall, VALUE } from './sab-calls.js';
import { pipelined, sequential } from './call-loops.js';
import { collectYoungGarbage } from './harness.js';

export interface WorkerBenchSetup {
  readonly raw: MessagePort;
  readonly rawBytes: MessagePort;
  readonly rawFresh: MessagePort;
  readonly comlink: MessagePort;
  readonly birpc: MessagePort;
  readonly capnweb: MessagePort;
  readonly ours: MessagePort;
  readonly oursNoSpin: MessagePort;
  /** The official dispatcher driven over a bare port (support/dispatcher-floor.ts). */
  readonly floor: MessagePort;
  readonly sabPostPort: MessagePort;
  /** Hand-written sync call, page woken by postMessage: [STATE] = id of the answered call, [VALUE] = answer. */
  readonly sabPost: SharedArrayBuffer;
  /** Hand-written sync call, page woken by Atomics.waitAsync: [STATE] answered id, [VALUE], [REQUEST] id asked for. */
  readonly sabWait: SharedArrayBuffer;
  /** The same, with a page that polls for the next request after each answer (as ours does). */
  readonly sabWaitPageSpin: SharedArrayBuffer;
  /** Hand-written sync interop (support/sab-dispatcher.ts): no page spin, and page spin 1024. */
  readonly sabDispatcher: SharedArrayBuffer;
  readonly sabDispatcherPageSpin: SharedArrayBuffer;
  /** Spin iterations for the hand-written "spin" variants (ours uses its default). */
  readonly spin: number;
}

export const BYTES_16M = 16 * 1024 * 1024;
export const WINDOW = 1000;

/** Request/response over a bare port: an id per call, answers matched by id. */
function rawClient(port: MessagePort): () => Promise<unknown> {
  const pending = new Map<number, (value: unknown) => void>();
  let nextId = 0;
  port.on('message', (message: [number, number]) => {
    const resolve = pending.get(message[0])!;
    pending.delete(message[0]);
    resolve(message[1]);
  });
  return () =>
    new Promise((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      port.postMessage([id, 1, 2]);
    });
}

/** The hand-written sync call the anchors describe: post the request, block on the answer. */
function sabPostCall(port: MessagePort, buffer: SharedArrayBuffer): (x: number, spin: number) => number {
  const header = new Int32Array(buffer);
  let id = 0;
  return (x, spin) => {
    id++;
    port.postMessage([id, x]);
    awaitAnswer(header, id, spin);
    return header[VALUE]!;
  };
}

function syncLoop(n: number, call: (x: number) => number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += call(i);
  return sum;
}

if (parentPort) {
  const control = parentPort;
  control.once('message', async (setup: WorkerBenchSetup) => {
    const Comlink: typeof import('comlink') = await import('comlink/dist/esm/comlink.mjs' as string);
    const { default: nodeEndpoint } = await import('comlink/dist/esm/node-adapter.mjs' as string);
    const raw = rawClient(setup.raw);
    const comlink = Comlink.wrap<{ add(a: number, b: number): number }>(nodeEndpoint(setup.comlink));
    const birpc = createBirpc<{ add(a: number, b: number): number }>({}, {
      post: (data) => setup.birpc.postMessage(data),
      on: (fn) => void setup.birpc.on('message', fn),
    });
    const capnweb = newMessagePortRpcSession<{ add(a: number, b: number): number }>(setup.capnweb as any);
    const js: IJSRuntime = await connectToPage({ port: setup.ours });
    const jsNoSpin: IJSRuntime = await connectToPage({ port: setup.oursNoSpin, syncSpin: 0 });
    const floor = dispatcherPortCaller(setup.floor);
    const sync = asInProcess(js);
    const syncNoSpin = asInProcess(jsNoSpin);
    // 16 MiB each way, moved both ways so the loop allocates nothing: the page sends the array back.
    const rawBytesAck = new Map<number, (bytes: Uint8Array) => void>();
    let bytesId = 0;
    setup.rawBytes.on('message', ([id, bytes]: [number, Uint8Array]) => {
      rawBytesAck.get(id)!(bytes);
      rawBytesAck.delete(id);
    });
    let rawBuffer: Uint8Array = new Uint8Array(BYTES_16M);
    const rawBytes = () =>
      new Promise<void>((resolve) => {
        rawBytesAck.set(++bytesId, (bytes) => {
          rawBuffer = bytes;
          resolve();
        });
        setup.rawBytes.postMessage([bytesId, rawBuffer], [rawBuffer.buffer as ArrayBuffer]);
      });
    let floorBuffer: Uint8Array = new Uint8Array(BYTES_16M);
    const floorBytes = async () => {
      floorBuffer = (await floor('benchBounce', [floorBuffer])) as Uint8Array;
    };
    let oursBuffer: Uint8Array = new Uint8Array(BYTES_16M);
    const oursBytes = async () => {
      oursBuffer = await js.invokeAsync<Uint8Array>('benchBounce', transfer(oursBuffer));
    };
    // The same with a fresh array per call, as a host producing new data would send it.
    const freshAcks = new Map<number, () => void>();
    setup.rawFresh.on('message', (id: number) => {
      freshAcks.get(id)!();
      freshAcks.delete(id);
    });
    const rawFresh = () =>
      new Promise<void>((resolve) => {
        const bytes = new Uint8Array(BYTES_16M);
        freshAcks.set(++bytesId, resolve);
        setup.rawFresh.postMessage([bytesId, bytes], [bytes.buffer]);
      });
    const reused = new Uint8Array(BYTES_16M);
    // Copied by the structured clone (no transfer list): one 16 MiB copy per call, as ours makes by default.
    const rawCopy = () =>
      new Promise<void>((resolve) => {
        freshAcks.set(++bytesId, resolve);
        setup.rawFresh.postMessage([bytesId, reused]);
      });
    const sabPost = sabPostCall(setup.sabPostPort, setup.sabPost);
    const sabWait = sabWaitCall(setup.sabWait);
    const sabWaitPageSpin = sabWaitCall(setup.sabWaitPageSpin);
    const sabDispatcher = dispatcherCaller(setup.sabDispatcher);
    const sabDispatcherPageSpin = dispatcherCaller(setup.sabDispatcherPageSpin);

    const cases: Record<string, (n: number) => unknown> = {
      'raw-seq': (n) => sequential(n, raw),
      'comlink-seq': (n) => sequential(n, () => comlink.add(1, 2)),
      'birpc-seq': (n) => sequential(n, () => birpc.add(1, 2)),
      'capnweb-seq': (n) => sequential(n, () => capnweb.add(1, 2)),
      'floor-seq': (n) => sequential(n, () => floor('benchAdd', [1, 2])),
      'ours-seq': (n) => sequential(n, () => js.invokeAsync('benchAdd', 1, 2)),
      'raw-pipe': (n) => pipelined(n, WINDOW, raw),
      'comlink-pipe': (n) => pipelined(n, WINDOW, () => comlink.add(1, 2)),
      'birpc-pipe': (n) => pipelined(n, WINDOW, () => birpc.add(1, 2)),
      'capnweb-pipe': (n) => pipelined(n, WINDOW, () => capnweb.add(1, 2)),
      'floor-pipe': (n) => pipelined(n, WINDOW, () => floor('benchAdd', [1, 2])),
      'ours-pipe': (n) => pipelined(n, WINDOW, () => js.invokeAsync('benchAdd', 1, 2)),
      'sab-post': (n) => syncLoop(n, (x) => sabPost(x, 0)),
      'sab-post-spin': (n) => syncLoop(n, (x) => sabPost(x, setup.spin)),
      'sab-wait': (n) => syncLoop(n, (x) => sabWait(x, 0)),
      'sab-wait-spin': (n) => syncLoop(n, (x) => sabWait(x, setup.spin)),
      'sab-wait-spin-both': (n) => syncLoop(n, (x) => sabWaitPageSpin(x, setup.spin)),
      'sab-dispatcher': (n) => syncLoop(n, () => sabDispatcher('benchAdd', [1, 2], 0) as number),
      'sab-dispatcher-spin-both': (n) => syncLoop(n, () => sabDispatcherPageSpin('benchAdd', [1, 2], setup.spin) as number),
      'ours-sync-nospin': (n) => syncLoop(n, () => syncNoSpin.invoke<number>('benchAdd', 1, 2)),
      'ours-sync': (n) => syncLoop(n, () => sync.invoke<number>('benchAdd', 1, 2)),
      'raw-16m': (n) => sequential(n, rawBytes),
      'floor-16m': (n) => sequential(n, floorBytes),
      'ours-16m-transfer': (n) => sequential(n, oursBytes),
      'raw-16m-fresh': (n) => sequential(n, rawFresh),
      'ours-16m-fresh': (n) => sequential(n, () => js.invokeVoidAsync('benchTakeBytes', transfer(new Uint8Array(BYTES_16M)))),
      'raw-16m-copy': (n) => sequential(n, rawCopy),
      'ours-16m-copy': (n) => sequential(n, () => js.invokeVoidAsync('benchTakeBytes', reused)),
    };
    control.on('message', async ({ cmd, n }: { cmd: string; n: number }) => {
      if (cmd === 'exit') return process.exit(0);
      if (cmd === 'collect-young-garbage') return void (collectYoungGarbage(), control.postMessage({ done: cmd }));
      const result = await cases[cmd]!(n);
      control.postMessage({ done: cmd, result });
    });
    control.postMessage({ ready: true });
  });
}
