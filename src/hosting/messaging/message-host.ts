/*
 * The host end of a message channel: a PageLink that turns the core's dispatcher calls into
 * protocol messages, and a receiver that checks each page message and hands it to the core.
 * Worker and server hosting add only their transport (postMessage + Atomics, WebSocket).
 */
import { InteropCore, type RuntimeOptions } from '../../host/core.js';
import { JSRuntime } from '../../host/runtime.js';
import * as Msg from '../../protocol/message-codes.js';
import { checkPageToHost, DEFAULT_STREAM_WINDOW, PROTOCOL_VERSION, type Hello, type HostToPage } from '../../protocol/messages.js';
import type { HostingModel } from '../../host/types.js';
import type { PageLink } from '../../host/page-link.js';
import { errorText, REDACTED_STREAM_ERROR } from '../../host/redaction.js';

export interface MessageHostOptions extends RuntimeOptions {
  readonly hostingModel: HostingModel;
  /** Largest chunk of a host stream in one message, and what the host asks for per call when it reads a page stream. */
  readonly streamChunkSize?: number;
  /** Chunks the host may send before the page grants more credit (must match the page's window). */
  readonly streamWindow?: number;
  /** Bytes of a page stream requested ahead of the host's reader (see src/host/js-stream-reference.ts). */
  readonly streamReadAheadBytes?: number;
  /** Why sync calls are impossible here, for error messages. */
  readonly asyncOnlyReason?: string;
  /** A synchronous call path, where the transport has one (Worker + SharedArrayBuffer). */
  readonly invokeJS?: PageLink['invokeJS'];
  /** The transport's own read of JS stream references, where it has one (Worker: chunks pushed by the page). */
  readonly readJSStream?: PageLink['readJSStream'];
  /**
   * The page is untrusted (a server without `detailedErrors`): the text of a host stream's failure
   * is replaced by a fixed one. Only the server sets it; a Worker's page is the same application.
   */
  readonly redactErrors?: boolean;
  /** Called with every message from the page that was rejected, and why. */
  readonly onProtocolError?: (error: Error, message: unknown) => void;
}

interface OutgoingStream {
  readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  credit: number;
  pumping: boolean;
  /** What is left of the last chunk read from the source, sent as credit arrives. */
  rest?: Uint8Array;
}

export class MessageHost {
  readonly core: InteropCore;
  readonly runtime: JSRuntime;
  readonly #send: (message: HostToPage) => void;
  readonly #options: MessageHostOptions;
  readonly #streams = new Map<number, OutgoingStream>();
  readonly #chunkSize: number;
  #closed = false;

  constructor(hello: Hello, send: (message: HostToPage) => void, options: MessageHostOptions) {
    checkProtocolVersion(hello);
    this.#send = send;
    this.#options = options;
    this.#chunkSize = options.streamChunkSize ?? 32 * 1024;
    this.core = new InteropCore(options, options.hostingModel !== 'server');
    const link: PageLink = {
      hostingModel: options.hostingModel,
      pageHelpersId: hello[2],
      asyncOnlyReason: options.asyncOnlyReason,
      streamChunkSize: this.#chunkSize,
      streamReadAheadBytes: options.streamReadAheadBytes,
      invokeJS: options.invokeJS,
      readJSStream: options.readJSStream,
      beginInvokeJS: (asyncHandle, identifier, argsJson, resultType, targetInstanceId, callType) =>
        send([Msg.BeginInvokeJS, asyncHandle, identifier, argsJson, resultType, targetInstanceId, callType]),
      endInvokeDotNet: (callId, succeeded, resultJsonOrError) => send([Msg.EndInvokeDotNet, callId, succeeded, resultJsonOrError]),
      sendByteArray: (id, data) => send([Msg.ReceiveByteArray, id, data]),
      transmitStream: (streamId, stream) => this.#transmit(streamId, stream),
      cancelJSCall: (asyncHandle) => send([Msg.CancelJS, asyncHandle]),
    };
    this.core.attach(link);
    this.runtime = new JSRuntime(this.core);
  }

