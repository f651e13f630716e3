/**
 * Byte arrays the page sends ahead of the message that refers to them. The page numbers them
 * 0, 1, 2… for each message and id 0 starts a new message, so the list is an array indexed by id;
 * it is cleared once the message that uses them has been handled.
 */
export class ByteArrayInbox {
  #arrays: Uint8Array[] = [];

  add(id: number, data: Uint8Array): void {
    if (id === 0) this.#arrays.length = 0;
    if (id !== this.#arrays.length || !(data instanceof Uint8Array)) {
      throw new RangeError(`Element id '${id}' cannot be added to the byte arrays to be revived with length '${this.#arrays.length}'.`);
    }
    this.#arrays.push(data);
  }

  take(id: unknown): Uint8Array {
    const data = typeof id === 'number' ? this.#arrays[id] : undefined;
    if (!data) throw new RangeError(`The byte array '${String(id)}' was not received before the message that refers to it.`);
    return data;
  }

  clear(): void {
    if (this.#arrays.length) this.#arrays.length = 0;
  }
}
