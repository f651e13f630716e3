import type { JSCallResultType, JSCallType } from './wire.js';
import type { HostingModel } from './types.js';

/**
 * What a hosting model must provide so the host can drive the page. Each member maps to one
 * call on the page's `ICallDispatcher` (see docs/protocol.md); a hosting model either calls
 * the dispatcher directly (in-process) or carries the call as a message (worker, server).
 */
export interface PageLink {
  readonly hostingModel: HostingModel;
  /** Why sync calls are impossible, for the error message; defaults to naming the hosting model. */
  readonly asyncOnlyReason?: string;
  /** Bytes per chunk when reading a JS stream; default 32 KiB (Blazor Server's size). */
  readonly streamChunkSize?: number;
  /** Bytes per chunk for reading the JS stream reference `referenceId`, where it differs from {@link streamChunkSize}. */
  streamChunkSizeOf?(referenceId: number): number | undefined;
  /** Bytes of a JS stream requested ahead of the reader, in calls of one chunk each; default 1 MiB. */
  readonly streamReadAheadBytes?: number;
  /** Id of the page-side helper object that serves JS stream chunks (see src/page/page-helpers.ts). */
  readonly pageHelpersId: number;

  /** `beginInvokeJSFromDotNet`: the page answers through {@link HostEndpoint.endInvokeJS}. */
  beginInvokeJS(
    asyncHandle: number,
    identifier: string,
    argsJson: string,
    resultType: JSCallResultType,
    targetInstanceId: number,
    callType: JSCallType,
  ): void;

  /**
   * `invokeJSFromDotNet`: present only where the host can block until the page answers.
   * Returns the result JSON or null; throws the page's error.
   */
  invokeJS?(
    identifier: string,
    argsJson: string,
    resultType: JSCallResultType,
    targetInstanceId: number,
    callType: JSCallType,
  ): string | null;

  /** `endInvokeDotNetFromJS`: completes a page-to-host call. */
  endInvokeDotNet(callId: string, succeeded: boolean, resultJsonOrError: string): void;

  /** `receiveByteArray`: sent before the message whose JSON refers to `{"__byte[]": id}`. */
  sendByteArray(id: number, data: Uint8Array): void;

  /**
   * Reads one chunk of the JS stream reference `referenceId` as the page helper's
   * `readStreamChunk(reference, offset, count)` would, where the page is in reach without a
   * transport (in-process). Answers with {@link HostEndpoint.answerJSCall} (the bytes) or
   * {@link HostEndpoint.endInvokeJS} (a failure, as the page formats it). Without it, chunks are
   * ordinary async calls.
   */
  readStreamChunk?(asyncHandle: number, referenceId: number, offset: number, count: number): void;
  /**
   * With {@link readStreamChunk}: the chunk, when the page has it at once and reading it runs no
   * page code but a lookup and a view (the bytes of a typed array); undefined, having done
   * nothing, otherwise.
   */
  readStreamChunkAtOnce?(referenceId: number, offset: number, count: number): Uint8Array | undefined;

  /** `supplyDotNetStream`: delivers the data behind `{"__dotNetStream": id}`. */
  transmitStream(streamId: number, stream: ReadableStream<Uint8Array>): void;

  /**
   * Releases a JS object synchronously, where possible (in-process). Without it, the host
   * releases through an async call of `DotNet.disposeJSObjectReferenceById`, as Blazor does.
   */
  disposeJSObjectSync?(id: number): void;

  /** Beyond Blazor: tells the page that the host gave up on a call, so a JS AbortSignal can fire. */
  cancelJSCall?(asyncHandle: number): void;
}

/** What the page calls on the host: the `DotNetCallDispatcher` contract, normalised. */
export interface HostEndpoint {
  /** `beginInvokeDotNetFromJS`; a null callId means fire-and-forget. */
  beginInvokeDotNet(
    callId: string | null,
    assemblyName: string | null,
    methodIdentifier: string,
    dotNetObjectId: number,
    argsJson: string | null,
  ): void;
  /** `invokeDotNetFromJS`: returns the result JSON, or null for no result; throws on failure. */
  invokeDotNet(assemblyName: string | null, methodIdentifier: string, dotNetObjectId: number, argsJson: string | null): string | null;
  /** `endInvokeJSFromDotNet`: `resultOrError` is the JSON triple `[asyncHandle, succeeded, payload]`. */
  endInvokeJS(resultOrError: string): void;
  /** Completes the async call `asyncHandle` with a value, not JSON: the answer to {@link PageLink.readStreamChunk}. */
  answerJSCall(asyncHandle: number, value: unknown): void;
  /** `sendByteArray`: a byte array for the next message from the page. */
  receiveByteArray(id: number, data: Uint8Array): void;
  /** The page is gone: settle every pending call with `JSDisconnectedException` and release everything. */
  disconnect(reason: string): void;
}
