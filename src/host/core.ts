/*
 * The transport-agnostic host: one instance per connected page. It implements what the page
 * calls (HostEndpoint) and what the public façades call (callAsync, callSync, releases), and
 * owns the tables whose sizes `stats()` reports.
 */
import { ByteArrayInbox } from './byte-array-inbox.js';
import { describeCall, failureText, invokeSync, isThenable, prepareCall, type DispatchContext } from './dispatch-from-js.js';
import { disposedArgumentError, JSDisconnectedException, JSException, JSTimeoutError } from './errors.js';
import { HostObjectReference, type HostObjectOwner } from './host-object-reference.js';
import { HostStreamReference } from './host-stream-reference.js';
import { JSObjectReference, ReferenceState } from './js-object-reference.js';
import { JSStreamReference } from './js-stream-reference.js';
import { createJsonCodec, type CodecContext, type JsonCodec } from './json-codec.js';
import { LeakGuard } from './leak-guard.js';
import { PendingCalls, type PendingCall } from './pending-calls.js';
import { DISPOSE_JS_OBJECT_IDENTIFIER, JSCallResultType, JSCallType, WINDOW_TARGET } from './wire.js';
import type { HostEndpoint, PageLink } from './page-link.js';
import type { CallOptions, HostingModel, InteropStats } from './types.js';

/** Options every hosting model accepts for the runtime it creates. */
export interface RuntimeOptions {
  /**
   * Milliseconds before an async call without its own `timeout` rejects. Default: none,
   * as in Blazor WebAssembly (Blazor Server uses one minute).
   */
  readonly defaultTimeout?: number;
  /** Send host exception details to the page. Default: true, except on a server. */
  readonly detailedErrors?: boolean;
  /** Warn, once per creation site, when a reference is garbage-collected without being disposed. */
  readonly warnOnLeaks?: boolean;
  /** Host objects the page may reach at once; sending one more fails that call. Default: unlimited. */
  readonly maxHostObjectReferences?: number;
}

const HOSTED: Record<HostingModel, string> = {
  'in-process': 'in the page',
  worker: 'in a Worker',
  server: 'on a server',
};

export class InteropCore implements HostEndpoint, CodecContext, HostObjectOwner, DispatchContext {
  readonly codec: JsonCodec = createJsonCodec(this);
  readonly detailedErrors: boolean;
  readonly #defaultTimeout: number | undefined;
  readonly #maxHostObjects: number;
  readonly #pending = new PendingCalls();
  readonly #inbox = new ByteArrayInbox();
  readonly #hostObjects = new Map<number, HostObjectReference<object>>();
  readonly #leakGuard: LeakGuard;
  #link!: PageLink;
  #nextHostId = 1;
  #nextByteArrayId = 1;
  #liveJSReferences = 0;
  #pendingFromJS = 0;
  #callsToJS = 0;
  #callsFromJS = 0;
  #disconnectReason: string | undefined;
  #serializingHandle = 0;
  /** The async call whose answer is being read, while it is: references in it are that call's. */
  #answering: PendingCall | undefined;

  constructor(options: RuntimeOptions, defaultDetailedErrors: boolean) {
    this.#defaultTimeout = options.defaultTimeout;
    this.#maxHostObjects = options.maxHostObjectReferences ?? Infinity;
    this.detailedErrors = options.detailedErrors ?? defaultDetailedErrors;
    this.#leakGuard = new LeakGuard(options.warnOnLeaks ?? false, (id) => this.#collected(id));
  }

  /** Connects the core to its page; done once, by the hosting model. */
  attach(link: PageLink): void {
    this.#link = link;
  }

  get hostingModel(): HostingModel {
    return this.#link.hostingModel;
  }

  get canInvokeSync(): boolean {
    return this.#link.invokeJS !== undefined;
  }

  get asyncOnlyReason(): string {
    return this.#link.asyncOnlyReason ?? `this runtime is hosted ${HOSTED[this.hostingModel]} (async only)`;
  }

  get streamChunkSize(): number {
    return this.#link.streamChunkSize ?? 32 * 1024;
  }

