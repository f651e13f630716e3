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
  /** Synchronous calls never await: a function returning a Promise is an error at compile time. */
  invoke<K extends FunctionExports<M>>(identifier: K, ...args: ArgsOf<M[K]>): ReturnType<Extract<M[K], AnyFunction>> extends PromiseLike<any> ? never : ResultOf<M[K]>;
  invokeVoid<K extends FunctionExports<M>>(identifier: K, ...args: ArgsOf<M[K]>): void;
  invokeConstructor<K extends ClassExports<M>>(identifier: K, ...args: CtorArgsOf<M[K]>): import('./types.js').IJSInProcessObjectReference;
  getValue<K extends ValueExports<M>>(identifier: K): M[K];
}
