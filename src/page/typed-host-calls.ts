/*
 * Typed calls from the page into the host. The official package's `DotNet.invokeMethodAsync` and
 * `DotNetObject.invokeMethodAsync` take any name and any arguments; these types narrow them by the host's own
 * declarations, which the page imports with `import type`. Types only: nothing here exists at run time, and the
 * calls are the official package's, unchanged.
 */
import type { DotNet } from '@microsoft/dotnet-js-interop';
import type { HostObjectReference } from '../host/host-object-reference.js';
import type { HostStreamReference } from '../host/host-stream-reference.js';
import type {
  InvokableIdentifiers,
  InvokableMethod,
  InvokableSelection,
  MethodNames,
  RegisteredInvokables,
} from '../host/invokable-types.js';
import type { IJSObjectReference } from '../host/types.js';

type AnyFunction = (...args: any[]) => any;

/** What the page receives for a stream the host sends (`HostStreamReference`): the official package's `DotNetStream`. */
export interface DotNetStream {
  /** The stream's data as it arrives. */
  stream(): Promise<ReadableStream<Uint8Array>>;
  /** All of the stream's data at once. */
  arrayBuffer(): Promise<ArrayBuffer>;
}

/**
 * What the page receives for a value of type `V` that the host sends (an invokable's result): a
 * `HostObjectReference<T, I>` arrives as a {@link HostObject}`<T, I>`, a `HostStreamReference` as a
 * {@link DotNetStream}, a `Date` as its ISO string, a JS object reference as the JS object it refers to (typed
 * `unknown`), a `Buffer` as a `Uint8Array`; arrays and objects are mapped member by member (methods, which JSON
 * leaves out, are left out), and everything else arrives as it is.
 */
export type PageValue<V> = 0 extends 1 & V
  ? any // a host method typed `any` stays `any` on the page
  : V extends HostObjectReference<infer T, infer Invokable>
  ? HostObject<T, Invokable>
  : V extends HostStreamReference
    ? DotNetStream
    : V extends Date
      ? string
      : V extends IJSObjectReference
        ? unknown
        : V extends Uint8Array
          ? Uint8Array
          : V extends ArrayBufferView | ArrayBuffer
            ? V
            : V extends readonly unknown[]
              ? { [K in keyof V]: PageValue<V[K]> }
              : V extends object
                ? { [K in keyof V as V[K] extends AnyFunction ? never : K]: PageValue<V[K]> }
                : V;

/**
 * What the page may pass for a host method's parameter of type `P`: for a `HostObjectReference<T, I>`, the
 * {@link HostObject} (or untyped `DotNet.DotNetObject`) the page received for it; anything else as declared.
 */
export type PageArgument<P> = P extends HostObjectReference<infer T, infer Invokable>
  ? HostObject<T, Invokable> | DotNet.DotNetObject
  : P;

/** The arguments the page passes to a host method of type `F`. */
export type PageArguments<F> = F extends (...args: infer A) => any ? { [K in keyof A]: PageArgument<A[K]> } : never;

/** What the page's async call of a host method of type `F` resolves to. */
export type PageResult<F> = F extends (...args: any[]) => infer R ? PageValue<Awaited<R>> : never;

/** Names among `Identifiers` whose method does not return a promise: only those can be called synchronously. */
type SyncIdentifiers<T, Invokable extends InvokableSelection> = {
  [K in InvokableIdentifiers<Invokable>]: InvokableMethod<T, Invokable, K> extends (...args: any[]) => infer R
    ? R extends PromiseLike<any>
      ? never
      : K
    : never;
}[InvokableIdentifiers<Invokable>];

/**
 * A `DotNet.DotNetObject` typed by the host object it wraps: `counter.invokeMethodAsync('increment', 2)` checks the
 * method name and the arguments and infers the result. The call is the official package's, unchanged.
 *
 * The page receives a `DotNetObject`; declare the parameter of the page function the host calls with this type
 * (`(counter: HostObject<Counter>) => …`), or cast (`received as HostObject<Counter>`). Results of calls typed by
 * {@link TypedDotNet} or a `HostObject` are typed so already.
 *
 * @typeParam T - the host object's type (`Counter`, imported with `import type`).
 * @typeParam Invokable - the methods the page may call: a union of names, or `{ identifier: methodName }` for
 * aliases, as in `HostObjectReference.create(counter, { invokable: … })`. Defaults to every method of `T`: the
 * types cannot see `@JSInvokable()` decorators, so with decorators (or with both decorators and a list) the names
 * are checked only against the class, and a method that is not invokable fails at run time, as in Blazor.
 */