  /** Handles one message from the page. Bad messages are reported, never thrown: the channel stays up. */
  receive(raw: unknown): void {
    if (this.#closed) return;
    try {
      const message = checkPageToHost(raw);
      switch (message[0]) {
        case Msg.BeginInvokeDotNet:
          return this.core.beginInvokeDotNet(message[1], message[2], message[3], message[4], message[5]);
        case Msg.EndInvokeJS:
          return this.core.endInvokeJS(message[3]);
        case Msg.SendByteArray:
          return this.core.receiveByteArray(message[1], message[2]);
        case Msg.StreamCredit:
          return this.#grant(message[1], message[2]);
        case Msg.Hello:
          throw new Error('Unexpected Hello: the handshake already happened on this channel.');
      }
    } catch (error) {
      this.#options.onProtocolError?.(error instanceof Error ? error : new Error(String(error)), raw);
    }
  }

  /**
   * Handles an EndInvokeJS whose completion text arrived without its message around it (the
   * server's completion frame, the Worker page's text completion). The core checks the text as
   * it checks a message's. With `failure`, the call fails with that reason whatever the text
   * says (the transport refused the byte arrays it referred to); only its async handle is read.
   */
  receiveCompletion(resultOrError: string, failure?: string): void {
    if (this.#closed) return;
    // What checkPageToHost checks of the message form: an integer async handle. The core checks the rest.
    const comma = resultOrError.indexOf(',');
    const handle = resultOrError.charCodeAt(0) === 0x5b && comma > 1 ? Number(resultOrError.slice(1, comma)) : NaN;
    if (failure !== undefined) return this.failCompletion(handle, failure);
    try {
      if (!Number.isSafeInteger(handle) || handle < 0) {
        throw new TypeError('Malformed completion frame: expected "![asyncHandle,succeeded,result]" with an integer asyncHandle.');
      }
      this.core.endInvokeJS(resultOrError, handle);
    } catch (error) {
      this.#options.onProtocolError?.(error instanceof Error ? error : new Error(String(error)), resultOrError);
    }
  }

  /** Fails the host's call `asyncHandle` with `reason` instead of the page's answer to it (a transport limit refused that answer). */
  failCompletion(asyncHandle: unknown, reason: string): void {
    if (this.#closed || typeof asyncHandle !== 'number' || !Number.isSafeInteger(asyncHandle) || asyncHandle < 0) return;
    this.core.endInvokeJS(JSON.stringify([asyncHandle, false, reason]), asyncHandle);
  }

  /** Host streams still being sent to the page. */
  get streamsInFlight(): number {
    return this.#streams.size;
  }

  /** The page is gone: every pending call settles with JSDisconnectedException, streams stop. */
  close(reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.core.disconnect(reason);
    for (const stream of this.#streams.values()) void stream.reader.cancel(reason).catch(() => {});
    this.#streams.clear();
  }

  #transmit(streamId: number, stream: ReadableStream<Uint8Array>): void {
    this.#streams.set(streamId, { reader: stream.getReader(), credit: this.#options.streamWindow ?? DEFAULT_STREAM_WINDOW, pumping: false });
    void this.#pump(streamId);
  }

  #grant(streamId: number, chunks: number): void {
    const stream = this.#streams.get(streamId);
    if (!stream || chunks <= 0) return;
    // A page's credit stays within about one window; a larger grant (an untrusted page's) must
    // not make the host read the whole source ahead of the reader.
    stream.credit = Math.min(stream.credit + chunks, 2 * (this.#options.streamWindow ?? DEFAULT_STREAM_WINDOW));
    void this.#pump(streamId);
  }

  async #pump(streamId: number): Promise<void> {
    const stream = this.#streams.get(streamId);
    if (!stream || stream.pumping) return;
    stream.pumping = true;
    try {
      while (!this.#closed) {
        // A source chunk larger than streamChunkSize goes out one piece per credit: the rest waits
        // for the page's next grant, so a large chunk cannot overrun the window. Without credit the
        // host still reads one chunk ahead (and holds it): a source that has ended is ended on the
        // page at once, so the page need not grant credit just to learn that the stream is over.
        let rest = stream.rest;
        if (rest === undefined || rest.byteLength === 0) {
          const { done, value } = await stream.reader.read();
          if (done) {
            this.#streams.delete(streamId);
            this.#send([Msg.StreamEnd, streamId, null]);
            return;
          }
          if (value.byteLength === 0) continue;
          rest = stream.rest = value;
        }
        if (stream.credit <= 0) return;
        const piece = rest.byteLength <= this.#chunkSize ? rest : rest.subarray(0, this.#chunkSize);
        stream.rest = rest.byteLength <= this.#chunkSize ? undefined : rest.subarray(this.#chunkSize);
        this.#send([Msg.StreamChunk, streamId, piece]);
        stream.credit--;
      }
    } catch (error) {
      this.#streams.delete(streamId);
      if (!this.#closed) this.#send([Msg.StreamEnd, streamId, this.#options.redactErrors ? REDACTED_STREAM_ERROR : errorText(error)]);
    } finally {
      stream.pumping = false;
    }
  }
}

/** Refuses a Hello of another protocol version: the page and host must come from one release. */
export function checkProtocolVersion(hello: Hello): void {
  if (hello[1] !== PROTOCOL_VERSION) {
    throw new Error(`The page speaks jsinterop protocol version ${hello[1]}, but this host speaks version ${PROTOCOL_VERSION}. Serve the page and host from the same jsinterop release.`);
  }
}

export const WELCOME = (syncCalls: boolean): HostToPage => [Msg.Welcome, PROTOCOL_VERSION, syncCalls];
