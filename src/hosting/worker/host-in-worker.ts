/*
 * The page's end of a Worker host: the official package's dispatcher (attachPageChannel) over
 * postMessage, the handshake, the answering side of sync calls, and the clean-up when either
 * side goes away.
 */
import { attachPageChannel } from '../../page/page-channel.js';
import { COMPLETION_PREFIX } from '../../protocol/framing.js';
import * as Msg from '../../protocol/message-codes.js';
import { PROTOCOL_VERSION, type HostToPage, type PageToHost, type Welcome } from '../../protocol/messages.js';
import { WorkerControl, type Close } from '../../protocol/worker-control.js';
import { createJSObjectLedger } from './js-object-ledger.js';
import { createOutbox, unpack } from './outbox.js';
import { listen, watchPeer, type MessageTarget } from './ports.js';
import { CLOSED, DEFAULT_SYNC_BUFFER, MIN_SYNC_BUFFER, STATE } from './sync-buffer.js';
import type { RunSync, SyncResponder } from './sync-responder.js';
import { WORKER_STREAM_WINDOW } from './stream-sizes.js';
import { createStreamPusher } from './stream-pusher.js';
import type { DotNetNamespace } from '../../page/official-package.js';

/** Options for {@link hostInWorker}. */
export interface HostInWorkerOptions {
  /** The official package's namespace. Default: `globalThis.DotNet`, set by `import 'jsinterop/page'`. */
  readonly DotNet?: DotNetNamespace;
  /**
   * Offer synchronous calls to the host. Default true; they happen only where a SharedArrayBuffer
   * can be shared with the Worker: always in Node, in a browser only on a cross-origin isolated page.
   */
  readonly sync?: boolean;
  /**
   * Bytes of the SharedArrayBuffer for sync calls (default 64 KiB). Larger requests and results
   * still work: they cross in chunks of this size.
   */
  readonly syncBufferSize?: number;
  /**
   * After answering a sync call, how many times the page polls for the host's next one before
   * it returns to its event loop, to start with (default 1024, about 5–10 µs). Hosts often make
   * sync calls in bursts; catching the next one hot avoids waking the event loop for each. The
   * page doubles the count (up to 32×) while the next calls arrive just after its polls ran out,
   * and halves it back when they come late (src/hosting/worker/page-spin.ts). 0 turns it off.
   */
  readonly syncSpin?: number;
  /** Chunks of a host stream the page buffers before the host waits (default 32, of 120 KiB); give the host's `connectToPage` the same. */
  readonly streamWindow?: number;
  /**
   * Host calls whose arguments hold no marker, or only the package's own (byte arrays, references,
   * host objects and streams), skip the package's reviver parse and replacer, with the same results
   * (docs/protocol.md, "The direct path"). false sends every call through the
   * package's dispatcher. Default true.
   */
  readonly directCalls?: boolean;
  /** Errors that do not end the channel: a browser Worker's uncaught exceptions, undeliverable messages, bugs. */
  readonly onError?: (error: unknown) => void;
  /**
   * The URL the browser Worker was created with. Used only if the Worker fails to start without
   * saying why (the browser gives no reason for a script it could not fetch, was not allowed to
   * run, or could not parse): the page then fetches the script once, and `ready` rejects naming
   * the cause (HTTP 404, not JavaScript, no Cross-Origin-Embedder-Policy on an isolated page, or
   * a syntax error). Without it the message lists the possible causes.
   */
  readonly scriptUrl?: string | URL;
}

/** The page's handle on a host running in a Worker. */
export interface WorkerHost {
  /** Resolves when the host has answered the handshake; rejects if the Worker fails or closes first. */
  readonly ready: Promise<void>;
  /**
   * Whether the host can call the page synchronously (its runtime is an IJSInProcessRuntime).
   * Before `ready` this is what the page offers; afterwards, what the host accepted.
   */
  readonly syncCalls: boolean;
  /** True once closed, by either side or because the Worker went away. */
  readonly closed: boolean;
  /** Resolves with the reason once closed (e.g. "The Worker was terminated."), as a page call would then fail with it. */
  readonly ended: Promise<string>;
  /**
   * Detaches the page from the host: page calls in flight reject with `reason`, the host's
   * pending calls fail with JSDisconnectedException, and the JS objects the host held are
   * released. The Worker keeps running. (Terminating the Worker, `worker.terminate()`, closes too.)
   */
  close(reason?: string): void;
  /** Terminates the Worker (which closes, with reason 'The Worker was terminated.'). */
  terminate(): unknown;
}

