/*
 * The host half of the Worker part of bench/streams.ts: runs each case on command and reports
 * its time and this thread's memory peak. The page (main thread) holds the payload for page →
 * host and sinks host → page.
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import { connectToPage } from '../../src/worker.js';
import { WORKER_HOST_STREAM_CHUNK, WORKER_PAGE_STREAM_CHUNK } from '../../src/hosting/worker/stream-sizes.js';
import type { IJSRuntime } from '../../src/index.js';
import { check, PAYLOAD, payload, readFromPage, sampleMemory, sendToPage } from './stream-common.js';
import type { WorkerCommand, WorkerReply } from '../streams.js';

const { control, interop, raw, window, readAhead } = workerData as { control: MessagePort; interop: MessagePort; raw: MessagePort; window?: number; readAhead?: number };
/** The raw pieces are the sizes the Worker hosting model's chunks have in each direction. */
const TO_PAGE_PIECE = WORKER_HOST_STREAM_CHUNK;
const TO_HOST_PIECE = WORKER_PAGE_STREAM_CHUNK;
const hostBytes = payload();
const js: IJSRuntime = await connectToPage({ port: interop, ...(window ? { streamWindow: window } : {}), ...(readAhead ? { streamReadAheadBytes: readAhead } : {}) });

let sample: () => void = () => {};
let received = 0;
let rawDone: (() => void) | undefined;
raw.on('message', (message: Uint8Array | [string, number]) => {
  if (message instanceof Uint8Array) {
    received += message.byteLength;
    sample();
    if (received >= PAYLOAD) {
      received = 0;
      rawDone?.();
    }
  } else rawDone?.(); // ['received', n] from the page
});
const untilRawDone = () => new Promise<void>((resolve) => (rawDone = resolve));

/** Host → page pieces, each copied once and moved; `buffer`: the page builds one ArrayBuffer of them. */
async function rawTransfer(buffer = false): Promise<void> {
  const done = untilRawDone();
  if (buffer) raw.postMessage(['buffer', 0]);
  for (let offset = 0; offset < PAYLOAD; offset += TO_PAGE_PIECE) {
    const piece = hostBytes.slice(offset, offset + TO_PAGE_PIECE);
    raw.postMessage(piece, [piece.buffer]);
  }
  await done;
}

const cases: Record<string, () => Promise<unknown>> = {
  ready: async () => {},
  'raw-p2h-copy': async () => { const done = untilRawDone(); raw.postMessage(['copy', TO_HOST_PIECE]); await done; },
  'raw-p2h-transfer': async () => { const done = untilRawDone(); raw.postMessage(['transfer', TO_HOST_PIECE]); await done; },
  'ours-p2h': async () => check(await readFromPage(js, () => sample())),
  'raw-h2p-copy': async () => {
    const done = untilRawDone();
    for (let offset = 0; offset < PAYLOAD; offset += TO_PAGE_PIECE) raw.postMessage(hostBytes.slice(offset, offset + TO_PAGE_PIECE));
    await done;
  },
  'raw-h2p-transfer': () => rawTransfer(),
  'raw-h2p-buffer': () => rawTransfer(true),
  'ours-h2p-stream': async () => check(await sendToPage(js, hostBytes, 'stream')),
  'ours-h2p-buffer': async () => check(await sendToPage(js, hostBytes, 'arrayBuffer')),
};

control.on('message', async ({ id, cmd }: WorkerCommand) => {
  const memory = sampleMemory();
  sample = memory.sample;
  try {
    const start = performance.now();
    await cases[cmd]!();
    const ms = performance.now() - start;
    sample = () => {};
    control.postMessage({ id, ms, host: memory.stop() } satisfies WorkerReply);
  } catch (error) {
    sample = () => {};
    control.postMessage({ id, ms: 0, host: memory.stop(), error: String((error as Error)?.stack ?? error) } satisfies WorkerReply);
  }
});
