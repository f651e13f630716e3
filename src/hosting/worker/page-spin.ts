/*
 * How long the page polls for the host's next sync call after answering one. A poll's cost and
 * the gap between a host's calls differ by engine and machine (an `Atomics.load` poll is about
 * 5 ns in Node and 6.5 ns in Chromium, and a browser Worker takes longer between two calls), so a
 * fixed count that catches a burst in one place misses it in another. The page starts at the
 * configured count and doubles it (up to 32×) each time the host's next call came soon after the
 * polls ran out: within as long again as it had polled, or within 0.1 ms. Otherwise it halves it
 * back towards the configured count. Bursts are then caught without a wake-up per call, and a
 * page whose host calls rarely soon polls briefly again; at most about 0.2 ms of polling (in
 * Chromium) follows the last call of a burst.
 */

export const MAX_GROWTH = 32;
/** A next call within this long after the polls ran out counts as the same burst. */
export const SOON_MS = 0.1;

/**
 * The poll count after `polls` polls, which took `polledMs`, ran out and the host's next call came
 * `lateMs` after that. `base` is the configured count (0: never poll).
 */
export function adaptPolls(polls: number, base: number, polledMs: number, lateMs: number): number {
  return lateMs <= Math.max(polledMs, SOON_MS) ? Math.min(base * MAX_GROWTH, polls * 2) : Math.max(base, polls >> 1);
}
