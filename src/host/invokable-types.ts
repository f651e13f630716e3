/*
 * Types that carry what the host lets the page call, so the page can check its calls against them.
 * Types only: nothing here exists at run time.
 */

/** Names of the members of `T` that are functions: what the page could call on a `T`. */
export type MethodNames<T> = {
  [K in keyof T & string]: T[K] extends (...args: any[]) => any ? K : never;
}[keyof T & string];

/**
 * Which methods of a host object type the page may call, as the types know it: a union of method names
 * (`'increment' | 'reset'`), or `{ identifier: methodName }` when methods are exposed under other names.
 */
export type InvokableSelection = string | { readonly [identifier: string]: string };

/** The identifiers the page calls, for an {@link InvokableSelection}. */
export type InvokableIdentifiers<Selection extends InvokableSelection> = [Selection] extends [string]
  ? Selection
  : keyof Selection & string;

/** The method of `T` that `identifier` reaches, for an {@link InvokableSelection}. */
export type InvokableMethod<T, Selection extends InvokableSelection, Identifier extends string> = [Selection] extends [string]
  ? Identifier extends keyof T
    ? T[Identifier]
    : never
  : Identifier extends keyof Selection
    ? Selection[Identifier] extends keyof T
      ? T[Selection[Identifier]]
      : never
    : never;

declare const registeredInvokablesBrand: unique symbol;

/**
 * What {@link registerInvokables} returns: the function that unregisters them, carrying (in its type only) the
 * assembly name and the methods registered, so the page can type its calls with `import type` (see `TypedDotNet`
 * in `jsinterop/page`). Write it by hand, `RegisteredInvokables<'Shop', typeof shopMethods>`, to type a
 * registration made elsewhere.
 *
 * @typeParam AssemblyName - the assembly name the page passes to `DotNet.invokeMethodAsync`.
 * @typeParam Methods - the object or class registered: its function members are the invokable methods. For a class
 * registered by its `@JSInvokable()` statics, the types cannot see the decorators, so all its static methods count.
 */
export interface RegisteredInvokables<AssemblyName extends string = string, Methods = unknown> {
  /** Unregisters the methods; idempotent. */
  (): void;
  /** Type-level only: never set, never read. */
  readonly [registeredInvokablesBrand]?: { readonly assemblyName: AssemblyName; readonly methods: Methods };
}