  /** Bytes per chunk for reading `reference`: the link's choice for what it holds, if it has one. */
  streamChunkSizeOf(reference: JSStreamReference): number {
    return this.#link.streamChunkSizeOf?.(reference.state.id) ?? this.streamChunkSize;
  }

  get streamReadAheadBytes(): number | undefined {
    return this.#link.streamReadAheadBytes;
  }

  get serializingHandle(): number {
    return this.#serializingHandle;
  }

  get disconnected(): boolean {
    return this.#disconnectReason !== undefined;
  }

  /** Host → JS calls waiting for the page (`stats().pendingCalls` without the allocation). */
  get pendingCallCount(): number {
    return this.#pending.size;
  }

  /** Page → host calls in progress (`stats().pendingCallsFromJS` without the allocation). */
  get pendingCallsFromJSCount(): number {
    return this.#pendingFromJS;
  }

  stats(): InteropStats {
    return {
      jsObjectReferences: this.#liveJSReferences,
      hostObjectReferences: this.#hostObjects.size,
      pendingCalls: this.#pending.size,
      pendingCallsFromJS: this.#pendingFromJS,
      callsToJS: this.#callsToJS,
      callsFromJS: this.#callsFromJS,
    };
  }

  // ---- host → JS ----

  callAsync(
    targetId: number,
    identifier: string,
    args: readonly unknown[],
    resultType: JSCallResultType,
    callType: JSCallType,
    options: CallOptions | undefined,
    counted = true,
  ): Promise<any> {
    const signal = options?.signal;
    const refused = this.#cannotStart(signal);
    if (refused) return refused;
    let argsJson: string;
    try {
      this.#serializingHandle = this.#pending.nextHandle;
      argsJson = this.codec.stringifyArgs(identifier, args);
    } catch (error) {
      return Promise.reject(error);
    } finally {
      this.#serializingHandle = 0;
    }
    const { handle, promise } = this.#pending.add(identifier, resultType, options?.timeout ?? this.#defaultTimeout, signal, this.#gaveUp, this.#leakGuard.callSite());
    if (counted) this.#callsToJS++;
    try {
      this.#link.beginInvokeJS(handle, identifier, argsJson, resultType, targetId, callType);
    } catch (error) {
      this.#pending.fail(handle, error);
    }
    return promise;
  }

  /** A call that cannot start, as its rejection: the runtime has ended, or the caller's signal has aborted. */
  #cannotStart(signal: AbortSignal | undefined): Promise<never> | undefined {
    if (this.#disconnectReason !== undefined) return Promise.reject(new JSDisconnectedException(this.#disconnectReason));
    if (signal?.aborted) return Promise.reject(signal.reason);
    return undefined;
  }

