/*
 * Counts the frames a circuit's page sent that the server had to refuse. A page running the
 * official client sends none, so a run of them is a broken or hostile client: past the limit
 * the circuit ends (close code 1008) instead of answering each one, so a flood of junk costs
 * the server a bounded number of answers.
 */

export class RefusedFrameLimit {
  #count = 0;
  #windowStart = 0;

  /** At most `max` protocol errors within `window` ms of the first one counted. */
  constructor(
    private readonly max: number,
    private readonly window: number,
  ) {}

  /** Counts one protocol error at time `now` (ms); true when it is one too many. */
  exceeded(now: number): boolean {
    // A fixed window that starts at the first error: two counters, no log of timestamps.
    if (this.#count === 0 || now - this.#windowStart >= this.window) {
      this.#windowStart = now;
      this.#count = 0;
    }
    return ++this.#count > this.max;
  }
}
