/*
 * Calls in flight by id, on the page's side of a transport (the page channel, the server client).
 * Nearly always one call at a time is in flight, so the newest is kept in variables of its own and
 * only older ones in a Map: a stream of one-at-a-time calls then never touches the Map. A Map
 * (or Set) whose last entry is deleted makes V8 reallocate its storage, which a Map holding one
 * call at a time did on every call (the in-process runtime measured that as about a fifth of a
 * page → host call, docs/benchmarks.md). A closure, not a class: it ships in every page bundle,
 * and a minifier shortens local variables but not private field names.
 */
export interface CallsInFlight<K, V> {
  /** Adds a call (ids are never reused while in flight). */
  set(key: K, value: V): void;
  /** Removes the call and returns its value; undefined when it is not in flight. */
  take(key: K): V | undefined;
  /** Every call in flight, oldest first, as a snapshot. */
  keys(): K[];
  clear(): void;
}

export function callsInFlight<K, V>(): CallsInFlight<K, V> {
  let has = false;
  let newestKey: K | undefined;
  let newestValue: V | undefined;
  const older = new Map<K, V>();
  const forgetNewest = (): void => {
    has = false;
    newestKey = newestValue = undefined;
  };
  return {
    set(key, value) {
      if (has) older.set(newestKey!, newestValue!);
      has = true;
      newestKey = key;
      newestValue = value;
    },
    take(key) {
      let value: V | undefined;
      if (has && newestKey === key) {
        value = newestValue;
        forgetNewest();
      } else if ((value = older.get(key)) !== undefined) {
        older.delete(key);
      }
      return value;
    },
    keys() {
      const keys = [...older.keys()];
      if (has) keys.push(newestKey!);
      return keys;
    },
    clear() {
      forgetNewest();
      older.clear();
    },
  };
}
