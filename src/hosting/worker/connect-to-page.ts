/*
 * The host inside a Worker. It answers the page's Hello with a Welcome, then serves calls:
 * async ones as messages (MessageHost), sync ones through the page's SharedArrayBuffer when it
 * offered one and this thread may block. It never imports the official page package, so the
 * Worker gets no `window` global.
 */
import { MessageHost, WELCOME } from '../messaging/message-host.js';
import { JSException } from '../../host/errors.js';
import * as Msg from '../../protocol/message-codes.js';
import { PROTOCOL_VERSION, type Hello } from '../../protocol/messages.js';
import { COMPLETION_PREFIX } from '../../protocol/framing.js';
import { isWorkerControl, WorkerControl } from '../../protocol/worker-control.js';
import { createOutbox, unpack } from './outbox.js';
import { defaultPagePort, listen, watchPeer, type MessageTarget } from './ports.js';
import { KIND_ERROR, KIND_NULL } from './sync-buffer.js';
import { SyncCaller } from './sync-caller.js';
import { createPushedStreams, type PushedStreams } from './pushed-streams.js';
import { WORKER_HOST_STREAM_CHUNK, WORKER_PAGE_STREAM_CHUNK, WORKER_READ_AHEAD_BYTES, WORKER_STREAM_WINDOW } from './stream-sizes.js';
import type { RuntimeOptions } from '../../host/core.js';
import type { PageLink } from '../../host/page-link.js';
import type { IJSRuntime } from '../../host/types.js';

/** Options for {@link connectToPage}. */
export interface ConnectToPageOptions extends RuntimeOptions {
  /** The channel to the page. Default: `self` in a browser Worker, `parentPort` in a Node Worker. */
  readonly port?: MessageTarget;
  /**
   * Milliseconds a synchronous call waits for the page before it throws a `JSTimeoutError`
   * (the page's main thread is blocked or busy, or the JS function runs on). Default 30,000;
   * `Infinity` waits forever. The page may still run the call later; its answer is discarded.
   */
  readonly syncTimeout?: number;
  /**
   * How many times a synchronous call polls the shared buffer before it sleeps in Atomics.wait.
   * Polling catches a quick answer without the cost of a sleep and wake-up (10–30 µs), at the
   * price of keeping a core busy that long (5–8 ns a poll). Default 4096 (≈ 20–30 µs); 0 sleeps at once.
   */
  readonly syncSpin?: number;
  /**
   * Chunks (of 120 KiB) of a host stream sent before the host waits for the page's credit
   * (default 32: 3.75 MiB). Give the page's `hostInWorker` the same `streamWindow`: the page buffers
   * that many. A larger window keeps a fast link busy at the price of that many chunks in flight.
   */
  readonly streamWindow?: number;
  /**
   * Bytes of a page stream (`openReadStream`) the page may push ahead of the host's reader, in
   * chunks of 256 KiB: the window of the read (default 4 MiB, 16 chunks; at least 2 chunks). The
   * host holds at most this much unread; a reader that stops reading stops the page.
   */
  readonly streamReadAheadBytes?: number;
  /** Aborting disconnects: calls in flight on both sides settle, and the page is told why. */
  readonly signal?: AbortSignal;
  /** Messages from the page that were malformed, and errors that do not end the channel. */
  readonly onError?: (error: unknown) => void;
}

export const DEFAULT_SYNC_TIMEOUT = 30_000;
export const DEFAULT_SYNC_SPIN = 4096;

/** Whether this thread may block in Atomics.wait (a Worker may; a browser's main thread may not). */
function canBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Connects the host code in this Worker to the page that created it (which calls `hostInWorker`)
 * and resolves with the runtime once the page has said Hello. Calls the page makes before then
 * wait on the page side; nothing is lost whichever side starts first.
 *
 * The runtime is async everywhere; it is also an `IJSInProcessRuntime` (check with
 * `isInProcess(js)`) when the page offered a SharedArrayBuffer: always in Node, and in a browser
 * when the page is cross-origin isolated.
 *
 * Byte arrays are copied to the page unless marked with `transfer()`, which moves them.
 */
