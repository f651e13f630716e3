/**
 * One page byte array's bytes, copied in as its parts arrive. A page may cut an array into parts
 * as small as one byte, and holding each part (a view, and the receive buffer under it) cost the
 * server about a hundred bytes of heap a part: a 4 MiB array sent a byte at a time held hundreds
 * of MiB. An assembly costs its capacity instead: the array's length when the page gave it up
 * front, else a buffer that doubles as the parts come, never beyond the per-call limit.
 */
export class ByteArrayAssembly {
  #bytes: Uint8Array;
  #length = 0;

  constructor(
    capacity: number,
    private readonly limit: number,
  ) {
    this.#bytes = new Uint8Array(Math.min(capacity, limit));
  }

  /** Bytes so far. */
  get length(): number {
    return this.#length;
  }

  /** Copies `part` in after the bytes so far; the caller has checked the total against the limit. */
  append(part: Uint8Array): void {
    const needed = this.#length + part.byteLength;
    if (needed > this.limit) throw new RangeError(`A byte array of ${needed} bytes is over the limit of ${this.limit}, which the caller checks first.`);
    if (needed > this.#bytes.byteLength) {
      const grown = new Uint8Array(Math.min(this.limit, Math.max(needed, 2 * this.#bytes.byteLength)));
      grown.set(this.#bytes.subarray(0, this.#length));
      this.#bytes = grown;
    }
    this.#bytes.set(part, this.#length);
    this.#length = needed;
  }

  /** The array, over memory of its own and exactly its length. */
  take(): Uint8Array {
    return this.#length === this.#bytes.byteLength ? this.#bytes : this.#bytes.slice(0, this.#length);
  }
}
