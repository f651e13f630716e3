import { InteropCore, type RuntimeOptions } from '../../host/core.js';
import { JSRuntime } from '../../host/runtime.js';
import { JSCallResultType, JSCallType } from '../../host/wire.js';
import { installDomWrapper } from '../../page/dom-wrapper.js';
import { holdsBytes, pageHelpers, streamChunkAtOnce } from '../../page/page-helpers.js';
import { PAGE_CIRCUIT_GONE } from '../../page/circuit-gone.js';
import { directCallsFor } from '../../page/direct-calls.js';
import { jsCallsWatching, revivalOnDemandFor } from '../../page/revivers-on-demand.js';
import type { IJSInProcessRuntime } from '../../host/types.js';
import type { DotNetNamespace } from '../../page/official-package.js';

/** Options for {@link createInProcessRuntime}. */
export interface InProcessRuntimeOptions extends RuntimeOptions {
  /**
   * The official page package's `DotNet` namespace. Default: `globalThis.DotNet`, which
   * `import 'jsinterop/page'` sets (as Blazor's boot script does).
   */
  readonly DotNet?: DotNetNamespace;
  /**
   * Ends the runtime when aborted, as `connectToPage({ signal })` ends a Worker's: pending calls
   * to the page reject with `JSDisconnectedException`, later calls are refused, host objects the
   * page held are released, and the page's calls into the host fail (those in flight too).
   */
  readonly signal?: AbortSignal;
  /**
   * Let calls whose arguments hold no marker, or only the package's own (byte arrays, references,
   * host objects and streams), skip the package's reviver parse and replacer (docs/protocol.md,
   * "The direct path"). Default: true.
   * With false every call goes through the package's dispatcher; the results are the same.
   */
  readonly directCalls?: boolean;
  /**
   * Bytes per chunk when the host reads a JS stream reference (`openReadStream`), whatever it holds.
   * Default: 4 MiB for a typed array or ArrayBuffer, whose chunks are views of the page's bytes (no
   * copy, whatever their size: larger chunks only mean fewer of them); 1 MiB for a Blob, whose
   * chunks are copies, up to 4 of them read ahead of the reader.
   */
  readonly streamChunkSize?: number;
}

/** The page's text when its host is gone: Blazor's, then what happened here. */
function pageSideEndText(reason: string): string {
  return `${PAGE_CIRCUIT_GONE} The jsinterop in-process runtime has ended: ${reason}`;
}

/**
 * Stream chunk sizes (docs/benchmarks.md, "Streams"). A Blob's chunk is a copy, read from the Blob's
 * stream; a typed array's is a view of the page's bytes, so its size costs nothing but the reader's
 * chunk granularity, and fewer chunks are fewer calls: a 64 MiB read in 4 MiB chunks took about 0.7×
 * the time of 1 MiB ones.
 */
const IN_PROCESS_STREAM_CHUNK = 1 << 20;
const IN_PROCESS_VIEW_CHUNK = 4 << 20;

/**
 * Creates a runtime for host code that runs in the page's own realm (Blazor WebAssembly's
 * model): sync and async calls both ways, no default timeout. Byte arrays are passed by
 * reference, not copied: do not modify one after sending it.
 */
