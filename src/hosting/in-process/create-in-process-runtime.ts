import { InteropCore, type RuntimeOptions } from '../../host/core.js';
import { JSRuntime } from '../../host/runtime.js';
import { abortSignalsFor, jsCallsWatching } from '../../page/abort-signals.js';
import { pageHelpers } from '../../page/page-helpers.js';
import type { IJSInProcessRuntime } from '../../host/types.js';
import type { DotNetNamespace } from '../../page/official-package.js';

/** Options for {@link createInProcessRuntime}. */
export interface InProcessRuntimeOptions extends RuntimeOptions {
  /**
   * The official page package's `DotNet` namespace. Default: `globalThis.DotNet`, which
   * `import 'jsinterop/page'` sets (as Blazor's boot script does).
   */
  readonly DotNet?: DotNetNamespace;
}

/** In-process, byte arrays are shared with the page rather than copied, so large chunks cost nothing. */
const IN_PROCESS_STREAM_CHUNK = 1 << 20;

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
  const core = new InteropCore(options, true);
  const abortSignals = abortSignalsFor(DotNet);
  const dispatcher = DotNet.attachDispatcher({
    invokeDotNetFromJS: (assemblyName, methodIdentifier, dotNetObjectId, argsJson) =>
      core.invokeDotNet(assemblyName, methodIdentifier, dotNetObjectId ?? 0, argsJson),
    beginInvokeDotNetFromJS: (callId, assemblyName, methodIdentifier, dotNetObjectId, argsJson) =>
      core.beginInvokeDotNet(callId ? String(callId) : null, assemblyName, methodIdentifier, dotNetObjectId ?? 0, argsJson),
    endInvokeJSFromDotNet: (asyncHandle, _succeeded, resultOrError) => {
      abortSignals.settled(asyncHandle);
      core.endInvokeJS(resultOrError);
    },
    sendByteArray: (id, data) => core.receiveByteArray(id, data),
  });
  const jsCalls = jsCallsWatching(abortSignals, dispatcher);
  const pageHelpersId: number = DotNet.createJSObjectReference(pageHelpers).__jsObjectId;
  core.attach({
    hostingModel: 'in-process',
    pageHelpersId,
    streamChunkSize: IN_PROCESS_STREAM_CHUNK,
    beginInvokeJS: jsCalls.begin,
    invokeJS: jsCalls.invoke,
    endInvokeDotNet: (callId, succeeded, resultJsonOrError) => dispatcher.endInvokeDotNetFromJS(callId, succeeded, resultJsonOrError),
    sendByteArray: (id, data) => dispatcher.receiveByteArray(id, data),
    transmitStream: (streamId, stream) => dispatcher.supplyDotNetStream(streamId, stream),
    disposeJSObjectSync: (id) => DotNet.disposeJSObjectReferenceById(id),
    cancelJSCall: (asyncHandle) => abortSignals.abort(asyncHandle, 'The host cancelled this call.'),
  });
  return new JSRuntime(core);
}
