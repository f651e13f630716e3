import { ObjectDisposedError } from './errors.js';
import { invokableMethodsOf, type InvokableList } from './invokable.js';
import type { InvokableSelection, MethodNames } from './invokable-types.js';

/** The runtime side of tracking: implemented by the interop core. */
export interface HostObjectOwner {
  adoptHostObject(reference: HostObjectReference<object>): number;
  releaseHostObject(id: number): void;
}

/** Options for {@link HostObjectReference.create}. */
export interface HostObjectOptions<T> {
  /**
   * Methods the page may call besides those marked `@JSInvokable`: a list of method names,
   * or `{ identifier: methodName }` to expose a method under another name.
   */
  readonly invokable?: InvokableList<T>;
}

/**
 * A host object the page can call (Blazor's `DotNetObjectReference`). Pass it as an argument
 * or return it from an invokable; the page receives a `DotNetObject`. Only methods marked
 * `@JSInvokable` or listed in `invokable` are callable.
 *
 * @typeParam T - the wrapped object's type.
 * @typeParam Invokable - type-level only: the methods the page may call, as the types know them (the page types
 * its calls by it, see `HostObject` in `jsinterop/page`). `create` sets it from an `invokable` list; without one
 * (methods marked `@JSInvokable`, which the types cannot see) it is every method of `T`.
 */
export class HostObjectReference<T extends object, Invokable extends InvokableSelection = MethodNames<T>> implements Disposable {
  #value: T | undefined;
  #owner: HostObjectOwner | undefined;
  #id = 0;
  #methods: Map<string, (...args: any[]) => unknown> | undefined;
  // Typed loosely on purpose: a field of type InvokableList<T> would make HostObjectReference<T>
  // invariant, so a HostObjectReference<Greeter> could not be passed where HostObjectReference<object> is expected.
  readonly #list: InvokableList<any> | undefined;

  private constructor(value: T, list: InvokableList<T> | undefined) {
    this.#value = value;
    this.#list = list;
  }

  /**
   * Wraps `value` for the page. With `invokable: ['increment']` the reference's type remembers the names
   * (`HostObjectReference<Counter, 'increment'>`), and so does `{ invokable: { Bump: 'increment' } }`
   * (`HostObjectReference<Counter, { Bump: 'increment' }>`); no `as const` is needed.
   */
  static create<T extends object, const Names extends MethodNames<T>>(
    value: T,
    options: HostObjectOptions<T> & { readonly invokable: readonly Names[] },
  ): HostObjectReference<T, Names>;
  static create<T extends object, const Aliases extends { readonly [identifier: string]: MethodNames<T> }>(
    value: T,
    options: HostObjectOptions<T> & { readonly invokable: Aliases },
  ): HostObjectReference<T, Aliases>;
  static create<T extends object>(value: T, options?: HostObjectOptions<T>): HostObjectReference<T>;
  static create<T extends object>(value: T, options?: HostObjectOptions<T>): HostObjectReference<T, any> {
    if (value === null || (typeof value !== 'object' && typeof value !== 'function')) {
      throw new TypeError("HostObjectReference.create needs an object. (Parameter 'value')");
    }
    const reference = new HostObjectReference(value, options?.invokable);
    if (options?.invokable) reference.#methods = invokableMethodsOf(value, options.invokable);
    return reference;
  }

  /** The wrapped object. Throws once the reference is disposed. */
  get value(): T {
    if (this.#value === undefined) throw new ObjectDisposedError('Cannot access a disposed object: this HostObjectReference was disposed (by the host or by the page).');
    return this.#value;
  }

  /** The id the page knows this object by; 0 until it is first sent. */
  get id(): number {
    return this.#id;
  }

  get disposed(): boolean {
    return this.#value === undefined;
  }

  /** Stops the page from reaching the object. Idempotent. */
  dispose(): void {
    if (this.#value === undefined) return;
    const owner = this.#owner;
    const id = this.#id;
    this.#value = undefined;
    this.#owner = undefined;
    if (owner) owner.releaseHostObject(id);
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  /** @internal Called by the runtime that serializes this reference; returns its id. */
  trackBy(owner: HostObjectOwner): number {
    this.value; // throws when disposed
    if (this.#owner === owner) return this.#id;
    if (this.#owner) {
      throw new Error(
        'HostObjectReference is already being tracked by a different instance of JSRuntime. A common cause is caching an instance of HostObjectReference globally. Consider creating instances of HostObjectReference at the JSInterop callsite.',
      );
    }
    // Adopt first: if the owner refuses (disconnected, too many references), the reference stays untracked.
    this.#id = owner.adoptHostObject(this as unknown as HostObjectReference<object>);
    this.#owner = owner;
    return this.#id;
  }

  /** @internal The page let go of the object (`__Dispose`) or the connection ended. */
  release(): void {
    this.#value = undefined;
    this.#owner = undefined;
  }

  /** @internal The invokable method for `identifier`, or undefined. */
  findMethod(identifier: string): ((...args: any[]) => unknown) | undefined {
    const value = this.value;
    this.#methods ??= invokableMethodsOf(value, this.#list);
    return this.#methods.get(identifier);
  }

  /** @internal The type name used in Blazor's "does not contain a public invokable method" message. */
  typeName(): string {
    const value = this.#value as { constructor?: { name?: string } } | undefined;
    return value?.constructor?.name || 'Object';
  }
}
