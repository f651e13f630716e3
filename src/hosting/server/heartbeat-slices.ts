/*
 * When each circuit's heartbeat goes out. One interval timer serves every circuit (an idle
 * circuit costs no timer of its own), but the circuits are spread over slices of the period and
 * the timer beats one slice a tick: thousands of circuits beating in one turn of the event loop
 * held up every call behind them (at 2,000 circuits, a pause of about 100 ms every period; the
 * pause grows with the number of circuits). Each circuit keeps its slice, so it beats exactly
 * once a period, as before.
 */

/** The most slices a period is cut into. */
const MAX_SLICES = 16;

/**
 * How many slices a period of `periodMs` is cut into: the most, up to {@link MAX_SLICES}, that
 * divide it into whole milliseconds (timers count whole milliseconds, so the ticks then add up
 * to the period exactly); 1 for a period that no such number divides.
 */
export function sliceCount(periodMs: number): number {
  for (let slices = MAX_SLICES; slices > 1; slices--) if (periodMs % slices === 0) return slices;
  return 1;
}

/** Something that beats: a circuit. */
export interface Beating {
  heartbeat(): void;
}

export class HeartbeatSlices<C extends Beating> {
  readonly #slices: Set<C>[];
  /** The slice the next tick beats. */
  #next = 0;
  readonly #timer: ReturnType<typeof setInterval>;

  /** `onPeriod` runs once a period, after the first slice of the period has beaten. */
  constructor(periodMs: number, private readonly onPeriod: () => void) {
    const slices = sliceCount(periodMs);
    this.#slices = Array.from({ length: slices }, () => new Set<C>());
    this.#timer = setInterval(this.#tick, periodMs / slices);
    this.#timer.unref?.();
  }

  /** Beats `circuit` from now on, in the slice that has the fewest. */
  add(circuit: C): void {
    let smallest = this.#slices[0]!;
    for (const slice of this.#slices) if (slice.size < smallest.size) smallest = slice;
    smallest.add(circuit);
  }

  remove(circuit: C): void {
    for (const slice of this.#slices) if (slice.delete(circuit)) return;
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  readonly #tick = (): void => {
    const index = this.#next;
    this.#next = (index + 1) % this.#slices.length;
    for (const circuit of this.#slices[index]!) circuit.heartbeat();
    if (index === 0) this.onPeriod();
  };
}
