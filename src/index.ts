/**
 * jsinterop: Blazor's JavaScript interop with a TypeScript host.
 *
 * Host code calls the page through {@link IJSRuntime} (async everywhere) or
 * {@link IJSInProcessRuntime} (sync too, where the host shares the page's thread). The page side
 * is the official `@microsoft/dotnet-js-interop` package; see `jsinterop/page`.
 *
 * @packageDocumentation
 */
export type {
  CallOptions,
  HostingModel,
  InteropStats,
  IJSRuntime,
  IJSInProcessRuntime,
  IJSObjectReference,
  IJSInProcessObjectReference,
  IJSStreamReference,
  IJSModuleReference,
  IJSInProcessModuleReference,
  JSModule,
  JSInProcessModule,
  OpenReadStreamOptions,
} from './host/types.js';
export type { FunctionExports, ClassExports, ValueExports } from './host/typed-module.js';
export type { RuntimeOptions } from './host/core.js';
export { isInProcess, asInProcess } from './host/runtime.js';
export { JSException, JSDisconnectedException, JSTimeoutError, ObjectDisposedError } from './host/errors.js';
export { ElementReference } from './host/element-reference.js';
export { HostObjectReference, type HostObjectOptions } from './host/host-object-reference.js';
export { HostStreamReference, type HostStreamSource } from './host/host-stream-reference.js';
export { JSInvokable, registerInvokables, type InvokableList } from './host/invokable.js';
export type { RegisteredInvokables, InvokableSelection, InvokableIdentifiers, InvokableMethod, MethodNames } from './host/invokable-types.js';
export type { HostObject, TypedDotNet, TypedStaticCalls, PageValue } from './page/typed-host-calls.js';
export { JSCallType, JSCallResultType } from './host/wire.js';
export { pageAbortSignal } from './host/json-codec.js';
export { createInProcessRuntime, type InProcessRuntimeOptions } from './hosting/in-process/create-in-process-runtime.js';
