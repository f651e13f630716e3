/*
 * The host side of the Chromium stream bench, run in each hosting model (in the page, in a module
 * Worker, in Node behind a circuit). The page asks it to move the payload and it times the move
 * where it starts: reading the page's source with openReadStream, or sending a HostStreamReference
 * the page reads with stream() or arrayBuffer().
 */
import { HostObjectReference, HostStreamReference, JSInvokable, type IJSRuntime } from '../../src/index.js';
import { drain, payload } from '../support/stream-bytes.js';

/** The page global the host calls (bench/browser/streams-page.ts). */
export const STREAMS_GLOBAL = 'jsinteropStreams';

export type PageSource = 'source' | 'blob' | 'blob8';
export type PageSink = 'sink' | 'sinkBuffer';

class StreamHost {
  #bytes: Uint8Array = new Uint8Array(0);

  constructor(private readonly js: IJSRuntime) {}

  /** Reads the page's `source` (its bytes, or a Blob) to the end; returns [ms, bytes]. */
  @JSInvokable('ReadFromPage')
  async readFromPage(source: PageSource): Promise<[number, number]> {
    const started = performance.now();
    const reference = await this.js.invokeStreamReferenceAsync(`${STREAMS_GLOBAL}.${source}`);
    const count = await drain(reference.openReadStream({ maxAllowedSize: Number.MAX_SAFE_INTEGER }).getReader());
    const ms = performance.now() - started;
    await reference.disposeAsync();
    return [ms, count];
  }

  /** Sends `size` bytes to the page's `sink`; returns [ms, the bytes the page read]. */
  @JSInvokable('SendToPage')
  async sendToPage(sink: PageSink, size: number): Promise<[number, number]> {
    if (this.#bytes.byteLength !== size) this.#bytes = payload(size);
    const started = performance.now();
    const count = await this.js.invokeAsync<number>(`${STREAMS_GLOBAL}.${sink}`, HostStreamReference.create(this.#bytes));
    return [performance.now() - started, count];
  }
}

/** Hands the page a reference to a stream host on this runtime. */
export async function startStreamHost(js: IJSRuntime): Promise<void> {
  await js.invokeVoidAsync(`${STREAMS_GLOBAL}.attach`, js.hostingModel, HostObjectReference.create(new StreamHost(js)));
}
