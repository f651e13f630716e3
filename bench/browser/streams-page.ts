/*
 * The Chromium stream bench page (bench/streams-chromium.ts): starts a stream host in each hosting
 * model, then, in rounds that rotate the order, moves the payload page → host and host → page
 * with jsinterop and with the raw transport of each model, and POSTs the times to /report.
 *
 *   raw in-process  a ReadableStream of 1 MiB subarrays of the page's bytes (page → host); the
 *                   host's bytes in one chunk, read by the page (host → page)
 *   raw Worker      postMessage of pieces to and from a bare Worker, copied or moved, of the Worker
 *                   hosting model's chunk sizes (page → host 256 KiB, host → page 120 KiB)
 *   raw server      binary frames over a second WebSocket to the same server: the page sends
 *                   frames of the server's maxMessageSize, the server sends frames of its stream chunk
 */
import '../../src/page.js';
import { createInProcessRuntime, type HostingModel } from '../../src/index.js';
import { connectToServer } from '../../src/server-client.js';
import { hostInWorker } from '../../src/worker.js';
import { WORKER_HOST_STREAM_CHUNK, WORKER_PAGE_STREAM_CHUNK } from '../../src/hosting/worker/stream-sizes.js';
import type { DotNetObjectLike } from '../../demo/component/page-api.js';
import { drain, eachChunkOf, MIB, payload, piecesOf } from '../support/stream-bytes.js';
import { repeated, STREAMS_GLOBAL, startStreamHost, type PageSink, type PageSource } from './stream-host.js';
import { BENCH_PATH, RAW_STREAM_PATH, RAW_STREAM_WORKER, REPORT_PATH, STREAMS_WORKER } from './paths.js';

const query = new URLSearchParams(location.search);
const SIZE = Number(query.get('mib') ?? 64) * MIB;
const REPS = Number(query.get('reps') ?? 5);
/** An in-process sample moves the payload back to back for at least this long (bench/browser/stream-host.ts, repeated()). */
const MIN_SAMPLE_MS = Number(query.get('minSampleMs') ?? 50);
/** Only these case ids (`<model>:<id>`, or a whole model), if given. */
const ONLY = query.get('cases')?.split(',').filter(Boolean);
const WORKER_PIECE_TO_HOST = WORKER_PAGE_STREAM_CHUNK;
const WORKER_PIECE_TO_PAGE = WORKER_HOST_STREAM_CHUNK;
const SERVER_FRAME_TO_HOST = Number(query.get('pageFrame') ?? 32 * 1024);
const SERVER_FRAME_TO_PAGE = Number(query.get('hostFrame') ?? 256 * 1024);

export interface ChromiumCase {
  readonly model: HostingModel;
  readonly id: string;
  readonly label: string;
  readonly direction: 'page → host' | 'host → page';
  readonly raw?: boolean;
  /** Compared only with the raw cases of the same pairing (bench/streams.ts, CaseInfo.pairing). */
  readonly pairing?: 'buffer' | 'pieces' | 'blob' | 'blob8';
  readonly bytes: number;
  readonly ms: number[];
}

const source = payload(SIZE);
const blob = new Blob([source]);
/** The demo's file size, 8 MiB (the whole payload when STREAM_MIB is smaller). */
const SMALL_BLOB = Math.min(8 * MIB, SIZE);
const blob8 = new Blob([source.subarray(0, SMALL_BLOB)]);
const hosts = new Map<HostingModel, (host: DotNetObjectLike) => void>();
const attached = new Map<HostingModel, Promise<DotNetObjectLike>>();
for (const model of ['in-process', 'worker', 'server'] as const) attached.set(model, new Promise((resolve) => hosts.set(model, resolve)));
(globalThis as Record<string, unknown>)[STREAMS_GLOBAL] = {
  attach: (model: HostingModel, host: DotNetObjectLike) => hosts.get(model)!(host),
  source: () => source,
  blob: () => blob,
  blob8: () => blob8,
  sink: async (stream: { stream(): Promise<ReadableStream<Uint8Array>> }) => drain((await stream.stream()).getReader()),
  sinkBuffer: async (stream: { arrayBuffer(): Promise<ArrayBuffer> }) => (await stream.arrayBuffer()).byteLength,
};

const timed = async (work: () => Promise<unknown>): Promise<number> => {
  const started = performance.now();
  await work();
  return performance.now() - started;
};

/** Time per move of `work` run back to back for MIN_SAMPLE_MS (the in-process cases; see MIN_SAMPLE_MS). */
const timedRepeatedly = async (work: () => Promise<number>): Promise<number> => {
  const [ms, count] = await repeated(MIN_SAMPLE_MS, work);
  checked(count);
  return ms;
};

