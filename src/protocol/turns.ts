/*
 * The sending policy every transport shares: the first message of a turn of the event loop
 * leaves at once, so a lone call or answer waits for nothing; the ones after it in the same turn
 * wait for the end of the turn (once its microtasks are done) and leave together. This file
 * keeps the "which turn are we in" half of that; the Worker outbox and the server's text
 * batcher decide what leaving together means for their medium.
 */

/** Scheduling through a settled promise is cheaper than queueMicrotask in Node (no AsyncResource). */
const settled = /* @__PURE__ */ Promise.resolve();

export interface Turns {
  /**
   * Records that a message is being sent. True for the turn's first, and then `endOfTurn` is
   * scheduled to run once this turn's microtasks are done.
   */
  begin(): boolean;
  /** True between a turn's first message and its end. */
  readonly busy: boolean;
}

export function trackTurns(endOfTurn: () => void): Turns {
  let busy = false;
  const end = (): void => {
    busy = false;
    endOfTurn();
  };
  return {
    begin() {
      if (busy) return false;
      busy = true;
      void settled.then(end);
      return true;
    },
    get busy() {
      return busy;
    },
  };
}
