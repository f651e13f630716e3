/*
 * The sending policy every transport shares: the first message of a turn leaves at once, so a
 * lone call or answer waits for nothing; the ones after it wait for the end of the turn and
 * leave together. The end is a microtask queued when the first message left, so it runs after
 * the microtasks already pending then: when the page handles a batch of calls, the package's
 * continuations that answer them are all queued before the first answer goes out, and every
 * answer but the first leaves in one batch. This file keeps the "which turn are we in" half;
 * the Worker outbox and the server's text batcher decide what leaving together means for their
 * medium.
 */

/** Scheduling through a settled promise is cheaper than queueMicrotask in Node (no AsyncResource). */
const settled = /* @__PURE__ */ Promise.resolve();

/** Runs `task` as a microtask, as queueMicrotask would, at less cost per call in Node. */
export function queueMicrotaskCheaply(task: () => void): void {
  void settled.then(task);
}

export interface Turns {
  /**
   * Records that a message is being sent. True for the turn's first, and then `endOfTurn` is
   * queued as a microtask.
   */
  begin(): boolean;
  /** True between a turn's first message and its end. */
  readonly busy: boolean;
}

export function trackTurns(endOfTurn: () => void): Turns {
  // `busy` is a data property, not a getter: a getter in an object literal is a new function for
  // every object, V8's inline caches hold one getter each, and with thousands of circuits every
  // `busy` read in the server's send path fell to the generic LoadIC (about 1.5 µs a call in a
  // profile of the capacity bench at 2,000 circuits; over 2,000 objects in a loop, 80 ns a read
  // against 5 for a data property).
  const turns = {
    busy: false,
    begin(): boolean {
      if (turns.busy) return false;
      turns.busy = true;
      queueMicrotaskCheaply(end);
      return true;
    },
  };
  const end = (): void => {
    turns.busy = false;
    endOfTurn();
  };
  return turns;
}
