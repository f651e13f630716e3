import type { TypedModuleMembers, TypedInProcessModuleMembers } from './typed-module.js';

/** Per-call options, applied with `js.with(options)` or `reference.with(options)`. */
export interface CallOptions {
  /**
   * Milliseconds before the call rejects with a {@link JSTimeoutError}. Overrides the
   * runtime's `defaultTimeout`; `Infinity` means no deadline.
   */
  readonly timeout?: number;
  /** Aborting rejects the call with `signal.reason`; an already-aborted signal sends nothing. */
  readonly signal?: AbortSignal;
}

/** Where the host runs relative to the page; named in errors and reported by `hostingModel`. */
export type HostingModel = 'in-process' | 'worker' | 'server';

/** Live counts, for tests, inspectors and leak hunting. */
export interface InteropStats {
  /** JS object and stream references the host holds and has not disposed. */
  readonly jsObjectReferences: number;
  /** Host objects the page can currently reach. */
  readonly hostObjectReferences: number;
  /** Host-to-JS calls waiting for their result. */
  readonly pendingCalls: number;
  /** Page-to-host calls still running on the host. */
  readonly pendingCallsFromJS: number;
  /** Host-to-JS calls started since the runtime was created (releases of JS object references not included). */
  readonly callsToJS: number;
  /** Page-to-host calls received since the runtime was created. */
  readonly callsFromJS: number;
}

/**
 * The asynchronous members shared by the runtime (target: the page's global object)
 * and by every JS object reference (target: that object).
 */
export interface IJSAsyncCallable {
  /** Calls a function and returns its JSON-deserialized result (promises are awaited by the page). */
  invokeAsync<T = unknown>(identifier: string, ...args: unknown[]): Promise<T>;
  /** Calls a function and ignores its result, which need not be serializable. */
  invokeVoidAsync(identifier: string, ...args: unknown[]): Promise<void>;
  /** Calls `new identifier(...args)` and returns a reference to the new object. */
  invokeConstructorAsync(identifier: string, ...args: unknown[]): Promise<IJSObjectReference>;
  /** Calls a function and returns a reference to its result; `null` when it returned null or undefined. */
  invokeObjectReferenceAsync(identifier: string, ...args: unknown[]): Promise<IJSObjectReference | null>;
  /** Calls a function returning a Blob, ArrayBuffer or typed array, and returns a stream reference to it. */
  invokeStreamReferenceAsync(identifier: string, ...args: unknown[]): Promise<IJSStreamReference>;
  /** Reads a property (a dotted path is allowed). */
  getValueAsync<T = unknown>(identifier: string): Promise<T>;
  /**
   * Reads a property as a reference to the object it holds (Blazor's
   * `GetValueAsync<IJSObjectReference>`); `null` when it is null or undefined.
   */
  getValueObjectReferenceAsync(identifier: string): Promise<IJSObjectReference | null>;
  /** Writes a property (a dotted path is allowed). */
  setValueAsync(identifier: string, value: unknown): Promise<void>;
}

/** The synchronous members, available only where the host can block on the page. */
export interface IJSSyncCallable {
  invoke<T = unknown>(identifier: string, ...args: unknown[]): T;
  invokeVoid(identifier: string, ...args: unknown[]): void;
  invokeConstructor(identifier: string, ...args: unknown[]): IJSInProcessObjectReference;
  invokeObjectReference(identifier: string, ...args: unknown[]): IJSInProcessObjectReference | null;
  invokeStreamReference(identifier: string, ...args: unknown[]): IJSStreamReference;
  getValue<T = unknown>(identifier: string): T;
  getValueObjectReference(identifier: string): IJSInProcessObjectReference | null;
  setValue(identifier: string, value: unknown): void;
}

/** Loads an ES module in the page: typed when `M` is given (`import<typeof import('./x.js')>('./x.js')`). */
export type JSModule<M> = unknown extends M ? IJSObjectReference : IJSModuleReference<M>;
export type JSInProcessModule<M> = unknown extends M ? IJSInProcessObjectReference : IJSInProcessModuleReference<M>;

/** Host code's handle on the page's JavaScript (Blazor's `IJSRuntime`). Asynchronous in every hosting model. */
export interface IJSRuntime extends IJSAsyncCallable {
  /** Where this runtime runs relative to the page. */
  readonly hostingModel: HostingModel;
  /** Imports an ES module in the page (Blazor's `"import"` identifier). `./x` resolves against `document.baseURI`. */
  import<M = unknown>(specifier: string): Promise<JSModule<M>>;
  /** The same runtime with per-call options applied to every call made through the result. */
  with(options: CallOptions): IJSRuntime;
  stats(): InteropStats;
}

/** A runtime that can also call the page synchronously (Blazor's `IJSInProcessRuntime`). */
export interface IJSInProcessRuntime extends IJSRuntime, IJSSyncCallable {
  import<M = unknown>(specifier: string): Promise<JSInProcessModule<M>>;
  with(options: CallOptions): IJSInProcessRuntime;
}

/** A handle to a JS object held by the page. Dispose it, or the page keeps the object alive. */
export interface IJSObjectReference extends IJSAsyncCallable, AsyncDisposable {
  /** The page's id for the object; stable for the life of the reference. */
  readonly id: number;
  readonly disposed: boolean;
  with(options: CallOptions): IJSObjectReference;
  /** Releases the JS object. Idempotent; a no-op once the page is gone. */
  disposeAsync(): Promise<void>;
}

/** A JS object reference with synchronous members (Blazor's `IJSInProcessObjectReference`). */
export interface IJSInProcessObjectReference extends IJSObjectReference, IJSSyncCallable, Disposable {
  with(options: CallOptions): IJSInProcessObjectReference;
  /** Releases the JS object synchronously. Idempotent. */
  dispose(): void;
}

/** Options for {@link IJSStreamReference.openReadStream}. */
export interface OpenReadStreamOptions {
  /** Refuse data longer than this many bytes (Blazor's default: 512,000). */
  readonly maxAllowedSize?: number;
  /** Aborting errors the stream and stops fetching chunks. */
  readonly signal?: AbortSignal;
}

/** A Blob, ArrayBuffer or typed array held by the page, readable by the host as a stream. */
export interface IJSStreamReference extends AsyncDisposable {
  readonly id: number;
  /** The size in bytes, as the page reported it. */
  readonly length: number;
  openReadStream(options?: OpenReadStreamOptions): ReadableStream<Uint8Array>;
  disposeAsync(): Promise<void>;
}

/** A module reference whose members are checked against the module's exports. */
type TypedMemberNames = 'invokeAsync' | 'invokeVoidAsync' | 'invokeConstructorAsync' | 'getValueAsync' | 'with';
type TypedInProcessMemberNames = TypedMemberNames | 'invoke' | 'invokeVoid' | 'invokeConstructor' | 'getValue';

export interface IJSModuleReference<M> extends Omit<IJSObjectReference, TypedMemberNames>, TypedModuleMembers<M> {
  with(options: CallOptions): IJSModuleReference<M>;
}

/** An in-process module reference whose members are checked against the module's exports. */
export interface IJSInProcessModuleReference<M>
  extends Omit<IJSInProcessObjectReference, TypedInProcessMemberNames>,
    TypedInProcessModuleMembers<M> {
  with(options: CallOptions): IJSInProcessModuleReference<M>;
}
