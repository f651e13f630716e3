/*
 * Calls in flight by id, on the page's side of a transport (the page channel, the server client).
 * Nearly always one call at a time is in flight, so the newest is kept in fields of its own and
 * only older ones in a Map: a stream of one-at-a-time calls then never touches the Map. A Map
 * (or Set) whose last entry is deleted makes V8 reallocate its storage, which a Map holding one
 * call at a time did on every call (the in-process runtime measured that as about a fifth of a
 * page → host call, docs/benchmarks.md).
 */
export class CallsInFlight<K, V> {
  #has = false;
  #key: K | undefined;
  #value: V | undefined;
  readonly #older = new Map<K, V>();

  get size(): number {
    return this.#older.size + (this.#has ? 1 : 0);
  }

  /** Adds a call (ids are never reused while in flight). */
  set(key: K, value: V): void {
    if (this.#has) this.#older.set(this.#key!, this.#value!);
    this.#has = true;
    this.#key = key;
    this.#value = value;
  }

  /** Removes the call and returns its value; undefined when it is not in flight. */
  take(key: K): V | undefined {
    if (this.#has && this.#key === key) {
      const value = this.#value;
      this.#has = false;
      this.#key = this.#value = undefined;
      return value;
    }
    const value = this.#older.get(key);
    if (value !== undefined) this.#older.delete(key);
    return value;
  }

  /** Every call in flight, oldest first, as a snapshot. */
  keys(): K[] {
    const keys = [...this.#older.keys()];
    if (this.#has) keys.push(this.#key!);
    return keys;
  }

  clear(): void {
    this.#has = false;
    this.#key = this.#value = undefined;
    this.#older.clear();
  }
}
