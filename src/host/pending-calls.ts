import { JSTimeoutError } from './errors.js';
import type { JSCallResultType } from './wire.js';

/** One host-to-JS call waiting for the page's answer. */
export interface PendingCall {
  readonly identifier: string;
  readonly resultType: JSCallResultType;
  resolve(value: unknown): void;
  reject(error: unknown): void;
  timer?: ReturnType<typeof setTimeout>;
  signal?: AbortSignal;
  onAbort?: () => void;
}

/**
 * Calls by async handle. A handle leaves the table exactly once (answer, timeout, abort or
 * disconnect), so a late or duplicate answer finds nothing and is ignored.
 */
export class PendingCalls {
  readonly #calls = new Map<number, PendingCall>();
  /** Blazor pre-increments from 1, so the first handle is 2; 0 means "no reply". */
  #lastHandle = 1;

  /** The handle the next `add` will use; lets arguments name their own call while being serialized. */
  get nextHandle(): number {
    return this.#lastHandle + 1;
  }

  get size(): number {
    return this.#calls.size;
  }

  add(
    identifier: string,
    resultType: JSCallResultType,
    timeoutMs: number | undefined,
    signal: AbortSignal | undefined,
    onGiveUp: (handle: number) => void,
  ): { handle: number; promise: Promise<unknown> } {
    const handle = ++this.#lastHandle;
    let call!: PendingCall;
    const promise = new Promise<unknown>((resolve, reject) => {
      call = { identifier, resultType, resolve, reject };
    });
    if (timeoutMs !== undefined && timeoutMs !== Infinity) {
      call.timer = setTimeout(() => {
        if (this.fail(handle, new JSTimeoutError(identifier, timeoutMs))) onGiveUp(handle);
      }, timeoutMs);
    }
    if (signal) {
      call.signal = signal;
      call.onAbort = () => {
        if (this.fail(handle, signal.reason)) onGiveUp(handle);
      };
      signal.addEventListener('abort', call.onAbort, { once: true });
    }
    this.#calls.set(handle, call);
    return { handle, promise };
  }

  /** Removes and returns the call, or undefined when it already settled. */
  take(handle: number): PendingCall | undefined {
    const call = this.#calls.get(handle);
    if (!call) return undefined;
    this.#calls.delete(handle);
    if (call.timer !== undefined) clearTimeout(call.timer);
    if (call.onAbort) call.signal!.removeEventListener('abort', call.onAbort);
    return call;
  }

  fail(handle: number, error: unknown): boolean {
    const call = this.take(handle);
    call?.reject(error);
    return call !== undefined;
  }

  failAll(error: () => unknown): void {
    for (const handle of [...this.#calls.keys()]) this.fail(handle, error());
  }
}