export interface HostObject<T, Invokable extends InvokableSelection = MethodNames<T>> {
  /** Calls the host method `methodIdentifier` (the official `DotNetObject.invokeMethodAsync`). */
  invokeMethodAsync<Identifier extends InvokableIdentifiers<Invokable>>(
    methodIdentifier: Identifier,
    ...args: PageArguments<InvokableMethod<T, Invokable, Identifier>>
  ): Promise<PageResult<InvokableMethod<T, Invokable, Identifier>>>;
  /**
   * Calls the host method synchronously (in-process hosts only; the official `DotNetObject.invokeMethod`). A method
   * that returns a promise cannot be called this way: naming one is a compile error.
   */
  invokeMethod<Identifier extends SyncIdentifiers<T, Invokable>>(
    methodIdentifier: Identifier,
    ...args: PageArguments<InvokableMethod<T, Invokable, Identifier>>
  ): PageValue<ReturnType<Extract<InvokableMethod<T, Invokable, Identifier>, AnyFunction>>>;
  /** Lets go of the host object (Blazor's `__Dispose`). */
  dispose(): void;
  /** How the object travels back to the host as an argument. */
  serializeAsArg(): { __dotNetObject: number };
}

/** The assembly names among `Registrations`. */
type AssemblyNames<Registrations> = Registrations extends RegisteredInvokables<infer AssemblyName, any> ? AssemblyName : never;

/** The methods registered under `AssemblyName` among `Registrations` (a union when registered in parts). */
type MethodsOf<Registrations, AssemblyName extends string> = Registrations extends RegisteredInvokables<AssemblyName, infer Methods>
  ? Methods
  : never;

/** The identifiers registered under `AssemblyName`. */
type StaticIdentifiers<Registrations, AssemblyName extends string> = MethodsOf<Registrations, AssemblyName> extends infer Methods
  ? Methods extends unknown
    ? MethodNames<Methods>
    : never
  : never;

/** The function registered as `Identifier` under `AssemblyName`. */
type StaticMethod<Registrations, AssemblyName extends string, Identifier extends string> =
  MethodsOf<Registrations, AssemblyName> extends infer Methods
    ? Methods extends unknown
      ? Identifier extends keyof Methods
        ? Extract<Methods[Identifier], AnyFunction>
        : never
      : never
    : never;

/** Identifiers under `AssemblyName` whose function does not return a promise. */
type SyncStaticIdentifiers<Registrations, AssemblyName extends string> = {
  [K in StaticIdentifiers<Registrations, AssemblyName>]: ReturnType<StaticMethod<Registrations, AssemblyName, K>> extends PromiseLike<any>
    ? never
    : K;
}[StaticIdentifiers<Registrations, AssemblyName>];

/**
 * The static calls of the `DotNet` namespace, checked against the host's registrations:
 * `dotnet.invokeMethodAsync('Shop', 'Price', 'tea')` checks the assembly name, the method name and the arguments,
 * and infers the result.
 *
 * @typeParam Registrations - what `registerInvokables` returned, exported by the host module and imported with
 * `import type`: `typeof shop`, or a union `typeof shop | typeof cart` for several assemblies.
 */
export interface TypedStaticCalls<Registrations> {
  /** Calls a registered host function (the official `DotNet.invokeMethodAsync`). */
  invokeMethodAsync<AssemblyName extends AssemblyNames<Registrations>, const Identifier extends StaticIdentifiers<Registrations, AssemblyName>>(
    assemblyName: AssemblyName,
    methodIdentifier: Identifier,
    ...args: PageArguments<StaticMethod<Registrations, AssemblyName, Identifier>>
  ): Promise<PageResult<StaticMethod<Registrations, AssemblyName, Identifier>>>;
  /**
   * Calls a registered host function synchronously (in-process hosts only; the official `DotNet.invokeMethod`). A
   * function that returns a promise cannot be called this way: naming one is a compile error.
   */
  invokeMethod<AssemblyName extends AssemblyNames<Registrations>, const Identifier extends SyncStaticIdentifiers<Registrations, AssemblyName>>(
    assemblyName: AssemblyName,
    methodIdentifier: Identifier,
    ...args: PageArguments<StaticMethod<Registrations, AssemblyName, Identifier>>
  ): PageValue<ReturnType<StaticMethod<Registrations, AssemblyName, Identifier>>>;
}

/**
 * The official `DotNet` namespace with its static calls typed by the host's registrations (see
 * {@link TypedStaticCalls}); its other members are unchanged. Types only: get it with a cast,
 * `const dotnet = DotNet as TypedDotNet<typeof shop>`, where `shop` is what the host module exported from
 * `registerInvokables` and the page imported with `import type`.
 */
export type TypedDotNet<Registrations> = Omit<typeof DotNet, 'invokeMethod' | 'invokeMethodAsync'> & TypedStaticCalls<Registrations>;