  readonly #gaveUp = (handle: number): void => {
    this.#link.cancelJSCall?.(handle);
  };

  callSync(targetId: number, identifier: string, args: readonly unknown[], resultType: JSCallResultType, callType: JSCallType): any {
    if (this.#disconnectReason !== undefined) throw new JSDisconnectedException(this.#disconnectReason);
    const invokeJS = this.#link.invokeJS;
    if (!invokeJS) throw new TypeError(`synchronous calls need an in-process runtime; ${this.asyncOnlyReason}`);
    const argsJson = this.codec.stringifyArgs(identifier, args);
    this.#callsToJS++;
    let json: string | null;
    try {
      json = invokeJS.call(this.#link, identifier, argsJson, resultType, targetId, callType);
    } catch (error) {
      this.#inbox.clear();
      // A transport's own failures (the page went away, a sync deadline passed) keep their type.
      if (error instanceof JSDisconnectedException || error instanceof JSException || error instanceof JSTimeoutError) throw error;
      throw error instanceof Error
        ? new JSException(error.message, { jsStack: error.stack, cause: error })
        : JSException.fromPagePayload(error);
    }
    return this.#interpret(identifier, resultType, json, false);
  }

  /**
   * Turns the page's JSON (a sync result, or an async completion `[asyncHandle, succeeded,
   * result]`) into the requested kind of result, or throws; byte arrays are dropped afterwards.
   * A failed completion throws its JSException. (No parse callback: a closure per call showed in
   * profiles of the round-trip benches.)
   */
  #interpret(identifier: string, resultType: JSCallResultType, json: string | null, completion: boolean): unknown {
    let failure: JSException | undefined;
    try {
      let value = json === null ? null : this.codec.parse(json);
      if (completion) {
        if (!Array.isArray(value) || value.length !== 3 || typeof value[1] !== 'boolean') {
          throw new SyntaxError('Invalid interop arguments: a completion must be [asyncHandle, succeeded, result]');
        }
        if (!value[1]) throw (failure = JSException.fromPagePayload(value[2]));
        value = value[2];
      }
      if (resultType === JSCallResultType.JSVoidResult) return undefined;
      if (resultType === JSCallResultType.JSObjectReference && value !== null && !(value instanceof JSObjectReference)) {
        throw new TypeError(`expected a JS object reference for '${identifier}', but the page sent another value`);
      }
      if (resultType === JSCallResultType.JSStreamReference && !(value instanceof JSStreamReference)) {
        throw new TypeError(`expected a JS stream reference for '${identifier}', but the page sent another value`);
      }
      return value;
    } catch (error) {
      if (failure) throw failure;
      const inner = error instanceof Error ? error.message : String(error);
      throw new JSException(`An exception occurred executing JS interop: ${inner}. See InnerException for more details.`, { cause: error });
    } finally {
      this.#inbox.clear();
    }
  }

  /**
   * `handle`: the completion's async handle when the transport has already read it (the server's
   * completion frame, read strictly there); otherwise it is read here. Like .NET, the handle is
   * read first and an unknown one is ignored without validating the rest.
   */
  endInvokeJS(resultOrError: string, handle = typeof resultOrError === 'string' ? Number(resultOrError.slice(1, resultOrError.indexOf(','))) : NaN): void {
    const call = Number.isSafeInteger(handle) ? this.#pending.take(handle) : undefined;
    if (!call) {
      this.#inbox.clear();
      return;
    }
    let value: unknown;
    this.#answering = call;
    try {
      value = this.#interpret(call.identifier, call.resultType, resultOrError, true);
    } catch (error) {
      return call.reject(error);
    } finally {
      this.#answering = undefined;
    }
    call.resolve(value);
  }

  /** Releases a JS object reference; a no-op once disposed or disconnected. */
  releaseJSObject(state: ReferenceState, sync: boolean): Promise<void> {
    if (state.disposed) return Promise.resolve();
    state.disposed = true;
    this.#liveJSReferences--;
    this.#leakGuard.forget(state);
    return this.#releaseOnPage(state.id, sync);
  }

  #releaseOnPage(id: number, sync: boolean): Promise<void> {
    if (this.#disconnectReason !== undefined) return Promise.resolve();
    if (this.#link.disposeJSObjectSync) {
      this.#link.disposeJSObjectSync(id);
      return Promise.resolve();
    }
    // Not counted as a call: in-process a release is no call at all, and stats() should read the same in every model.
    const done = this.callAsync(WINDOW_TARGET, DISPOSE_JS_OBJECT_IDENTIFIER, [id], JSCallResultType.JSVoidResult, JSCallType.FunctionCall, { timeout: Infinity }, false).catch((error) => {
      if (!(error instanceof JSDisconnectedException) && !sync) throw error;
    });
    return done;
  }

  #collected(id: number): void {
    this.#liveJSReferences--;
    void this.#releaseOnPage(id, true);
  }

  /** The hosting model's own read of a JS stream reference, if it has one (see PageLink.readJSStream). */
  readJSStream(reference: JSStreamReference, signal: AbortSignal | undefined): ReadableStream<Uint8Array> | undefined {
    return this.#link.readJSStream?.(reference, signal);
  }

  /**
   * One chunk of a JS stream: an async call of the page helper's `readStreamChunk`. Where the link
   * reads chunks itself (in-process: no JSON between host and page), the call is still a call: it
   * has a handle in the same table, so a timeout, an abort, disconnection and stats() treat it as
   * any other; the link answers through {@link answerJSCall}, or {@link endInvokeJS} on failure.
   */
  readStreamChunk(reference: JSStreamReference, offset: number, count: number, signal: AbortSignal | undefined): Uint8Array | Promise<Uint8Array> {
    const link = this.#link;
    const readChunk = link.readStreamChunk;
    if (!readChunk) {
      return this.callAsync(link.pageHelpersId, 'readStreamChunk', [reference, offset, count], JSCallResultType.Default, JSCallType.FunctionCall, {
        signal,
        timeout: this.#defaultTimeout,
      });
    }
    // The checks callAsync and the argument's serialization make, in the same order.
    const refused = this.#cannotStart(signal);
    if (refused) return refused;
    let referenceId: number;
    try {
      referenceId = this.argumentIdOf(reference);
    } catch (error) {
      return Promise.reject(error);
    }
    this.#callsToJS++;
    // Answered before it could time out or be aborted: no handle, no promise.
    const atOnce = link.readStreamChunkAtOnce?.(referenceId, offset, count);
    if (atOnce !== undefined) return atOnce;
    const { handle, promise } = this.#pending.add('readStreamChunk', JSCallResultType.Default, this.#defaultTimeout, signal, this.#gaveUp, this.#leakGuard.callSite());
    try {
      readChunk.call(link, handle, referenceId, offset, count);
    } catch (error) {
      this.#pending.fail(handle, error);
    }
    return promise as Promise<Uint8Array>;
  }

  /**
   * Completes an async call with the page's result itself, not its JSON (a link's direct read, as
   * above, or an in-process result JSON would give back unchanged); a void call gets undefined, as
   * from its JSON.
   */
  answerJSCall(handle: number, value: unknown): void {
    const call = this.#pending.take(handle);
    call?.resolve(call.resultType === JSCallResultType.JSVoidResult ? undefined : value);
  }

  /** Calls a helper of the page glue (src/page/page-helpers.ts) with the caller's options. */
  callPageHelper<T>(method: string, args: unknown[], options: CallOptions | undefined): Promise<T> {
    return this.callAsync(this.#link.pageHelpersId, method, args, JSCallResultType.Default, JSCallType.FunctionCall, options);
  }

  // ---- JS → host ----

  beginInvokeDotNet(callId: string | null, assemblyName: string | null, methodIdentifier: string | null, dotNetObjectId: number, argsJson: string | null): void {
    this.#callsFromJS++;
    let result: unknown;
    let thenable: boolean;
    try {
      const call = prepareCall(this, assemblyName, methodIdentifier, dotNetObjectId, argsJson);
      result = call.fn ? call.fn.apply(call.thisArg, call.args) : null;
      // Reading the result's `then` runs host code (a getter, a Proxy trap): a throw there fails
      // the call like any other, instead of escaping to the transport with the host's text.
      thenable = isThenable(result);
    } catch (error) {
      if (callId) this.#replyFailure(callId, error, assemblyName, methodIdentifier);
      return;
    }
    if (!thenable) {
      if (callId) this.#replySuccess(callId, result, assemblyName, methodIdentifier);
      return;
    }
    this.#pendingFromJS++;
    Promise.resolve(result).then(
      (value) => {
        this.#pendingFromJS--;
        if (callId) this.#replySuccess(callId, value, assemblyName, methodIdentifier);
      },
      (error) => {
        this.#pendingFromJS--;
        if (callId) this.#replyFailure(callId, error, assemblyName, methodIdentifier);
      },
    );
  }

  #replySuccess(callId: string, value: unknown, assemblyName: string | null, methodIdentifier: string | null): void {
    if (this.#disconnectReason !== undefined) return;
    let json: string;
    try {
      json = this.codec.stringifyValue(methodIdentifier ?? '', value);
    } catch (error) {
      return this.#replyFailure(callId, error, assemblyName, methodIdentifier);
    }
    try {
      this.#link.endInvokeDotNet(callId, true, json);
    } catch (error) {
      // The transport cannot carry this result (server hosting: over maxCallSize). The call fails
      // with the transport's reason, naming the method: a limit, not a host error, so never redacted.
      this.#link.endInvokeDotNet(callId, false, `${describeCall(assemblyName, methodIdentifier)}: ${(error as Error).message}`);
    }
  }

  #replyFailure(callId: string, error: unknown, assemblyName: string | null, methodIdentifier: string | null): void {
    if (this.#disconnectReason !== undefined) return;
    this.#link.endInvokeDotNet(callId, false, failureText(this, error, assemblyName, methodIdentifier));
  }

  invokeDotNet(assemblyName: string | null, methodIdentifier: string | null, dotNetObjectId: number, argsJson: string | null): string | null {
    this.#callsFromJS++;
    return invokeSync(this, assemblyName, methodIdentifier, dotNetObjectId, argsJson);
  }

  receiveByteArray(id: number, data: Uint8Array): void {
    this.#inbox.add(id, data);
  }

  clearByteArrays(): void {
    this.#inbox.clear();
  }

  disconnect(reason: string): void {
    if (this.#disconnectReason !== undefined) return;
    this.#disconnectReason = reason;
    this.#pending.failAll(() => new JSDisconnectedException(reason));
    for (const reference of this.#hostObjects.values()) reference.release();
    this.#hostObjects.clear();
    this.#inbox.clear();
  }

  // ---- CodecContext / HostObjectOwner ----

  sendByteArray(data: Uint8Array): number {
    const id = this.#nextByteArrayId++;
    this.#link.sendByteArray(id, data);
    return id;
  }

  adoptForPage(reference: HostObjectReference<object>): number {
    return reference.trackBy(this);
  }

  adoptHostObject(reference: HostObjectReference<object>): number {
    if (this.#disconnectReason !== undefined) throw new JSDisconnectedException(this.#disconnectReason);
    if (this.#hostObjects.size >= this.#maxHostObjects) {
      throw new RangeError(`The page already holds ${this.#maxHostObjects} host object references, the most this runtime allows; dispose some before sending more.`);
    }
    const id = this.#nextHostId++;
    this.#hostObjects.set(id, reference);
    return id;
  }

  releaseHostObject(id: number): void {
    this.#hostObjects.delete(id);
  }

  transmitHostStream(reference: HostStreamReference): number {
    const stream = reference.take();
    const id = this.#nextHostId++;
    this.#link.transmitStream(id, stream);
    return id;
  }

  argumentIdOf(reference: JSObjectReference | JSStreamReference): number {
    // ObjectDisposedError, like every other use of a disposed reference (JSObjectReference.toJSON throws it too).
    if (reference.state.disposed) throw disposedArgumentError(reference.state.id);
    if ((reference as unknown as { core: unknown }).core !== this) {
      throw new TypeError(`The JS reference with id ${reference.state.id} belongs to another runtime; JS object ids are only meaningful to the page that issued them.`);
    }
    return reference.state.id;
  }

  hostObjectById(id: unknown): HostObjectReference<object> {
    const reference = typeof id === 'number' ? this.#hostObjects.get(id) : undefined;
    if (!reference) {
      throw new RangeError(`There is no tracked object with id '${String(id)}'. Perhaps the DotNetObjectReference instance was already disposed. (Parameter 'dotNetObjectId')`);
    }
    return reference;
  }

  takeByteArray(id: unknown): Uint8Array {
    return this.#inbox.take(id);
  }

  createJSObjectReference(id: number): JSObjectReference {
    return new JSObjectReference(this, this.#watch(id));
  }

  createJSStreamReference(id: number, length: number): JSStreamReference {
    return new JSStreamReference(this, this.#watch(id), length);
  }

  #watch(id: number): ReferenceState {
    const state = new ReferenceState(id);
    this.#liveJSReferences++;
    this.#leakGuard.watch(state, id, this.#answering?.site);
    return state;
  }
}
