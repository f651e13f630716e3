/*
 * Stream bench: a 64 MiB payload page → host (IJSStreamReference.openReadStream) and host → page
 * (HostStreamReference, read by the page with stream() and with arrayBuffer()), in-process, in a
 * Worker and over a server's WebSocket, each beside the bare transport moving the same bytes in
 * the same run:
 *
 *   in-process  a ReadableStream of the page's bytes read by the host (page → host, 1 MiB pieces, as
 *               the in-process chunk of a Blob; a typed array's chunks are 4 MiB views), the host's
 *               ReadableStream read by the page (host → page: one chunk of the payload, and a stream of
 *               1 MiB pieces of it, each compared with jsinterop sending the same source)
 *   worker      postMessage of the payload in pieces of the Worker's chunk (page → host 256 KiB, host → page 120 KiB), copied
 *               (structured clone) and moved (transfer list)
 *   server      binary ws frames over loopback: page → host of the page stream chunk (32 KiB), host → page
 *               of that size and of the host stream chunk (256 KiB)
 *
 * Each repetition runs every case of a model once, in a rotating order (an in-process case moves
 * the payload back to back for at least STREAM_MIN_SAMPLE_MS and counts the time per payload:
 * one move of views takes a fraction of a millisecond; each Worker sample is taken by a process of its
 * own, see sampleInFreshProcesses); MB/s is the median
 * (MB = 10^6 bytes), "× raw" the median of the per-repetition ratios to the raw case of the
 * same direction and pairing (its fastest variant; see CaseInfo.pairing). Memory: the peak, over the case, of heap + external
 * (ArrayBuffers) above the level after a full GC at its start, in the host's and in the page's
 * thread or process, and of the RSS of the process(es).
 *
 * With `chromium` among STREAM_MODELS (the default), the same in Chromium (bench/streams-chromium.ts).
 *
 *   env STREAM_MIB (64), STREAM_REPS (5), STREAM_MODELS=in-process,worker,server,chromium,
 *       STREAM_IN_PROCESS_CHUNK (bytes; the in-process runtime's streamChunkSize),
 *       STREAM_SERVER_CHUNK (bytes; the server's streamChunkSize, both ways), STREAM_SERVER_MESSAGE (maxMessageSize),
 *       STREAM_WINDOW (the Worker's stream window, page and host), STREAM_WORKER_READ_AHEAD (the Worker's streamReadAheadBytes), STREAM_SERVER_UNACKED (maxUnacknowledgedBytes),
 *       STREAM_SERVER_WINDOW (streamWindowBytes), STREAM_SERVER_READ_AHEAD (streamReadAheadBytes), STREAM_SERVER_OUTPUT (maxOutputBufferBytes),
 *       STREAM_MIN_SAMPLE_MS (50; how long an in-process sample moves the payload again and again),
 *       STREAM_WORKER_FRESH (0: the Worker model's samples all in this process, the cases one after another),
 *       STREAM_CASES (ids of the cases to run, e.g. raw-h2p,ours-h2p-stream), STREAM_TRACE (prints each case, and the server circuit's unacknowledged bytes and frames every 100 ms)
 */
import '../src/page/node-globals.js';
import { fork } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MessageChannel, Worker } from 'node:worker_threads';
import { WebSocket, WebSocketServer } from 'ws';
import { createInProcessRuntime } from '../src/index.js';
import { hostInWorker } from '../src/worker.js';
import { WORKER_HOST_STREAM_CHUNK, WORKER_PAGE_STREAM_CHUNK } from '../src/hosting/worker/stream-sizes.js';
import { createInteropServer, type Circuit } from '../src/server.js';
import type { DotNetNamespace } from '../src/page/official-package.js';
import type { BenchRow } from './support/harness.js';
import { run as runInChromium } from './streams-chromium.js';
import { check, definePageFunctions, drain, MIB, PAYLOAD, payload, piecesOf, rawSink, readFromPage, sampleMemory, sendToPage, type MemoryPeak } from './support/stream-common.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const REPS = Number(process.env.STREAM_REPS ?? 5);
/** An in-process sample moves the payload again and again for at least this long (see local()). */
const MIN_SAMPLE_MS = Number(process.env.STREAM_MIN_SAMPLE_MS ?? 50);
const WINDOW = process.env.STREAM_WINDOW ? Number(process.env.STREAM_WINDOW) : undefined;
const WORKER_READ_AHEAD = process.env.STREAM_WORKER_READ_AHEAD ? Number(process.env.STREAM_WORKER_READ_AHEAD) : undefined;

