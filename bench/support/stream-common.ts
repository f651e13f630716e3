/*
 * Shared pieces of the stream bench (bench/streams.ts): the page functions the host calls, the
 * host's side of each case, and a memory sampler that runs in every thread or process involved.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { HostStreamReference, type IJSRuntime } from '../../src/index.js';
import { drain, MIB, payload as bytesOf } from './stream-bytes.js';

export { drain, MIB, piecesOf } from './stream-bytes.js';
export const PAYLOAD = Number(process.env.STREAM_MIB ?? 64) * MIB;

/** A full collection, so that each case starts from the memory the previous one left live. */
export const fullGc: () => void = (() => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  return () => gc();
})();

/** Peak memory above the level at start: this isolate's heap + external (ArrayBuffers), and the process's RSS. */
export interface MemoryPeak {
  heap: number;
  rss: number;
}

export function sampleMemory(): { sample(): void; stop(): MemoryPeak } {
  fullGc();
  const at = process.memoryUsage();
  const base = at.heapUsed + at.external;
  let heap = 0;
  let rss = 0;
  let last = 0;
  // memoryUsage() costs 20–80 µs (it reads /proc): taken on every chunk it would be a large part of
  // the cost of a fast case, so chunks sample at most once every 2 ms, as the timer does.
  const sample = () => {
    const time = performance.now();
    if (time - last < 2) return;
    last = time;
    const now = process.memoryUsage();
    heap = Math.max(heap, now.heapUsed + now.external - base);
    rss = Math.max(rss, now.rss - at.rss);
  };
  const timer = setInterval(sample, 2);
  return {
    sample,
    stop() {
      clearInterval(timer);
      last = 0;
      sample();
      return { heap, rss };
    },
  };
}

/** The payload of this run (STREAM_MIB). */
export const payload = (length = PAYLOAD): Uint8Array<ArrayBuffer> => bytesOf(length);

/**
 * The page end of a raw transport's host → page case: counts the bytes, or (`buffer`) also feeds
 * them to a ReadableStream read into one ArrayBuffer by `new Response(stream).arrayBuffer()`, as the
 * official package's `DotNetStream.arrayBuffer()` does. Calls `done` once the payload is in.
 */
export function rawSink(sample: () => void, done: () => void): { buffer(): void; bytes(chunk: Uint8Array): void } {
  let received = 0;
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  return {
    buffer() {
      const stream = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
      void new Response(stream).arrayBuffer().then((result) => {
        check(result.byteLength);
        done();
      });
    },
    bytes(chunk) {
      received += chunk.byteLength;
      sample();
      controller?.enqueue(chunk);
      if (received < PAYLOAD) return;
      received = 0;
      if (controller) {
        controller.close();
        controller = undefined;
      } else done();
    },
  };
}

/** Defines the page functions on the page's global object: the source of page→host streams, the sinks of host→page streams. */
export function definePageFunctions(source: Uint8Array<ArrayBuffer>, sample: () => void = () => {}): void {
  const g = globalThis as any;
  g.benchStreamSource = () => source;
  const blob = new Blob([source]);
  g.benchBlobSource = () => blob;
  g.benchStreamSink = async (stream: { stream(): Promise<ReadableStream<Uint8Array>> }) => {
    return drain((await stream.stream()).getReader(), sample);
  };
  g.benchStreamSinkBuffer = async (stream: { arrayBuffer(): Promise<ArrayBuffer> }) => (await stream.arrayBuffer()).byteLength;
}

/** Page → host: openReadStream on a JS stream reference to the page's payload (its bytes, or a Blob of them); returns the bytes read. */
export async function readFromPage(js: IJSRuntime, sample: () => void, source: 'benchStreamSource' | 'benchBlobSource' = 'benchStreamSource'): Promise<number> {
  const reference = await js.invokeStreamReferenceAsync(source);
  const count = await drain(reference.openReadStream({ maxAllowedSize: Number.MAX_SAFE_INTEGER }).getReader(), sample);
  await reference.disposeAsync();
  return count;
}

/** Host → page: a HostStreamReference over `data` (bytes, or a stream of them), read by the page with stream() or arrayBuffer(). */
export function sendToPage(js: IJSRuntime, data: Uint8Array | ReadableStream<Uint8Array>, how: 'stream' | 'arrayBuffer'): Promise<number> {
  return js.invokeAsync<number>(how === 'stream' ? 'benchStreamSink' : 'benchStreamSinkBuffer', HostStreamReference.create(data));
}

export function check(count: number, expected = PAYLOAD): void {
  if (count !== expected) throw new Error(`moved ${count} bytes, expected ${expected}`);
}