function checked(count: number, expected = SIZE): void {
  if (count !== expected) throw new Error(`moved ${count} bytes, expected ${expected}`);
}

/** The host's time for one of its moves, checked. */
async function onHost(host: DotNetObjectLike, method: 'ReadFromPage' | 'SendToPage', what: PageSource | PageSink, expected = SIZE, minMs = 0, pieces = false): Promise<number> {
  const [ms, count] = await host.invokeMethodAsync<[number, number]>(method, what, SIZE, minMs, pieces);
  checked(count, expected);
  return ms;
}

/** The page's end of a raw host → page case: counts bytes, or reads them into one ArrayBuffer as the package's arrayBuffer() does. */
function rawReceiver(buffer: boolean): { bytes(chunk: Uint8Array): void; done: Promise<void> } {
  let received = 0;
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  if (buffer) {
    const stream = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
    void new Response(stream).arrayBuffer().then((result) => (checked(result.byteLength), finish()));
  }
  return {
    bytes(chunk) {
      received += chunk.byteLength;
      if (buffer) controller.enqueue(chunk);
      if (received < SIZE) return;
      if (buffer) controller.close();
      else finish();
    },
    done,
  };
}

type Runner = () => Promise<number>;

async function main(): Promise<void> {
  const wsUrl = (path: string) => Object.assign(new URL(path, location.href), { protocol: 'ws:' }).href;
  const unavailable: Record<string, string> = {};
  const fail = (model: string) => (error: unknown) => void (unavailable[model] = error instanceof Error ? error.message : String(error));
  await Promise.all([
    startStreamHost(createInProcessRuntime()).catch(fail('in-process')),
    hostInWorker(new Worker(STREAMS_WORKER, { type: 'module' })).ready.catch(fail('worker')),
    connectToServer(wsUrl(BENCH_PATH)).catch(fail('server')),
  ]);

  // Raw transports.
  const rawWorker = new Worker(RAW_STREAM_WORKER, { type: 'module' });
  let onWorker: (data: unknown) => void = () => {};
  rawWorker.onmessage = (event) => onWorker(event.data);
  const rawSocket = new WebSocket(wsUrl(RAW_STREAM_PATH));
  rawSocket.binaryType = 'arraybuffer';
  await new Promise((resolve, reject) => ((rawSocket.onopen = resolve), (rawSocket.onerror = reject)));
  let onSocket: (data: unknown) => void = () => {};
  rawSocket.onmessage = (event) => onSocket(event.data);

  const cases: [ChromiumCase, Runner][] = [];
  const add = (c: Omit<ChromiumCase, 'ms' | 'bytes'> & { bytes?: number }, run: Runner) => cases.push([{ bytes: SIZE, ...c, ms: [] }, run]);
  const hostBytes = payload(SIZE);

  if (!unavailable['in-process']) {
    const host = await attached.get('in-process')!;
    // Every in-process case moves the payload back to back for MIN_SAMPLE_MS, raw and ours alike.
    const inHost = (method: 'ReadFromPage' | 'SendToPage', what: PageSource | PageSink, pieces?: boolean) => () => onHost(host, method, what, SIZE, MIN_SAMPLE_MS, pieces);
    add({ model: 'in-process', id: 'raw-p2h', label: 'raw: ReadableStream of the page bytes (1 MiB pieces)', direction: 'page → host', raw: true }, () => timedRepeatedly(() => drain(piecesOf(source).getReader())));
    add({ model: 'in-process', id: 'ours-p2h', label: 'jsinterop: openReadStream', direction: 'page → host' }, inHost('ReadFromPage', 'source'));
    add({ model: 'in-process', id: 'raw-p2h-blob', label: 'raw: a Blob of the page bytes, its stream() read', direction: 'page → host', raw: true, pairing: 'blob' }, () => timedRepeatedly(() => drain(blob.stream().getReader())));
    add({ model: 'in-process', id: 'ours-p2h-blob', label: 'jsinterop: openReadStream on that Blob', direction: 'page → host', pairing: 'blob' }, inHost('ReadFromPage', 'blob'));
    add({ model: 'in-process', id: 'raw-h2p', label: 'raw: the host ReadableStream read by the page', direction: 'host → page', raw: true }, () => timedRepeatedly(() => {
      const stream = new ReadableStream<Uint8Array>({ start(c) { c.enqueue(hostBytes); c.close(); } });
      return drain(stream.getReader());
    }));
    add({ model: 'in-process', id: 'ours-h2p-stream', label: 'jsinterop: HostStreamReference, page stream()', direction: 'host → page' }, inHost('SendToPage', 'sink'));
    add({ model: 'in-process', id: 'raw-h2p-pieces', label: 'raw: a host ReadableStream of 1 MiB pieces read', direction: 'host → page', raw: true, pairing: 'pieces' }, () => timedRepeatedly(() => drain(piecesOf(hostBytes).getReader())));
    add({ model: 'in-process', id: 'ours-h2p-pieces', label: 'jsinterop: HostStreamReference of that, page stream()', direction: 'host → page', pairing: 'pieces' }, inHost('SendToPage', 'sink', true));
    add({ model: 'in-process', id: 'raw-h2p-buffer', label: 'raw: new Response(the host ReadableStream).arrayBuffer()', direction: 'host → page', raw: true, pairing: 'buffer' }, () => timedRepeatedly(async () => {
      const stream = new ReadableStream<Uint8Array>({ start(c) { c.enqueue(hostBytes); c.close(); } });
      return (await new Response(stream).arrayBuffer()).byteLength;
    }));
    add({ model: 'in-process', id: 'ours-h2p-buffer', label: 'jsinterop: HostStreamReference, page arrayBuffer()', direction: 'host → page', pairing: 'buffer' }, inHost('SendToPage', 'sinkBuffer'));
  }

  if (!unavailable.worker) {
    const host = await attached.get('worker')!;
    const toWorker = (transfer: boolean) => timed(async () => {
      const received = new Promise<void>((resolve) => (onWorker = () => resolve()));
      rawWorker.postMessage(['expect', SIZE, 0]);
      for (let offset = 0; offset < SIZE; offset += WORKER_PIECE_TO_HOST) {
        const piece = source.slice(offset, offset + WORKER_PIECE_TO_HOST);
        if (transfer) rawWorker.postMessage(piece, [piece.buffer]);
        else rawWorker.postMessage(piece);
      }
      await received;
    });
    const fromWorker = (buffer: boolean) => timed(async () => {
      const receiver = rawReceiver(buffer);
      onWorker = (data) => receiver.bytes(data as Uint8Array);
      rawWorker.postMessage(['send', SIZE, WORKER_PIECE_TO_PAGE]);
      await receiver.done;
    });
    add({ model: 'worker', id: 'raw-p2h-copy', label: `raw: postMessage ${WORKER_PIECE_TO_HOST / 1024} KiB pieces, copied`, direction: 'page → host', raw: true }, () => toWorker(false));
    add({ model: 'worker', id: 'raw-p2h-transfer', label: `raw: postMessage ${WORKER_PIECE_TO_HOST / 1024} KiB pieces, transferred`, direction: 'page → host', raw: true }, () => toWorker(true));
    add({ model: 'worker', id: 'ours-p2h', label: 'jsinterop: openReadStream', direction: 'page → host' }, () => onHost(host, 'ReadFromPage', 'source'));
    add({ model: 'worker', id: 'raw-p2h-blob', label: 'raw: the Blob\'s own stream(), each chunk posted, transferred', direction: 'page → host', raw: true, pairing: 'blob' }, () => timed(async () => {
      const received = new Promise<void>((resolve) => (onWorker = () => resolve()));
      rawWorker.postMessage(['expect', SIZE, 0]);
      await eachChunkOf(blob, (chunk) => rawWorker.postMessage(chunk, [chunk.buffer]));
      await received;
    }));
    add({ model: 'worker', id: 'ours-p2h-blob', label: 'jsinterop: openReadStream on a Blob of the bytes', direction: 'page → host', pairing: 'blob' }, () => onHost(host, 'ReadFromPage', 'blob'));
    add({ model: 'worker', id: 'raw-h2p-transfer', label: `raw: postMessage ${WORKER_PIECE_TO_PAGE / 1024} KiB pieces, transferred`, direction: 'host → page', raw: true }, () => fromWorker(false));
    add({ model: 'worker', id: 'ours-h2p-stream', label: 'jsinterop: HostStreamReference, page stream()', direction: 'host → page' }, () => onHost(host, 'SendToPage', 'sink'));
    add({ model: 'worker', id: 'raw-h2p-buffer', label: 'raw: the same, page Response.arrayBuffer()', direction: 'host → page', raw: true, pairing: 'buffer' }, () => fromWorker(true));
    add({ model: 'worker', id: 'ours-h2p-buffer', label: 'jsinterop: HostStreamReference, page arrayBuffer()', direction: 'host → page', pairing: 'buffer' }, () => onHost(host, 'SendToPage', 'sinkBuffer'));
  }

  if (!unavailable.server) {
    const host = await attached.get('server')!;
    const toServer = () => timed(async () => {
      const received = new Promise<void>((resolve) => (onSocket = () => resolve()));
      rawSocket.send(`expect ${SIZE}`);
      for (let offset = 0; offset < SIZE; offset += SERVER_FRAME_TO_HOST) rawSocket.send(source.subarray(offset, offset + SERVER_FRAME_TO_HOST));
      await received;
    });
    const fromServer = (buffer: boolean) => timed(async () => {
      const receiver = rawReceiver(buffer);
      onSocket = (data) => receiver.bytes(new Uint8Array(data as ArrayBuffer));
      rawSocket.send(`send ${SIZE} ${SERVER_FRAME_TO_PAGE}`);
      await receiver.done;
    });
    const kib = (bytes: number) => `${bytes / 1024} KiB`;
    add({ model: 'server', id: 'raw-p2h', label: `raw: ws binary frames of ${kib(SERVER_FRAME_TO_HOST)}`, direction: 'page → host', raw: true }, toServer);
    add({ model: 'server', id: 'ours-p2h', label: 'jsinterop: openReadStream', direction: 'page → host' }, () => onHost(host, 'ReadFromPage', 'source'));
    const blobToServer = (from: Blob) => timed(async () => {
      const received = new Promise<void>((resolve) => (onSocket = () => resolve()));
      rawSocket.send(`expect ${from.size}`);
      await eachChunkOf(from, (chunk) => {
        for (let offset = 0; offset < chunk.byteLength; offset += SERVER_FRAME_TO_HOST) rawSocket.send(chunk.subarray(offset, offset + SERVER_FRAME_TO_HOST));
      });
      await received;
    });
    const smallBlob = `${SMALL_BLOB === 8 * MIB ? 'an 8' : `a ${SMALL_BLOB / MIB}`} MiB Blob`;
    add({ model: 'server', id: 'raw-p2h-blob', label: `raw: the Blob's own stream() in ws frames of at most ${kib(SERVER_FRAME_TO_HOST)}`, direction: 'page → host', raw: true, pairing: 'blob' }, () => blobToServer(blob));
    add({ model: 'server', id: 'ours-p2h-blob', label: 'jsinterop: openReadStream on a Blob of the bytes', direction: 'page → host', pairing: 'blob' }, () => onHost(host, 'ReadFromPage', 'blob'));
    add({ model: 'server', id: 'raw-p2h-blob8', label: `raw: the same from ${smallBlob}`, direction: 'page → host', raw: true, pairing: 'blob8', bytes: SMALL_BLOB }, () => blobToServer(blob8));
    add({ model: 'server', id: 'ours-p2h-blob8', label: `jsinterop: openReadStream on ${smallBlob}`, direction: 'page → host', pairing: 'blob8', bytes: SMALL_BLOB }, () => onHost(host, 'ReadFromPage', 'blob8', SMALL_BLOB));
    add({ model: 'server', id: 'raw-h2p', label: `raw: ws binary frames of ${kib(SERVER_FRAME_TO_PAGE)}`, direction: 'host → page', raw: true }, () => fromServer(false));
    add({ model: 'server', id: 'ours-h2p-stream', label: 'jsinterop: HostStreamReference, page stream()', direction: 'host → page' }, () => onHost(host, 'SendToPage', 'sink'));
    add({ model: 'server', id: 'raw-h2p-buffer', label: 'raw: the same, page Response.arrayBuffer()', direction: 'host → page', raw: true, pairing: 'buffer' }, () => fromServer(true));
    add({ model: 'server', id: 'ours-h2p-buffer', label: 'jsinterop: HostStreamReference, page arrayBuffer()', direction: 'host → page', pairing: 'buffer' }, () => onHost(host, 'SendToPage', 'sinkBuffer'));
  }

  if (ONLY?.length) cases.splice(0, cases.length, ...cases.filter(([c]) => ONLY.includes(c.model) || ONLY.includes(`${c.model}:${c.id}`)));
  // One warm-up pass, then REPS rounds in a rotating order.
  for (const [, run] of cases) await run();
  for (let rep = 0; rep < REPS; rep++) {
    for (let i = 0; i < cases.length; i++) {
      const [c, run] = cases[(i + rep) % cases.length]!;
      collectGarbage();
      c.ms.push(await run());
    }
  }
  await report({ userAgent: navigator.userAgent, crossOriginIsolated, unavailable, cases: cases.map(([c]) => c) });
}

/**
 * A full collection on the page's thread when Chromium exposes gc() (the bench starts it with
 * --js-flags=--expose-gc): what one case left behind is not collected during the next one's sample.
 */
function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

async function report(body: unknown): Promise<void> {
  await fetch(REPORT_PATH, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
}

main().catch((error) => report({ error: error instanceof Error ? `${error.message}\n${error.stack}` : String(error) }));
