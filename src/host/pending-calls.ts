import { CallTable } from './call-table.js';
import { JSTimeoutError } from './errors.js';
import type { JSCallResultType } from './wire.js';
import { MAX_TIMER_DELAY } from './timer-limit.js';

/** One host-to-JS call waiting for the page's answer. */
export interface PendingCall {
  readonly identifier: string;
  readonly resultType: JSCallResultType;
  resolve(value: unknown): void;
  reject(error: unknown): void;
  /** When the call times out (performance.now() time), and its timeout, if it has one. */
  deadline?: number;
  timeoutMs?: number;
  onGiveUp?: (handle: number) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
  /** Where the call was made, for leak reports about the references in its answer. */
  site?: string;
}

/**
 * Calls by async handle. A handle leaves the table exactly once (answer, timeout, abort or
 * disconnect), so a late or duplicate answer finds nothing and is ignored.
 */
export class PendingCalls {
  readonly #calls = new CallTable<PendingCall>();
  /** Blazor pre-increments from 1, so the first handle is 2; 0 means "no reply". */
  #lastHandle = 1;
  /**
   * One timer, for the earliest deadline, instead of one per call: nearly every call settles long
   * before its deadline, and a timer per call costs more than the rest of a call's bookkeeping.
   */
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerAt = Infinity;
  /**
   * Calls with a deadline. With none left the timer stays set but unref'd (it never holds the
   * process open), so a stream of one-at-a-time calls does not set and clear a timer per call.
   * (Only Node's timers have ref/unref; a browser's setTimeout returns a number, which holds nothing.)
   */
  #timed = 0;

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
    site?: string,
  ): { handle: number; promise: Promise<unknown> } {
    const handle = ++this.#lastHandle;
    const timed = timeoutMs !== undefined && timeoutMs !== Infinity;
    let call!: PendingCall;
    const promise = new Promise<unknown>((resolve, reject) => {
      // Every field from the start: adding them later would move each record through map transitions.
      call = {
        identifier,
        resultType,
        resolve,
        reject,
        deadline: timed ? performance.now() + timeoutMs : undefined,
        timeoutMs: timed ? timeoutMs : undefined,
        onGiveUp: timed ? onGiveUp : undefined,
        signal: undefined,
        onAbort: undefined,
        site,
      };
    });
    if (call.deadline !== undefined) {
      if (call.deadline < this.#timerAt) this.#arm(call.deadline);
      else if (this.#timed === 0) this.#timer?.ref?.();
      this.#timed++;
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
    if (call.deadline !== undefined && --this.#timed === 0) this.#timer?.unref?.();
    if (call.onAbort) call.signal!.removeEventListener('abort', call.onAbort);
    return call;
  }

  fail(handle: number, error: unknown): boolean {
    const call = this.take(handle);
    call?.reject(error);
    return call !== undefined;
  }

  failAll(error: () => unknown): void {
    for (const [handle] of this.#calls.entries()) this.fail(handle, error());
  }

  #arm(at: number): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timerAt = at;
    // A deadline beyond what a timer can wait is reached in steps: #expire re-arms until it is due.
    this.#timer = setTimeout(this.#expire, Math.min(MAX_TIMER_DELAY, Math.max(0, at - performance.now())));
  }

  /** Times out every call whose deadline has passed, then waits for the next deadline. */
  readonly #expire = (): void => {
    this.#timer = undefined;
    this.#timerAt = Infinity;
    const now = performance.now();
    let next = Infinity;
    for (const [handle, call] of this.#calls.entries()) {
      if (call.deadline === undefined) continue;
      if (call.deadline <= now) {
        if (this.fail(handle, new JSTimeoutError(call.identifier, call.timeoutMs!))) call.onGiveUp!(handle);
      } else if (call.deadline < next) {
        next = call.deadline;
      }
    }
    // The timer may fire a little before performance.now() reaches the deadline; then it simply waits again.
    if (next !== Infinity && this.#timer === undefined) this.#arm(next);
  };
}
