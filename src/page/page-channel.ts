/*
 * Attaches the official page package to a message channel (a Worker's port, a WebSocket):
 * dispatcher calls become protocol messages and protocol messages become dispatcher calls.
 * Transport details (transfer lists, framing, reconnects) stay with the caller's `send`.
 */
import { installDomWrapper } from './dom-wrapper.js';
import { pageHelpers } from './page-helpers.js';
import { jsCallsWatching, revivalOnDemandFor } from './revivers-on-demand.js';
import { callsInFlight } from '../protocol/calls-in-flight.js';
import * as Msg from '../protocol/message-codes.js';
import { DEFAULT_STREAM_WINDOW, PROTOCOL_VERSION, type Hello, type HostToPage, type PageToHost } from '../protocol/messages.js';
import { streamCredit } from '../protocol/stream-credit.js';
import type { DotNetNamespace } from './official-package.js';

export interface PageChannelOptions {
  /** Shared memory for synchronous host→page calls (Worker hosting), or null. */
  readonly syncBuffer?: SharedArrayBuffer | null;
  /** Chunks of a host stream the page buffers before the host must wait (backpressure window). */
  readonly streamWindow?: number;
  /**
   * Attaches the channel's dispatcher. Default: `DotNet.attachDispatcher`, which makes the
   * package see one more runtime; the server client passes its succession's (src/page/dispatcher-succession.ts).
   */
  readonly attach?: (host: Parameters<DotNetNamespace['attachDispatcher']>[0]) => ReturnType<DotNetNamespace['attachDispatcher']>;
  /** Host → page calls without markers, or with only the package's own, take the direct path (docs/protocol.md, "The direct path"). Default true. */
  readonly directCalls?: boolean;
  /** Page helpers of the transport's own, beside the shared ones (the Worker's pushStream). */
  readonly helpers?: Record<string, (...args: any[]) => unknown>;
}

export interface PageChannel {
  /** The first message to send: announces the protocol version and the page helpers. */
  readonly hello: Hello;
  /** Feeds one message from the host. */
  receive(message: HostToPage): void;
  /** The host is gone: page→host calls in flight reject with `reason`, host streams error. */
  close(reason: string): void;
  /** A synchronous host→page call (`invokeJSFromDotNet`), for transports that have them. */
  invokeJS(identifier: string, argsJson: string, resultType: number, targetInstanceId: number, callType: number): string | null;
  /** Sets the window of host streams opened from now on (the server's, announced when its circuit starts). */
  setStreamWindow(chunks: number): void;
  /** The dispatcher attached to the official package (for page code that needs it). */
  readonly dispatcher: ReturnType<DotNetNamespace['attachDispatcher']>;
}


/** A host stream the page is receiving, and how many chunks have arrived (credit follows what was read of them). */
interface HostStream {
  controller: ReadableStreamDefaultController<Uint8Array>;
  enqueued: number;
}

