/**
 * The numbers and marker keys of the dispatcher contract shared with
 * `@microsoft/dotnet-js-interop`. The page package compares against these exact values,
 * so they are fixed by the wire, not by us.
 */

/** How the page should treat the identifier (Blazor's `JSCallType`). */
export const JSCallType = {
  FunctionCall: 1,
  ConstructorCall: 2,
  GetValue: 3,
  SetValue: 4,
} as const;
export type JSCallType = (typeof JSCallType)[keyof typeof JSCallType];

/** What the page should send back (Blazor's `JSCallResultType`). */
export const JSCallResultType = {
  Default: 0,
  JSObjectReference: 1,
  JSStreamReference: 2,
  JSVoidResult: 3,
} as const;
export type JSCallResultType = (typeof JSCallResultType)[keyof typeof JSCallResultType];

export const Marker = {
  jsObjectId: '__jsObjectId',
  jsStreamLength: '__jsStreamReferenceLength',
  hostObject: '__dotNetObject',
  byteArray: '__byte[]',
  hostStream: '__dotNetStream',
  /** Blazor's ElementReference (Components layer): the id of the element's `_bl_<id>` attribute. */
  elementReference: '__internalId',
  /** Beyond Blazor: an AbortSignal argument, revived by jsinterop's page glue (src/page/abort-signals.ts). */
  abortSignal: '__jsinteropAbortSignal',
} as const;

/** Target id 0 is the page's global object (`window`). */
export const WINDOW_TARGET = 0;
/** A JS object reference id of -1 stands for null/undefined (since .NET 10). */
export const NULL_JS_OBJECT_ID = -1;
/** The identifier Blazor hosts call to release a JS object reference. */
export const DISPOSE_JS_OBJECT_IDENTIFIER = 'DotNet.disposeJSObjectReferenceById';
/** The method name the page sends when `DotNetObject.dispose()` is called. */
export const DISPOSE_HOST_OBJECT_METHOD = '__Dispose';
/** Blazor's default for `IJSStreamReference.OpenReadStreamAsync(maxAllowedSize)`. */
export const DEFAULT_MAX_STREAM_SIZE = 512_000;