export function connectToPage(options: ConnectToPageOptions = {}): Promise<IJSRuntime> {
  const port = options.port ?? defaultPagePort();
  const post = (data: unknown, transferList: ArrayBuffer[]) => port.postMessage(data, transferList);
  const outbox = createOutbox(post);
  let host: MessageHost | undefined;
  let pushed: PushedStreams | undefined;
  let closedReason: string | undefined;
  const stops: (() => void)[] = [];

  return new Promise<IJSRuntime>((resolve, reject) => {
    const close = (reason: string, tellPage: boolean) => {
      if (closedReason !== undefined) return;
      closedReason = reason;
      stops.forEach((stop) => stop());
      if (tellPage) {
        outbox.flush(); // answers already given still reach the page, before the Close
        post([WorkerControl.Close, reason], []);
      }
      outbox.discard();
      pushed?.close(reason);
      host?.close(reason);
      reject(new Error(`connectToPage: ${reason}`));
    };

    const welcome = (hello: Hello) => {
      const buffer = hello[3];
      const offered = typeof SharedArrayBuffer === 'function' && buffer instanceof SharedArrayBuffer;
      const syncCalls = offered && canBlock();
      const caller = syncCalls
        ? new SyncCaller(buffer!, { timeout: options.syncTimeout ?? DEFAULT_SYNC_TIMEOUT, spin: options.syncSpin ?? DEFAULT_SYNC_SPIN })
        : undefined;
      const invokeJS: PageLink['invokeJS'] = caller
        ? (identifier, argsJson, resultType, targetInstanceId, callType) => {
            outbox.flush(); // async calls made before this one, and this call's byte arrays, go first
            const answer = caller.call(outbox.posted, identifier, argsJson, resultType, targetInstanceId, callType);
            if (answer.kind === KIND_ERROR) {
              const [message, stack] = JSON.parse(answer.text) as [string, string | null];
              throw new JSException(message, { jsStack: stack ?? undefined });
            }
            answer.byteArrays.forEach((bytes, id) => host!.core.receiveByteArray(id, bytes));
            return answer.kind === KIND_NULL ? null : answer.text;
          }
        : undefined;
      const readAhead = options.streamReadAheadBytes ?? WORKER_READ_AHEAD_BYTES;
      pushed = createPushedStreams({
        window: Math.max(2, Math.floor(readAhead / WORKER_PAGE_STREAM_CHUNK)),
        chunkSize: WORKER_PAGE_STREAM_CHUNK,
        start: (reference, readId, window, chunkSize, length, signal) =>
          host!.core.callPageHelper('pushStream', [reference, readId, window, chunkSize, length], { signal }),
        send: outbox.send,
      });
      host = new MessageHost(hello, outbox.send, {
        ...options,
        hostingModel: 'worker',
        streamChunkSize: WORKER_HOST_STREAM_CHUNK,
        streamWindow: options.streamWindow ?? WORKER_STREAM_WINDOW,
        streamReadAheadBytes: readAhead,
        invokeJS,
        readJSStream: pushed.open,
        asyncOnlyReason: offered
          ? 'this runtime is hosted on a thread that may not block in Atomics.wait (a browser\'s main thread), so only async calls are possible; run connectToPage() in a Worker'
          : 'this runtime is hosted in a Worker and the page offered no SharedArrayBuffer, so only async calls are possible ' +
            '(in a browser, serve the page with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp; ' +
            'the page also needs Atomics.waitAsync, and hostInWorker must not be given sync: false)',
        onProtocolError: options.onError,
      });
      post(WELCOME(syncCalls), []);
      outbox.resetCount(); // the page counts the messages after the Welcome
      resolve(host.runtime);
    };

    const receive = (data: unknown) => {
      // A completion sent alone comes as text (docs/protocol.md, "Worker transport"); the core checks it.
      if (typeof data === 'string' && data[0] === COMPLETION_PREFIX) return host?.receiveCompletion(data.slice(1));
      for (const message of unpack(data, Msg.SendByteArray)) {
        // A completion with byte arrays comes as a bundle headed by its text.
        if (typeof message === 'string' && message[0] === COMPLETION_PREFIX) host?.receiveCompletion(message.slice(1));
        else if (pushed?.receive(message as unknown[])) continue;
        else if (isWorkerControl(message)) {
          if (message[0] === WorkerControl.Close) close(message[1], false);
        } else if (host) {
          // A second Hello is the page answering our Ready after its first one got through.
          if (!(Array.isArray(message) && message[0] === Msg.Hello)) host.receive(message);
        } else if (Array.isArray(message) && message[0] === Msg.Hello) {
          try {
            welcome(message as Hello);
          } catch (error) {
            // A protocol version mismatch: tell the page, which rejects its `ready` with the same text.
            close(error instanceof Error ? error.message : String(error), true);
          }
        }
      }
    };

    if (options.signal?.aborted) return reject(options.signal.reason);
    stops.push(listen(port, 'message', receive));
    stops.push(watchPeer(port, (reason) => close(reason, false), () => true, options.onError));
    if (options.signal) {
      const onAbort = () => close(`The host disconnected: ${String(options.signal!.reason?.message ?? options.signal!.reason)}`, true);
      options.signal.addEventListener('abort', onAbort, { once: true });
      stops.push(() => options.signal!.removeEventListener('abort', onAbort));
    }
    post([WorkerControl.Ready, PROTOCOL_VERSION], []);
  });
}
