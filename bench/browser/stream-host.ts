/*
 * The host side of the Chromium stream bench, run in each hosting model (in the page, in a module
 * Worker, in Node behind a circuit). The page asks it to move the payload and it times the move
 * where it starts: reading the page's source with openReadStream, or sending a HostStreamReference
 * the page reads with stream() or arrayBuffer().
 */
import { HostObjectReference, HostStreamReference, JSInvokable, type IJSRuntime } from '../../src/index.js';
import { drain, payload, piecesOf } from '../support/stream-bytes.js';

/** The page global the host calls (bench/browser/streams-page.ts). */
export const STREAMS_GLOBAL = 'jsinteropStreams';

export type PageSource = 'source' | 'blob' | 'blob8';
export type PageSink = 'sink' | 'sinkBuffer';

class StreamHost {
  #bytes: Uint8Array = new Uint8Array(0);

  constructor(private readonly js: IJSRuntime) {}

  /**
   * Reads the page's `source` (its bytes, or a Blob) to the end, again and again until `minMs` have
   * passed (once if 0); returns [ms per read, bytes per read].
   */
  @JSInvokable('ReadFromPage')
  async readFromPage(source: PageSource, _size: number, minMs = 0): Promise<[number, number]> {
    return repeated(minMs, async () => {
      const reference = await this.js.invokeStreamReferenceAsync(`${STREAMS_GLOBAL}.${source}`);
      const count = await drain(reference.openReadStream({ maxAllowedSize: Number.MAX_SAFE_INTEGER }).getReader());
      await reference.disposeAsync();
      return count;
    });
  }

  /**
   * Sends `size` bytes to the page's `sink` (as one chunk, or with `pieces` as a stream of 1 MiB
   * pieces), again and again until `minMs` have passed (once if 0); returns [ms per send, the bytes
   * the page read].
   */
  @JSInvokable('SendToPage')
  async sendToPage(sink: PageSink, size: number, minMs = 0, pieces = false): Promise<[number, number]> {
    if (this.#bytes.byteLength !== size) this.#bytes = payload(size);
    const bytes = this.#bytes;
    return repeated(minMs, () => this.js.invokeAsync<number>(`${STREAMS_GLOBAL}.${sink}`, HostStreamReference.create(pieces ? piecesOf(bytes) : bytes)));
  }
}

/**
 * Runs `move` back to back until `minMs` have passed (at least once); returns [ms per move, the
 * bytes of the last move, or -1 if the moves differed]. In-process moves of views take well under
 * a millisecond: one of them alone measures a cold call, not throughput.
 */
export async function repeated(minMs: number, move: () => Promise<number>): Promise<[number, number]> {
  const started = performance.now();
  let moves = 0;
  let count: number | undefined;
  let ms = 0;
  do {
    const moved = await move();
    count = count === undefined || count === moved ? moved : -1;
    moves++;
    ms = performance.now() - started;
  } while (ms < minMs);
  return [ms / moves, count];
}

/** Hands the page a reference to a stream host on this runtime. */
export async function startStreamHost(js: IJSRuntime): Promise<void> {
  await js.invokeVoidAsync(`${STREAMS_GLOBAL}.attach`, js.hostingModel, HostObjectReference.create(new StreamHost(js)));
}