type Direction = 'page → host' | 'host → page';

/** One run of a case: wall time, and memory peaks on each side. */
interface Sample {
  ms: number;
  host: MemoryPeak;
  page: MemoryPeak;
  /** CPU time (user + system, ms) of the host and page processes over the case, where they are separate processes (server). */
  cpu?: { host: number; page: number };
}

/** What a case is, without the means to run it (a fresh process runs it: see sampleInFreshProcesses). */
interface CaseInfo {
  id: string;
  label: string;
  direction: Direction;
  raw?: boolean;
  /**
   * Compared only with the raw cases of the same pairing: 'buffer' when the page builds one
   * ArrayBuffer (arrayBuffer()); 'pieces' when in-process the host's source is a stream of 1 MiB
   * pieces rather than one chunk; 'blob' when the page's bytes are read from a Blob, so the raw
   * transport reads the same Blob (its own stream()) before it moves the bytes.
   */
  pairing?: 'buffer' | 'pieces' | 'blob';
}

interface StreamCase extends CaseInfo {
  run(): Promise<Sample>;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

async function freshPackage(instance: string): Promise<DotNetNamespace> {
  const module = (await import(`${import.meta.resolve('@microsoft/dotnet-js-interop')}?instance=${instance}`)) as { DotNet: DotNetNamespace };
  return module.DotNet;
}

/**
 * Times `work` with a memory sampler in this thread, which is both host and page in-process. The
 * work runs back to back until MIN_SAMPLE_MS have passed, and the sample is the time per payload:
 * an in-process move of views takes well under a millisecond, so one move right after the sampler's
 * full GC measured one cold call (timer resolution, a first-call deopt, a GC slice), not throughput.
 * A case that takes longer than MIN_SAMPLE_MS (a Blob, an arrayBuffer()) still runs once.
 */
async function local(work: (sample: () => void) => Promise<number>, side: 'host' | 'page' | 'both'): Promise<Sample> {
  const memory = sampleMemory();
  const start = performance.now();
  let moves = 0;
  let ms = 0;
  do {
    check(await work(memory.sample));
    moves++;
    ms = performance.now() - start;
  } while (ms < MIN_SAMPLE_MS);
  const peak = memory.stop();
  const none = { heap: 0, rss: peak.rss };
  return { ms: ms / moves, host: side === 'page' ? none : peak, page: side === 'host' ? none : peak };
}

// ---------------------------------------------------------------------------------------------
// in-process: host and page in this thread

async function inProcessCases(): Promise<StreamCase[]> {
  const source = payload();
  const hostBytes = payload();
  const DotNet = await freshPackage('bench-streams');
  const js = createInProcessRuntime({ DotNet, streamChunkSize: process.env.STREAM_IN_PROCESS_CHUNK ? Number(process.env.STREAM_IN_PROCESS_CHUNK) : undefined });
  definePageFunctions(source);
  return [
    {
      id: 'raw-p2h', label: 'raw: ReadableStream of the page bytes (1 MiB pieces)', direction: 'page → host', raw: true,
      run: () => local((sample) => drain(piecesOf(source).getReader(), sample), 'both'),
    },
    { id: 'ours-p2h', label: 'jsinterop: openReadStream', direction: 'page → host', run: () => local((sample) => readFromPage(js, sample), 'both') },
    {
      id: 'raw-p2h-blob', label: 'raw: a Blob of the page bytes, its stream() read by the host', direction: 'page → host', raw: true, pairing: 'blob',
      run: () => local((sample) => drain(new Blob([source]).stream().getReader(), sample), 'both'),
    },
    { id: 'ours-p2h-blob', label: 'jsinterop: openReadStream on that Blob', direction: 'page → host', pairing: 'blob', run: () => local((sample) => readFromPage(js, sample, 'benchBlobSource'), 'both') },
    {
      id: 'raw-h2p', label: 'raw: the host ReadableStream read by the page', direction: 'host → page', raw: true,
      run: () => local(async (sample) => {
        const reader = new ReadableStream<Uint8Array>({ start(c) { c.enqueue(hostBytes); c.close(); } }).getReader();
        return drain(reader, sample);
      }, 'both'),
    },
    { id: 'ours-h2p-stream', label: 'jsinterop: HostStreamReference, page stream()', direction: 'host → page', run: () => local(() => sendToPage(js, hostBytes, 'stream'), 'both') },
    {
      id: 'raw-h2p-pieces', label: 'raw: a host ReadableStream of 1 MiB pieces read by the page', direction: 'host → page', raw: true, pairing: 'pieces',
      run: () => local((sample) => drain(piecesOf(hostBytes).getReader(), sample), 'both'),
    },
    {
      id: 'ours-h2p-pieces', label: 'jsinterop: HostStreamReference of that stream, page stream()', direction: 'host → page', pairing: 'pieces',
      run: () => local(() => sendToPage(js, piecesOf(hostBytes), 'stream'), 'both'),
    },
    {
      id: 'raw-h2p-buffer', label: 'raw: new Response(the host ReadableStream).arrayBuffer()', direction: 'host → page', raw: true, pairing: 'buffer',
      run: () => local(async () => {
        const stream = new ReadableStream<Uint8Array>({ start(c) { c.enqueue(hostBytes); c.close(); } });
        return (await new Response(stream).arrayBuffer()).byteLength;
      }, 'both'),
    },
    { id: 'ours-h2p-buffer', label: 'jsinterop: HostStreamReference, page arrayBuffer()', direction: 'host → page', pairing: 'buffer', run: () => local(() => sendToPage(js, hostBytes, 'arrayBuffer'), 'both') },
  ];
}

// ---------------------------------------------------------------------------------------------
// worker: the page is this thread, the host a worker_threads Worker (support/stream-worker-host.ts)

export interface WorkerCommand {
  readonly id: number;
  readonly cmd: string;
}
export interface WorkerReply {
  readonly id: number;
  readonly ms: number;
  readonly host: MemoryPeak;
  readonly error?: string;
}

const WORKER_CASES: CaseInfo[] = [
  { id: 'raw-p2h-copy', label: `raw: postMessage ${WORKER_PAGE_STREAM_CHUNK / 1024} KiB pieces, copied`, direction: 'page → host', raw: true },
  { id: 'raw-p2h-transfer', label: `raw: postMessage ${WORKER_PAGE_STREAM_CHUNK / 1024} KiB pieces, transferred`, direction: 'page → host', raw: true },
  { id: 'ours-p2h', label: 'jsinterop: openReadStream', direction: 'page → host' },
  { id: 'raw-h2p-copy', label: `raw: postMessage ${WORKER_HOST_STREAM_CHUNK / 1024} KiB pieces, copied`, direction: 'host → page', raw: true },
  { id: 'raw-h2p-transfer', label: `raw: postMessage ${WORKER_HOST_STREAM_CHUNK / 1024} KiB pieces, transferred`, direction: 'host → page', raw: true },
  { id: 'ours-h2p-stream', label: 'jsinterop: HostStreamReference, page stream()', direction: 'host → page' },
  { id: 'raw-h2p-buffer', label: 'raw: postMessage transferred, page Response.arrayBuffer()', direction: 'host → page', raw: true, pairing: 'buffer' },
  { id: 'ours-h2p-buffer', label: 'jsinterop: HostStreamReference, page arrayBuffer()', direction: 'host → page', pairing: 'buffer' },
];

async function workerCases(): Promise<{ cases: StreamCase[]; close(): Promise<void> }> {
  const source = payload();
  const control = new MessageChannel();
  const interop = new MessageChannel();
  const raw = new MessageChannel();
  const worker = new Worker(path.join(here, 'support', 'stream-worker-host.js'), {
    workerData: { control: control.port2, interop: interop.port2, raw: raw.port2, window: WINDOW, readAhead: WORKER_READ_AHEAD },
    transferList: [control.port2, interop.port2, raw.port2],
  });
  worker.on('error', (error) => { console.error('stream worker failed:', error); process.exit(1); });
  const DotNet = await freshPackage('bench-streams-worker');
  (globalThis as any).DotNet = DotNet; // Blazor's disposal identifier resolves through window.DotNet
  let pageSample: () => void = () => {};
  definePageFunctions(source, () => pageSample());
  hostInWorker(interop.port1, { DotNet, streamWindow: WINDOW });

  // The raw page side: sends the payload in pieces when asked, takes in what the host sends and acks the last piece.
  const sink = rawSink(() => pageSample(), () => raw.port1.postMessage(['received', PAYLOAD]));
  raw.port1.on('message', (message: Uint8Array | [string, number]) => {
    if (message instanceof Uint8Array) return sink.bytes(message);
    const [how, piece] = message;
    if (how === 'buffer') return sink.buffer();
    for (let offset = 0; offset < PAYLOAD; offset += piece) {
      const chunk = source.slice(offset, offset + piece);
      if (how === 'transfer') raw.port1.postMessage(chunk, [chunk.buffer]);
      else raw.port1.postMessage(chunk);
    }
  });

  const waiting = new Map<number, (reply: WorkerReply) => void>();
  control.port1.on('message', (reply: WorkerReply) => waiting.get(reply.id)!(reply));
  let nextId = 0;
  const command = (cmd: string) => async (): Promise<Sample> => {
    const id = nextId++;
    const memory = sampleMemory();
    pageSample = memory.sample;
    const replied = new Promise<WorkerReply>((resolve) => waiting.set(id, resolve));
    control.port1.postMessage({ id, cmd } satisfies WorkerCommand);
    const reply = await replied;
    waiting.delete(id);
    pageSample = () => {};
    const page = memory.stop();
    if (reply.error) throw new Error(`${cmd}: ${reply.error}`);
    return { ms: reply.ms, host: reply.host, page };
  };
  await command('ready')();
  return {
    cases: WORKER_CASES.map((c) => ({ ...c, run: command(c.id) })),
    async close() {
      control.port1.close();
      raw.port1.close();
      interop.port1.close();
      await worker.terminate();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// server: the host is this process, the page a child process (support/stream-server-page.ts)

async function serverCases(): Promise<{ cases: StreamCase[]; close(): Promise<void> }> {
  const chunk = Number(process.env.STREAM_SERVER_CHUNK ?? 256 * 1024);
  const maxMessageSize = Number(process.env.STREAM_SERVER_MESSAGE ?? 32 * 1024);
  const hostBytes = payload();
  const server = http.createServer();
  const wss = new WebSocketServer({ noServer: true, clientTracking: false, perMessageDeflate: false });
  let rawSocket!: Promise<WebSocket>;
  let takeRaw!: (socket: WebSocket) => void;
  rawSocket = new Promise((resolve) => (takeRaw = resolve));
  server.on('upgrade', (req, socket, head) => {
    if (req.url === '/raw') wss.handleUpgrade(req, socket, head, takeRaw);
  });
  const optional = (name: string) => (process.env[name] ? Number(process.env[name]) : undefined);
  const interop = await createInteropServer({
    server,
    streamChunkSize: chunk,
    maxMessageSize,
    maxUnacknowledgedBytes: optional('STREAM_SERVER_UNACKED'),
    streamWindowBytes: optional('STREAM_SERVER_WINDOW'),
    streamReadAheadBytes: optional('STREAM_SERVER_READ_AHEAD'),
    maxOutputBufferBytes: optional('STREAM_SERVER_OUTPUT'),
  });
  const circuitOpened = once(interop, 'circuit') as Promise<[Circuit]>;
  interop.on('circuitEnd', (_circuit: Circuit, reason: string) => console.error('stream bench: the circuit ended:', reason));
  interop.on('connectionDown', () => console.error('stream bench: the circuit lost its connection'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const page = fork(path.join(here, 'support', 'stream-server-page.js'), [`ws://127.0.0.1:${(server.address() as { port: number }).port}`, String(maxMessageSize)]);
  const [circuit] = await circuitOpened;
  const raw = await rawSocket;
  const js = circuit.js;
  if (process.env.STREAM_TRACE) setInterval(() => console.error('unacknowledged', circuit.stats().unacknowledgedBytes, circuit.stats().unacknowledgedFrames), 100).unref();

  // Page process replies: ['mem', peak] after 'stop'; the raw page acks with a text frame.
  const pageReplies: ((value: any) => void)[] = [];
  page.on('message', (message) => pageReplies.shift()?.(message));
  const askPage = <T>(message: unknown) => new Promise<T>((resolve) => { pageReplies.push(resolve); page.send(message as any); });
  await askPage('ready?');

  let rawReceived = 0;
  let rawDone: (() => void) | undefined;
  let hostSample: () => void = () => {};
  raw.on('message', (data, isBinary) => {
    if (isBinary) {
      rawReceived += (data as Buffer).byteLength;
      hostSample();
      if (rawReceived >= PAYLOAD) { rawReceived = 0; rawDone?.(); }
    } else if (String(data) === 'received') rawDone?.();
  });
  const untilRawDone = () => new Promise<void>((resolve) => (rawDone = resolve));

  const measured = async (work: () => Promise<unknown>): Promise<Sample> => {
    await askPage('start');
    const memory = sampleMemory();
    hostSample = memory.sample;
    const cpu = process.cpuUsage();
    const start = performance.now();
    await work();
    const ms = performance.now() - start;
    const { user, system } = process.cpuUsage(cpu);
    hostSample = () => {};
    const host = memory.stop();
    const { cpuMs, ...pagePeak } = await askPage<MemoryPeak & { cpuMs: number }>('stop');
    return { ms, host, page: pagePeak, cpu: { host: (user + system) / 1000, page: cpuMs } };
  };

  return {
    cases: [
      {
        id: 'raw-p2h', label: `raw: ws binary frames of ${maxMessageSize / 1024} KiB (the page's maxMessageSize)`, direction: 'page → host', raw: true,
        run: () => measured(async () => { const done = untilRawDone(); raw.send('send'); await done; }),
      },
      { id: 'ours-p2h', label: 'jsinterop: openReadStream', direction: 'page → host', run: () => measured(async () => check(await readFromPage(js, () => hostSample()))) },
      {
        id: 'raw-p2h-blob', label: `raw: a Blob of the bytes, its stream() sent in ws frames of at most ${maxMessageSize / 1024} KiB`, direction: 'page → host', raw: true, pairing: 'blob',
        run: () => measured(async () => { const done = untilRawDone(); raw.send('send blob'); await done; }),
      },
      { id: 'ours-p2h-blob', label: 'jsinterop: openReadStream on a Blob of the bytes', direction: 'page → host', pairing: 'blob', run: () => measured(async () => check(await readFromPage(js, () => hostSample(), 'benchBlobSource'))) },
      ...[maxMessageSize, chunk].filter((size, i, sizes) => sizes.indexOf(size) === i).map((size): StreamCase => ({
        id: `raw-h2p-${size / 1024}k`, label: `raw: ws binary frames of ${size / 1024} KiB`, direction: 'host → page', raw: true,
        run: () => measured(async () => {
          const done = untilRawDone();
          for (let offset = 0; offset < PAYLOAD; offset += size) raw.send(hostBytes.subarray(offset, offset + size), { binary: true });
          await done;
        }),
      })),
      { id: 'ours-h2p-stream', label: 'jsinterop: HostStreamReference, page stream()', direction: 'host → page', run: () => measured(async () => check(await sendToPage(js, hostBytes, 'stream'))) },
      {
        id: 'raw-h2p-buffer', label: `raw: ws frames of ${chunk / 1024} KiB, page Response.arrayBuffer()`, direction: 'host → page', raw: true, pairing: 'buffer',
        run: () => measured(async () => {
          const done = untilRawDone();
          raw.send('buffer');
          for (let offset = 0; offset < PAYLOAD; offset += chunk) raw.send(hostBytes.subarray(offset, offset + chunk), { binary: true });
          await done;
        }),
      },
      { id: 'ours-h2p-buffer', label: 'jsinterop: HostStreamReference, page arrayBuffer()', direction: 'host → page', pairing: 'buffer', run: () => measured(async () => check(await sendToPage(js, hostBytes, 'arrayBuffer'))) },
    ],
    async close() {
      page.kill();
      raw.close();
      await interop.close?.();
      server.close();
    },
  };
}

// ---------------------------------------------------------------------------------------------

const mb = (bytes: number) => (bytes / 1e6).toFixed(0);

/** The cases STREAM_CASES names, or all. */
function chosen<T extends CaseInfo>(all: T[]): T[] {
  const only = process.env.STREAM_CASES?.split(',');
  return only ? all.filter((c) => only.includes(c.id)) : all;
}

/** Runs each case REPS times, in an order that rotates each repetition, after one warm-up. */
async function sample(cases: StreamCase[]): Promise<Map<string, Sample[]>> {
  await cases[0]!.run(); // warm-up of the first case; the rest warm in repetition 1, which counts (64 MiB is long enough)
  return inRotation(cases, (c) => c.run());
}

/** Takes REPS samples of each case with `take`, one case after another in an order that rotates each repetition. */
async function inRotation<C extends CaseInfo>(cases: C[], take: (c: C) => Promise<Sample>): Promise<Map<string, Sample[]>> {
  const samples = new Map<string, Sample[]>(cases.map((c) => [c.id, []]));
  for (let rep = 0; rep < REPS; rep++) {
    for (let i = 0; i < cases.length; i++) {
      const c = cases[(i + rep) % cases.length]!;
      if (process.env.STREAM_TRACE) console.error('case', c.id);
      samples.get(c.id)!.push(await take(c));
    }
  }
  return samples;
}

/**
 * The same rotation, each sample taken by a process of its own that runs only that case (a warm-up,
 * then the sample). In one process the cases disturb one another: a Worker's chunks are
 * allocations whose cost depends on what the process allocated and freed before (docs/benchmarks.md,
 * "Worker streams and the allocator"), and jsinterop's host → page stream measured 1.2 GB/s after a
 * case that posted copies and 4.2 GB/s alone.
 */
function sampleInFreshProcesses(model: string, cases: CaseInfo[]): Promise<Map<string, Sample[]>> {
  return inRotation(cases, async (c) => {
    const child = fork(fileURLToPath(import.meta.url), [], {
      execArgv: ['--expose-gc'],
      env: { ...process.env, STREAM_MODELS: model, STREAM_CASES: c.id, STREAM_REPS: '1', [CHILD_ENV]: '1' },
    });
    const [taken] = (await Promise.race([
      once(child, 'message'),
      once(child, 'exit').then(([code]) => { throw new Error(`stream bench: the process for ${model} ${c.id} exited (${code}) without a sample`); }),
    ])) as [Sample[]];
    await once(child, 'exit');
    return taken[0]!;
  });
}

/** Set in a process that takes one case's samples for its parent (sampleInFreshProcesses). */
const CHILD_ENV = 'STREAM_SAMPLE_FOR_PARENT';
/** The Worker model's samples are each taken in a fresh process, unless STREAM_WORKER_FRESH=0. */
const WORKER_FRESH = process.env.STREAM_WORKER_FRESH !== '0';

function report(model: string, cases: CaseInfo[], samples: Map<string, Sample[]>): BenchRow[] {
  console.log(`\n${model}: ${PAYLOAD / MIB} MiB, ${REPS} repetitions`);
  console.log('direction    | case                                                           |   MB/s | × raw | host mem Δ | page mem Δ | RSS Δ');
  const rows: BenchRow[] = [];
  const cpuLines: string[] = [];
  for (const c of cases) {
    const own = samples.get(c.id)!;
    const mbps = median(own.map((s) => PAYLOAD / 1e3 / s.ms));
    // Per repetition: this case's throughput / the best raw throughput of the same direction in that repetition.
    const raws = cases.filter((r) => r.raw && r.direction === c.direction && r.pairing === c.pairing);
    const ratio = median(own.map((s, rep) => {
      const best = Math.min(...raws.map((r) => samples.get(r.id)![rep]!.ms));
      return best / s.ms;
    }));
    const peak = (pick: (s: Sample) => number) => Math.max(...own.map(pick));
    const host = peak((s) => s.host.heap), page = peak((s) => s.page.heap), rss = peak((s) => Math.max(s.host.rss, s.page.rss));
    console.log(`${c.direction.padEnd(12)} | ${c.label.padEnd(62)} | ${mbps.toFixed(0).padStart(6)} | ${ratio.toFixed(2).padStart(5)} | ${mb(host).padStart(7)} MB | ${mb(page).padStart(7)} MB | ${mb(rss).padStart(4)} MB`);
    if (own[0]?.cpu) cpuLines.push(`${c.direction.padEnd(12)} | ${c.label.padEnd(62)} | ${median(own.map((s) => s.cpu!.host)).toFixed(1).padStart(7)} | ${median(own.map((s) => s.cpu!.page)).toFixed(1).padStart(7)}`);
    const nsPerOp = median(own.map((s) => s.ms * 1e6));
    rows.push({
      suite: `streams ${model}`, group: c.direction, id: `${model}-${c.id}`, label: c.label, nsPerOp, opsPerSec: 1e9 / nsPerOp,
      minNs: Math.min(...own.map((s) => s.ms * 1e6)), maxNs: Math.max(...own.map((s) => s.ms * 1e6)), spread: 0, rounds: REPS, opsPerRound: 1,
      ratios: [{ to: 'raw', ratio }],
    });
  }
  if (cpuLines.length) {
    // Wall time on a shared machine moves with the other processes; CPU time much less.
    console.log(`CPU time per case, ms (user + system, median; each side a process of its own)`);
    console.log(`direction    | case                                                           |    host |    page`);
    for (const line of cpuLines) console.log(line);
  }
  return rows;
}

/** The samples of a model's chosen cases: taken here, or for the Worker each in a fresh process (WORKER_FRESH). */
async function measure(model: 'in-process' | 'worker' | 'server'): Promise<BenchRow[]> {
  if (model === 'worker' && WORKER_FRESH && !process.env[CHILD_ENV]) {
    const cases = chosen(WORKER_CASES);
    return report(model, cases, await sampleInFreshProcesses(model, cases));
  }
  const setup = model === 'in-process' ? { cases: await inProcessCases(), close: async () => {} } : model === 'worker' ? await workerCases() : await serverCases();
  try {
    const cases = chosen(setup.cases);
    const samples = await sample(cases);
    if (process.env[CHILD_ENV]) {
      await new Promise<void>((resolve, reject) => process.send!(samples.get(cases[0]!.id), undefined, {}, (error) => (error ? reject(error) : resolve())));
      process.disconnect();
      return [];
    }
    return report(model, cases, samples);
  } finally {
    await setup.close();
  }
}

/** The models STREAM_MODELS names (default: all of them, Chromium included). */
const models = (): string[] => (process.env.STREAM_MODELS ?? 'in-process,worker,server,chromium').split(',');

/** Whether this run drives a Chromium (bench/run.ts installs one first if there is none). */
export const usesChromium = (): boolean => models().includes('chromium');

export async function run(): Promise<BenchRow[]> {
  const chosenModels = models();
  const rows: BenchRow[] = [];
  for (const model of ['in-process', 'worker', 'server'] as const) if (chosenModels.includes(model)) rows.push(...(await measure(model)));
  if (usesChromium()) rows.push(...(await runInChromium()));
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