export function attachPageChannel(DotNet: DotNetNamespace, send: (message: PageToHost) => void, options: PageChannelOptions = {}): PageChannel {
  let streamWindow = options.streamWindow ?? DEFAULT_STREAM_WINDOW;
  const { abortSignals, watch } = revivalOnDemandFor(DotNet);
  installDomWrapper();
  const callsToHost = callsInFlight<string, true>();
  const streams = new Map<number, HostStream>();
  let closedReason: string | undefined;

  const dispatcher = (options.attach ?? DotNet.attachDispatcher)({
    invokeDotNetFromJS: (assemblyName, methodIdentifier) => {
      const where = assemblyName ? `'${methodIdentifier}' on '${assemblyName}'` : `'${methodIdentifier}'`;
      throw new Error(`Cannot call ${where} synchronously: the host runs in another thread or process, and the page must not block. Use invokeMethodAsync instead.`);
    },
    beginInvokeDotNetFromJS: (callId, assemblyName, methodIdentifier, dotNetObjectId, argsJson) => {
      if (closedReason !== undefined) throw new Error(closedReason);
      const id = callId ? String(callId) : null;
      send([Msg.BeginInvokeDotNet, id, assemblyName, methodIdentifier, dotNetObjectId ?? 0, argsJson]);
      // Only once sent: a send that throws (a message too large for the transport) rejects the call itself.
      if (id) callsToHost.set(id, true);
    },
    endInvokeJSFromDotNet: (asyncHandle, succeeded, resultOrError) => {
      abortSignals.settled(asyncHandle);
      if (closedReason === undefined) send([Msg.EndInvokeJS, asyncHandle, succeeded, resultOrError]);
    },
    sendByteArray: (id, data) => {
      if (closedReason === undefined) send([Msg.SendByteArray, id, data]);
    },
  });
  const jsCalls = jsCallsWatching(watch, dispatcher);
  // A chunk of its own, loaded once the channel exists: it is not on the page's start-up path, and
  // calls that arrive before it take the package's dispatcher, with the same results.
  if (options.directCalls !== false) {
    void import('./direct-calls.js').then(
      ({ directCallsFor }) => jsCalls.useDirect(directCallsFor(DotNet, dispatcher)),
      () => {}, // the chunk could not load: every call keeps the dispatcher
    );
  }

  const hostStream = (streamId: number): HostStream => {
    const existing = streams.get(streamId);
    if (existing) return existing;
    const window = streamWindow; // what the host was told when this stream started
    const credit = streamCredit(window);
    const entry = { enqueued: 0 } as HostStream;
    const stream = new ReadableStream<Uint8Array>(
      {
        start: (c) => {
          entry.controller = c;
        },
        // The host ends a stream without waiting for credit, so nothing owed for the last chunks is needed.
        pull: (c) => {
          if (closedReason !== undefined) return;
          const owed = credit(entry.enqueued, c.desiredSize);
          if (owed) send([Msg.StreamCredit, streamId, owed]);
        },
      },
      { highWaterMark: window },
    );
    streams.set(streamId, entry);
    dispatcher.supplyDotNetStream(streamId, stream);
    return entry;
  };

  const receive = (message: HostToPage): void => {
    switch (message[0]) {
      case Msg.BeginInvokeJS:
        return jsCalls.begin(message[1], message[2], message[3], message[4], message[5], message[6]);
      case Msg.EndInvokeDotNet:
        if (!callsToHost.take(message[1])) return; // late answer to a call already failed by close()
        if (message[2]) watch(message[3]);
        dispatcher.endInvokeDotNetFromJS(message[1], message[2], message[3]);
        return;
      case Msg.ReceiveByteArray:
        dispatcher.receiveByteArray(message[1], message[2]);
        return;
      case Msg.StreamChunk: {
        const entry = hostStream(message[1]);
        entry.enqueued++;
        entry.controller.enqueue(message[2]);
        return;
      }
      case Msg.StreamEnd: {
        const { controller } = hostStream(message[1]);
        streams.delete(message[1]);
        if (message[2] === null) controller.close();
        else controller.error(new Error(message[2]));
        return;
      }
      case Msg.CancelJS:
        abortSignals.abort(message[1], 'The host cancelled this call.');
        return;
      case Msg.Welcome:
        return;
    }
  };

  const close = (reason: string): void => {
    if (closedReason !== undefined) return;
    closedReason = reason;
    for (const id of callsToHost.keys()) dispatcher.endInvokeDotNetFromJS(id, false, reason);
    callsToHost.clear();
    for (const { controller } of streams.values()) controller.error(new Error(reason));
    streams.clear();
  };

  const pageHelpersId: number = DotNet.createJSObjectReference(options.helpers ? { ...pageHelpers, ...options.helpers } : pageHelpers).__jsObjectId;
  const hello: Hello = [Msg.Hello, PROTOCOL_VERSION, pageHelpersId, options.syncBuffer ?? null];
  const setStreamWindow = (chunks: number): void => {
    if (Number.isSafeInteger(chunks) && chunks >= 2) streamWindow = chunks;
  };
  return { hello, receive, close, invokeJS: jsCalls.invoke, setStreamWindow, dispatcher };
}
