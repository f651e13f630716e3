/** True when A and B are the same type (not merely assignable either way). */
export type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

/** Compiles only when its type argument is `true`: `expectTrue<Equal<X, Y>>()`. */
export function expectTrue<T extends true>(): T | void {}
