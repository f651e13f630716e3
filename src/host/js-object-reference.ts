import { CallTarget } from './call-target.js';
import { ObjectDisposedError } from './errors.js';
import type { CallOptions, IJSInProcessObjectReference } from './types.js';
import type { InteropCore } from './core.js';

/** Shared by every `with(options)` view of one reference: disposing any view disposes them all. */
export class ReferenceState {
  disposed = false;
  constructor(readonly id: number) {}
}

/**
 * A JS object held by the page (Blazor's `JSObjectReference` / `JSInProcessObjectReference`).
 * One class serves both: the sync members work only when the runtime can call synchronously,
 * which the public types express by returning `IJSInProcessObjectReference` only there.
 */
export class JSObjectReference extends CallTarget implements IJSInProcessObjectReference {
  /** @internal */
  readonly state: ReferenceState;

  /** @internal */
  constructor(core: InteropCore, state: ReferenceState, options?: CallOptions) {
    super(core, state.id, options);
    this.state = state;
  }

  get id(): number {
    return this.state.id;
  }

  get disposed(): boolean {
    return this.state.disposed;
  }

  protected ensureUsable(): void {
    if (this.state.disposed) {
      throw new ObjectDisposedError(`Cannot access a disposed object: the JS object reference with id ${this.state.id} was disposed. Keep the reference until you are done with it, or obtain a new one.`);
    }
  }

  with(options: CallOptions): JSObjectReference {
    return new JSObjectReference(this.core, this.state, { ...this.callOptions, ...options });
  }

  disposeAsync(): Promise<void> {
    return this.core.releaseJSObject(this.state, false);
  }

  dispose(): void {
    void this.core.releaseJSObject(this.state, true);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.disposeAsync();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  /** JSON form, so a reference passed inside an argument becomes `{"__jsObjectId": id}`. */
  toJSON(): { __jsObjectId: number } {
    this.ensureUsable();
    return { __jsObjectId: this.state.id };
  }
}
