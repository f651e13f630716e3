/*
 * Byte arrays between threads: copied by default, moved when the caller says so.
 *
 * postMessage's structured clone copies a Uint8Array's WHOLE underlying ArrayBuffer, even for a
 * small view into a big one (a Node Buffer from the shared pool, a subarray). So a copy is made
 * with `slice()` (just the view's bytes) and that private copy is transferred, which costs one
 * memcpy, the same as a clone. An array marked with {@link transfer} is not copied at all: its
 * buffer moves to the other thread and is detached here.
 */

const marked = new WeakSet<Uint8Array>();
/**
 * The array marked last, until another is marked (then it joins `marked`). An array is nearly
 * always sent right after it is marked, and a WeakSet entry for each (a new key, hashed and
 * inserted, and an ephemeron for the collector to trace) cost about 0.3 µs a call on each side of
 * a call that moves an array and back. This holds at most one array longer than the WeakSet
 * would: once moved it is detached and holds no memory; a view is moved to the WeakSet when first
 * sent (copied); one marked and never sent is kept until the next transfer().
 */
let lastMarked: Uint8Array | undefined;

/**
 * Marks a byte array to be moved, not copied, to the other thread the next time it is sent
 * (as an argument, a result, or a stream chunk). Its ArrayBuffer is transferred: afterwards the
 * array is detached (length 0) in the sender's thread. Use it for large arrays you are done
 * with; without it, jsinterop sends a copy and the caller's array stays usable. Returns the
 * array itself, so it can wrap an argument in place: `js.invokeVoidAsync('draw', transfer(pixels))`.
 *
 * Only an array that spans its whole ArrayBuffer moves. A view into a larger buffer (a
 * `subarray`, a small Node `Buffer` from the shared pool) and an array over a
 * SharedArrayBuffer are copied, since moving them would detach bytes the array does not own.
 * The byte arrays of a synchronous call's result travel through the shared buffer and are always
 * copied; a synchronous call's arguments are posted like an async call's, so marked ones move.
 */
export function transfer<T extends Uint8Array>(bytes: T): T {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('transfer() takes a Uint8Array.');
  // A moved array (detached, length 0) needs no mark: it never moves again.
  if (lastMarked !== undefined && lastMarked !== bytes && lastMarked.byteLength > 0) marked.add(lastMarked);
  lastMarked = bytes;
  return bytes;
}

/**
 * What to post for `bytes`: the array itself with its buffer added to `transferList` when it
 * was marked, else a private copy whose buffer is transferred.
 */
export function prepareBytes(bytes: Uint8Array, transferList: ArrayBuffer[]): Uint8Array {
  // The mark is left in place: once moved, the array is detached (length 0, which is copied, never
  // moved, below), and a view that cannot move is copied every time anyway. Deleting it cost more
  // than the rest of the move: a WeakSet that is added to and deleted from on every call rehashes
  // its table every few calls.
  // (`lastMarked` stays set too: a moved array is detached, and holds no memory, once posted.)
  if (bytes.byteLength > 0 && (bytes === lastMarked || marked.has(bytes)) && movable(bytes)) {
    const buffer = bytes.buffer as ArrayBuffer;
    if (!transferList.includes(buffer)) transferList.push(buffer);
    return bytes;
  }
  if (bytes === lastMarked) {
    // A view cannot move: it is copied every time it is sent. The WeakSet keeps its mark without
    // holding it (and the buffer under it) until the next transfer().
    marked.add(bytes);
    lastMarked = undefined;
  }
  // Not bytes.slice(): on a Node Buffer that returns a view of the same memory.
  const copy = new Uint8Array(bytes);
  transferList.push(copy.buffer);
  return copy;
}

/** Whether `bytes` spans its whole ArrayBuffer (not a SharedArrayBuffer), so that moving it moves nothing else. */
function movable(bytes: Uint8Array): boolean {
  const buffer = bytes.buffer;
  return buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === buffer.byteLength;
}
