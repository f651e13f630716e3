/** What {@link HostStreamReference.create} accepts. */
export type HostStreamSource = ReadableStream<Uint8Array> | Blob | Uint8Array | ArrayBuffer;

/**
 * Data the host sends to the page as a stream (Blazor's `DotNetStreamReference`). The page
 * receives a `DotNetStream` with `stream()` and `arrayBuffer()`. A reference can be sent once:
 * the data is consumed by the transfer.
 */
export class HostStreamReference {
  #source: HostStreamSource | undefined;

  private constructor(source: HostStreamSource) {
    this.#source = source;
  }

  static create(source: HostStreamSource): HostStreamReference {
    const ok =
      source instanceof ReadableStream || source instanceof Uint8Array || source instanceof ArrayBuffer ||
      (typeof Blob !== 'undefined' && source instanceof Blob);
    if (!ok) throw new TypeError('HostStreamReference.create needs a ReadableStream, Blob, Uint8Array or ArrayBuffer.');
    return new HostStreamReference(source);
  }

  /** True once the stream was handed to a runtime for transmission. */
  get sent(): boolean {
    return this.#source === undefined;
  }

  /** @internal Hands the data over for transmission, exactly once. */
  take(): ReadableStream<Uint8Array> {
    const source = this.#source;
    if (source === undefined) {
      throw new Error('This HostStreamReference was already sent to the page; its data can be transmitted once. Create a new one for each call.');
    }
    this.#source = undefined;
    if (source instanceof ReadableStream) return source;
    if (source instanceof Uint8Array || source instanceof ArrayBuffer) {
      const bytes = source instanceof ArrayBuffer ? new Uint8Array(source) : source;
      return new ReadableStream<Uint8Array>({
        start(controller) {
          if (bytes.byteLength > 0) controller.enqueue(bytes);
          controller.close();
        },
      });
    }
    return source.stream() as ReadableStream<Uint8Array>;
  }
}