const DEFAULT_PAGE_SPIN = 1024;

function syncPossible(): boolean {
  const g = globalThis as { crossOriginIsolated?: boolean };
  return typeof SharedArrayBuffer === 'function' && typeof (Atomics as any).waitAsync === 'function' && g.crossOriginIsolated !== false;
}

/**
 * Connects the official page package to a host running in `worker` (a browser `Worker`, a Node
 * `worker_threads.Worker`, or a MessagePort to one) whose script calls `connectToPage()`. Page
 * code then calls the host with `DotNet.invokeMethodAsync` and `DotNetObject.invokeMethodAsync`;
 * calls made before the host is ready wait for it. Synchronous page-to-host calls
 * (`DotNet.invokeMethod`) throw: the page must not block on another thread.
 *
 * Byte arrays are copied to the host unless marked with `transfer()`, which moves them.
 */
export function hostInWorker(worker: MessageTarget, options: HostInWorkerOptions = {}): WorkerHost {
  const DotNet: DotNetNamespace | undefined = options.DotNet ?? (globalThis as any).DotNet;
  if (!DotNet || typeof DotNet.attachDispatcher !== 'function') {
    throw new TypeError("hostInWorker needs the official page package: `import 'jsinterop/page'` first, or pass { DotNet }.");
  }
  const post = (data: unknown, transferList: ArrayBuffer[]) => worker.postMessage(data, transferList);
  // Page calls wait in the outbox until the host is there. A completion that leaves alone goes as
  // the package's completion text behind "!": a string costs the two threads less to clone than an array.
  const outbox = createOutbox(post, true, (message) => (message[0] === Msg.EndInvokeJS ? COMPLETION_PREFIX + (message[3] as string) : message));
  const ledger = createJSObjectLedger();
  const size = Math.max(MIN_SYNC_BUFFER, options.syncBufferSize ?? DEFAULT_SYNC_BUFFER);
  const buffer = options.sync !== false && syncPossible() ? new SharedArrayBuffer(size) : null;
  // Only pages that can share memory with the Worker need the sync responder, and most pages are
  // not cross-origin isolated: it is a separate chunk for bundlers, loaded during the handshake.
  const responderModule = buffer ? import('./sync-responder.js') : undefined;
  responderModule?.catch(() => {}); // a failed load is handled at the Welcome, if the host wants sync calls

  const send = (message: PageToHost): void => {
    if (message[0] === Msg.EndInvokeJS) ledger.noteSent(message[3]);
    else if (message[0] === Msg.BeginInvokeDotNet) ledger.noteSent(message[5]);
    outbox.send(message);
  };
  const pusher = createStreamPusher(outbox.send);
  const channel = attachPageChannel(DotNet, send, {
    syncBuffer: buffer,
    streamWindow: options.streamWindow ?? WORKER_STREAM_WINDOW,
    directCalls: options.directCalls,
    helpers: pusher.helpers,
  });
  ledger.hold(channel.hello[2]);

  let welcomed = false;
  let syncCalls = buffer !== null;
  let closedReason: string | undefined;
  let responder: SyncResponder | undefined;
  /** Host messages handled since the Welcome: a sync call waits for those the host posted before it. */
  let handled = 0;
  let settleReady!: (error?: Error) => void;
  const ready = new Promise<void>((resolve, reject) => {
    settleReady = (error) => (error ? reject(error) : resolve());
  });
  ready.catch(() => {}); // a page that never awaits `ready` must not get an unhandled rejection
  let settleEnded!: (reason: string) => void;
  const ended = new Promise<string>((resolve) => (settleEnded = resolve));

  const close = (reason: string, tellHost: boolean): void => {
    if (closedReason !== undefined) return;
    closedReason = reason;
    stops.forEach((stop) => stop());
    outbox.discard();
    if (tellHost) {
      try {
        post([WorkerControl.Close, reason], []);
      } catch {} // the Worker is already gone
    }
    responder?.close();
    pusher.close();
    if (buffer) {
      // Wakes a host blocked in a sync call (it throws JSDisconnectedException), and the responder's loop.
      const header = new Int32Array(buffer);
      Atomics.store(header, STATE, CLOSED);
      Atomics.notify(header, STATE);
    }
    channel.close(reason);
    ledger.releaseAll(DotNet);
    if (!welcomed) settleReady(new Error(reason));
    settleEnded(reason);
  };

  const onWelcome = (message: Welcome): void => {
    if (message[1] !== PROTOCOL_VERSION) {
      // (A host checks the page's version first and refuses it with a clear Close; this is a backstop.)
      return close(`Protocol version mismatch: host ${message[1]}, page ${PROTOCOL_VERSION}.`, true);
    }
    welcomed = true;
    syncCalls = buffer !== null && message[2];
    if (syncCalls) {
      const run: RunSync = (identifier, argsJson, resultType, targetId, callType) => {
        ledger.noteCall(identifier, argsJson);
        const start = outbox.queued.length;
        const json = channel.invokeJS(identifier, argsJson, resultType, targetId, callType);
        ledger.noteSent(json);
        return { json, byteArrays: takeTrailingByteArrays(outbox.queued, start) };
      };
      responderModule!.then(
        ({ startSyncResponder }) => {
          if (closedReason === undefined) responder = startSyncResponder(buffer!, run, () => handled, options.syncSpin ?? DEFAULT_PAGE_SPIN, options.onError);
        },
        (error: unknown) => close(`The page could not load its sync-call responder (sync-responder.js), so it cannot answer the host's synchronous calls: ${error instanceof Error ? error.message : String(error)}`, true),
      );
    }
    outbox.release();
    settleReady();
  };

  const receive = (data: unknown): void => {
    if (closedReason !== undefined) return;
    const counted = welcomed;
    for (const message of unpack(data, Msg.ReceiveByteArray) as HostToPage[]) {
      if ((message[0] as number) === WorkerControl.Close) return close((message as unknown as Close)[1], false);
      if ((message[0] as number) === WorkerControl.Ready) {
        if (!welcomed) post(channel.hello, []); // the host is listening now; our first Hello may have been lost
      } else if (message[0] === Msg.Welcome) {
        if (!welcomed) onWelcome(message);
      } else if (!pusher.receive(message)) {
        if (message[0] === Msg.BeginInvokeJS) ledger.noteCall(message[2], message[3]);
        channel.receive(message);
      }
    }
    if (counted) {
      handled++;
      responder?.messageHandled();
    }
  };

  const stops = [
    listen(worker, 'message', receive),
    watchPeer(worker, (reason) => close(reason, false), () => welcomed, options.onError, options.scriptUrl),
  ];
  post(channel.hello, []);

  return {
    ready,
    get syncCalls() {
      return syncCalls;
    },
    get closed() {
      return closedReason !== undefined;
    },
    ended,
    close: (reason = 'The page closed the connection.') => close(reason, true),
    terminate: () => (worker as { terminate?: () => unknown }).terminate?.(), // the wrapped terminate closes first
  };
}

/**
 * The byte arrays a sync result refers to: SendByteArray messages the dispatcher queued while
 * serializing the result, i.e. those after `start` that no other message follows (an async call
 * the JS function made has its byte arrays followed by its BeginInvokeDotNet). They travel with
 * the answer through the shared buffer, since the blocked host cannot read messages.
 */
function takeTrailingByteArrays(queued: unknown[][], start: number): Uint8Array[] {
  let first = queued.length;
  while (first > start && queued[first - 1]![0] === Msg.SendByteArray) first--;
  return first === queued.length ? [] : queued.splice(first).map((message) => message[2] as Uint8Array);
}
