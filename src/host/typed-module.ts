/*
 * Types that check module calls against the module's own declarations, so that
 * `module.invokeAsync('add', 1, 2)` is typed `Promise<number>` and a misspelt export is a
 * compile error. They only narrow the untyped string members; nothing here exists at run time.
 */

type AnyFunction = (...args: any[]) => any;

/** Names of the module's function exports. */
export type FunctionExports<M> = {
  [K in keyof M & string]: M[K] extends AnyFunction ? K : never;
}[keyof M & string];

/**
 * Names of the function exports that do not return a promise. A sync call cannot await one, and
 * excluding the name (rather than typing the result `never`, which assigns to anything) makes
 * the call itself the compile error.
 */
export type SyncFunctionExports<M> = {
  [K in keyof M & string]: M[K] extends (...args: any[]) => infer R ? (R extends PromiseLike<any> ? never : K) : never;
}[keyof M & string];

/** Names of the module's class exports (constructible). */
export type ClassExports<M> = {
  [K in keyof M & string]: M[K] extends abstract new (...args: any[]) => any ? K : never;
}[keyof M & string];

/** Names of the module's non-function exports. */
export type ValueExports<M> = {
  [K in keyof M & string]: M[K] extends AnyFunction ? never : K;
}[keyof M & string];

type ArgsOf<F> = F extends (...args: infer A) => any ? A : never;
type ResultOf<F> = F extends (...args: any[]) => infer R ? Awaited<R> : never;
type CtorArgsOf<C> = C extends abstract new (...args: infer A) => any ? A : never;

export interface TypedModuleMembers<M> {
  invokeAsync<K extends FunctionExports<M>>(identifier: K, ...args: ArgsOf<M[K]>): Promise<ResultOf<M[K]>>;
  invokeVoidAsync<K extends FunctionExports<M>>(identifier: K, ...args: ArgsOf<M[K]>): Promise<void>;
  invokeConstructorAsync<K extends ClassExports<M>>(identifier: K, ...args: CtorArgsOf<M[K]>): Promise<import('./types.js').IJSObjectReference>;
  getValueAsync<K extends ValueExports<M>>(identifier: K): Promise<M[K]>;
}

export interface TypedInProcessModuleMembers<M> extends TypedModuleMembers<M> {
  /** Synchronous calls never await: naming a function that returns a Promise is an error at compile time. */
  invoke<K extends SyncFunctionExports<M>>(identifier: K, ...args: ArgsOf<M[K]>): ResultOf<M[K]>;
  invokeVoid<K extends FunctionExports<M>>(identifier: K, ...args: ArgsOf<M[K]>): void;
  invokeConstructor<K extends ClassExports<M>>(identifier: K, ...args: CtorArgsOf<M[K]>): import('./types.js').IJSInProcessObjectReference;
  getValue<K extends ValueExports<M>>(identifier: K): M[K];
}
