/**
 * Pending calls by async handle. Handles are consecutive (every call takes the next one) and
 * calls mostly settle in the order they started, so the table is a window of slots indexed by
 * `handle - base`: adding fills the next slot, removing empties one and moves the window's start
 * past empty slots, and an emptied window starts over at slot 0, reusing its storage.
 *
 * Why not a Map: a Map whose last entry is deleted calls into the V8 runtime to shrink and
 * reallocate its storage, and a stream of one-at-a-time calls (the common case) empties the
 * table on every call. That cost a few hundred nanoseconds per call (docs/benchmarks.md, "Server").
 *
 * A call that stays pending while many later ones settle would leave the window sparse: when
 * fewer than a quarter of a long window's slots are in use, its calls move to a Map, so memory
 * follows the number of pending calls, never the number of calls made.
 */
export class CallTable<V extends object> {
  /** The value for `handle` at index `handle - #base`; undefined where none is. */
  #slots: (V | undefined)[] = [];
  #base = 0;
  /** Slots before it are empty. */
  #start = 0;
  /** Where the next handle goes. */
  #end = 0;
  /** Values in #slots. */
  #count = 0;
  /** Values moved out of a sparse window (created on first need). */
  #stragglers: Map<number, V> | undefined;

  get size(): number {
    return this.#count + (this.#stragglers?.size ?? 0);
  }

  /** Adds the value for `handle`, which should follow the previous handle added (else it is kept aside). */
  set(handle: number, value: V): void {
    if (this.#count === 0) {
      this.#base = handle;
      this.#start = this.#end = 0;
    } else if (handle !== this.#base + this.#end) {
      (this.#stragglers ??= new Map()).set(handle, value);
      return;
    }
    this.#slots[this.#end++] = value;
    this.#count++;
  }

  get(handle: number): V | undefined {
    const index = handle - this.#base;
    if (index >= this.#start && index < this.#end) {
      const value = this.#slots[index];
      if (value !== undefined) return value;
    }
    return this.#stragglers?.get(handle);
  }

  /** Removes the value for `handle`; false when there was none. */
  delete(handle: number): boolean {
    const index = handle - this.#base;
    if (!(index >= this.#start && index < this.#end && this.#slots[index] !== undefined)) return this.#deleteStraggler(handle);
    this.#slots[index] = undefined;
    if (--this.#count === 0) {
      this.#start = this.#end = 0;
      if (this.#slots.length > COMPACT_AFTER) this.#slots = []; // a burst is over: give its storage back
    } else if (index === this.#start) {
      while (this.#slots[this.#start] === undefined) this.#start++;
      if (this.#start > COMPACT_AFTER && this.#start * 2 > this.#end) this.#compact();
    } else if (this.#end - this.#start > COMPACT_AFTER && this.#count * 4 < this.#end - this.#start) {
      this.#evict();
    }
    return true;
  }

  /** Every handle and value, as a snapshot (callers may delete while they go through it). */
  entries(): [number, V][] {
    // Stragglers first: they are older than every call in the window, so the order is the order of adding.
    const entries: [number, V][] = this.#stragglers ? [...this.#stragglers] : [];
    for (let index = this.#start; index < this.#end; index++) {
      const value = this.#slots[index];
      if (value !== undefined) entries.push([this.#base + index, value]);
    }
    return entries;
  }

  #deleteStraggler(handle: number): boolean {
    if (!this.#stragglers?.delete(handle)) return false;
    if (this.#stragglers.size === 0) this.#stragglers = undefined;
    return true;
  }

  /** Moves the window's values to the front of the storage. */
  #compact(): void {
    const length = this.#end - this.#start;
    this.#slots.copyWithin(0, this.#start, this.#end);
    this.#slots.fill(undefined, length, this.#end);
    this.#base += this.#start;
    this.#start = 0;
    this.#end = length;
  }

  /** The window is mostly empty slots: its values move to the stragglers' Map and the window starts over. */
  #evict(): void {
    const stragglers = (this.#stragglers ??= new Map());
    for (let index = this.#start; index < this.#end; index++) {
      const value = this.#slots[index];
      if (value !== undefined) stragglers.set(this.#base + index, value);
    }
    this.#slots = [];
    this.#start = this.#end = this.#count = 0;
  }
}

/** Windows longer than this are compacted or evicted when they are mostly empty. */
const COMPACT_AFTER = 1024;
