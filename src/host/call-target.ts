import { JSCallResultType, JSCallType } from './wire.js';
import type { CallOptions } from './types.js';
import type { InteropCore } from './core.js';

const { Default, JSObjectReference: ObjectResult, JSStreamReference: StreamResult, JSVoidResult } = JSCallResultType;
const { FunctionCall, ConstructorCall, GetValue, SetValue } = JSCallType;

/**
 * The call members shared by the runtime (target 0, the page's global object) and by JS
 * object references (target: their id). Async members reject, and sync members throw,
 * before anything is sent when the target is no longer usable.
 */
export abstract class CallTarget {
  /** @internal */
  protected constructor(
    protected readonly core: InteropCore,
    protected readonly targetId: number,
    protected readonly callOptions: CallOptions | undefined,
  ) {}

  /** @internal Throws when the target cannot be called (a disposed reference). */
  protected abstract ensureUsable(): void;

  #async(identifier: string, args: unknown[], resultType: JSCallResultType, callType: JSCallType): Promise<any> {
    try {
      this.ensureUsable();
    } catch (error) {
      return Promise.reject(error);
    }
    return this.core.callAsync(this.targetId, identifier, args, resultType, callType, this.callOptions);
  }

  #sync(identifier: string, args: unknown[], resultType: JSCallResultType, callType: JSCallType): any {
    this.ensureUsable();
    return this.core.callSync(this.targetId, identifier, args, resultType, callType);
  }

  invokeAsync<T = unknown>(identifier: string, ...args: unknown[]): Promise<T> {
    return this.#async(identifier, args, Default, FunctionCall);
  }
  invokeVoidAsync(identifier: string, ...args: unknown[]): Promise<void> {
    return this.#async(identifier, args, JSVoidResult, FunctionCall);
  }
  invokeConstructorAsync(identifier: string, ...args: unknown[]): Promise<any> {
    return this.#async(identifier, args, ObjectResult, ConstructorCall);
  }
  invokeObjectReferenceAsync(identifier: string, ...args: unknown[]): Promise<any> {
    return this.#async(identifier, args, ObjectResult, FunctionCall);
  }
  invokeStreamReferenceAsync(identifier: string, ...args: unknown[]): Promise<any> {
    return this.#async(identifier, args, StreamResult, FunctionCall);
  }
  getValueAsync<T = unknown>(identifier: string): Promise<T> {
    return this.#async(identifier, [], Default, GetValue);
  }
  getValueObjectReferenceAsync(identifier: string): Promise<any> {
    return this.#async(identifier, [], ObjectResult, GetValue);
  }
  setValueAsync(identifier: string, value: unknown): Promise<void> {
    return this.#async(identifier, [value], JSVoidResult, SetValue);
  }

  invoke<T = unknown>(identifier: string, ...args: unknown[]): T {
    return this.#sync(identifier, args, Default, FunctionCall);
  }
  invokeVoid(identifier: string, ...args: unknown[]): void {
    this.#sync(identifier, args, JSVoidResult, FunctionCall);
  }
  invokeConstructor(identifier: string, ...args: unknown[]): any {
    return this.#sync(identifier, args, ObjectResult, ConstructorCall);
  }
  invokeObjectReference(identifier: string, ...args: unknown[]): any {
    return this.#sync(identifier, args, ObjectResult, FunctionCall);
  }
  invokeStreamReference(identifier: string, ...args: unknown[]): any {
    return this.#sync(identifier, args, StreamResult, FunctionCall);
  }
  getValue<T = unknown>(identifier: string): T {
    return this.#sync(identifier, [], Default, GetValue);
  }
  getValueObjectReference(identifier: string): any {
    return this.#sync(identifier, [], ObjectResult, GetValue);
  }
  setValue(identifier: string, value: unknown): void {
    this.#sync(identifier, [value], JSVoidResult, SetValue);
  }
}