export function createInProcessRuntime(options: InProcessRuntimeOptions = {}): IJSInProcessRuntime {
  const DotNet: DotNetNamespace | undefined = options.DotNet ?? (globalThis as any).DotNet;
  if (!DotNet || typeof DotNet.attachDispatcher !== 'function') {
    throw new TypeError(
      "createInProcessRuntime needs the official page package: add `import 'jsinterop/page'` before creating the runtime " +
        '(it loads @microsoft/dotnet-js-interop and sets globalThis.DotNet), or pass { DotNet }.',
    );
  }
  const streamChunkSize = options.streamChunkSize ?? IN_PROCESS_STREAM_CHUNK;
  if (!Number.isSafeInteger(streamChunkSize) || streamChunkSize <= 0) {
    throw new RangeError(`createInProcessRuntime: streamChunkSize must be a positive whole number of bytes, not ${String(options.streamChunkSize)}.`);
  }
  const core = new InteropCore(options, true);
  const { abortSignals, watch } = revivalOnDemandFor(DotNet);
  installDomWrapper();
  // Page calls the host has not answered yet: when the runtime ends they are failed, not left
  // pending. Kept only for a runtime that can end: a Set emptied after every call resizes its
  // storage each time, which costs a page → host call about a fifth of its time.
  const callsFromPage = options.signal ? new Set<string>() : undefined;
  let endedText: string | undefined;
  const dispatcher = DotNet.attachDispatcher({
    invokeDotNetFromJS: (assemblyName, methodIdentifier, dotNetObjectId, argsJson) => {
      if (endedText !== undefined) throw new Error(endedText);
      const resultJson = core.invokeDotNet(assemblyName, methodIdentifier, dotNetObjectId ?? 0, argsJson);
      watch(resultJson);
      return resultJson;
    },
    beginInvokeDotNetFromJS: (callId, assemblyName, methodIdentifier, dotNetObjectId, argsJson) => {
      if (endedText !== undefined) throw new Error(endedText);
      const id = callId ? String(callId) : null;
      if (id) callsFromPage?.add(id);
      core.beginInvokeDotNet(id, assemblyName, methodIdentifier, dotNetObjectId ?? 0, argsJson);
    },
    endInvokeJSFromDotNet: (asyncHandle, _succeeded, resultOrError) => {
      abortSignals.settled(asyncHandle);
      core.endInvokeJS(resultOrError);
    },
    sendByteArray: (id, data) => core.receiveByteArray(id, data),
  });
  // The page's result itself, not its JSON: a stream chunk's bytes, or a plain value of the direct path.
  const answer = (asyncHandle: number, result: unknown) => {
    abortSignals.settled(asyncHandle);
    core.answerJSCall(asyncHandle, result);
  };
  const direct = options.directCalls === false ? undefined : directCallsFor(DotNet, dispatcher, answer);
  const jsCalls = jsCallsWatching(watch, dispatcher, direct);
  const pageHelpersId: number = DotNet.createJSObjectReference(pageHelpers).__jsObjectId;
  core.attach({
    hostingModel: 'in-process',
    pageHelpersId,
    streamChunkSize,
    streamChunkSizeOf:
      direct && options.streamChunkSize === undefined ? (referenceId) => (holdsBytes(direct.jsObject(referenceId)) ? IN_PROCESS_VIEW_CHUNK : undefined) : undefined,
    // Stream chunks are calls the host answers with the page's bytes themselves, no JSON between:
    // the JSON and its revivers were most of a 1 MiB chunk's cost (docs/protocol.md, "The direct path").
    readStreamChunk: (asyncHandle, referenceId, offset, count) => {
      if (direct?.callWithReference(asyncHandle, 'readStreamChunk', pageHelpersId, referenceId, offset, count, answer)) return;
      const argsJson = `[{"__jsObjectId":${referenceId}},${offset},${count}]`;
      jsCalls.begin(asyncHandle, 'readStreamChunk', argsJson, JSCallResultType.Default, pageHelpersId, JSCallType.FunctionCall);
    },
    // A typed array's chunk is a view of it, handed over without a call into the page at all.
    readStreamChunkAtOnce: direct && ((referenceId, offset, count) => streamChunkAtOnce(direct.jsObject(referenceId), offset, count)),
    beginInvokeJS: jsCalls.begin,
    invokeJS: jsCalls.invoke,
    endInvokeDotNet: (callId, succeeded, resultJsonOrError) => {
      callsFromPage?.delete(callId);
      if (succeeded) watch(resultJsonOrError);
      dispatcher.endInvokeDotNetFromJS(callId, succeeded, resultJsonOrError);
    },
    sendByteArray: (id, data) => dispatcher.receiveByteArray(id, data),
    transmitStream: (streamId, stream) => dispatcher.supplyDotNetStream(streamId, stream),
    disposeJSObjectSync: (id) => DotNet.disposeJSObjectReferenceById(id),
    cancelJSCall: (asyncHandle) => abortSignals.abort(asyncHandle, 'The host cancelled this call.'),
  });
  const end = () => {
    if (endedText !== undefined) return;
    const reason = describeReason(options.signal!.reason);
    endedText = pageSideEndText(reason);
    core.disconnect(`The in-process runtime has ended: ${reason}. Create a new runtime to call the page again.`);
    for (const id of callsFromPage!) dispatcher.endInvokeDotNetFromJS(id, false, endedText);
    callsFromPage!.clear();
  };
  if (options.signal?.aborted) end();
  else options.signal?.addEventListener('abort', end, { once: true });
  return new JSRuntime(core);
}

function describeReason(reason: unknown): string {
  return reason instanceof Error ? reason.message : String(reason);
}
