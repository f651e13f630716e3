/*
 * Exactly-once delivery across reconnects (server hosting). Every interop frame a side sends is
 * numbered implicitly: the n-th one sent is number n (WebSocket keeps order within a connection,
 * so numbers never travel with the frames). Each side keeps what it sent until the other
 * acknowledges it by count; after a reconnect each side says how many frames it has received,
 * and the other resends exactly the ones after that count, in order.
 */

/** Acknowledge after this many unacknowledged frames… */
export const ACK_EVERY_FRAMES = 256;
/**
 * …or after this many unacknowledged bytes, whichever comes first (idle sides ack on heartbeats).
 * A server may tell its page a larger byte interval when the circuit starts (circuit-control.ts,
 * Started): while a host stream flows, each ack is a write on the page.
 */
export const ACK_EVERY_BYTES = 256 * 1024;

/** A frame as kept for replay: text, binary, or binary as header and bytes (src/protocol/framing.ts). */
export type Frame = string | Uint8Array | readonly [Uint8Array, Uint8Array];

/** The size a frame counts for in buffer limits: bytes for binary frames, UTF-16 units for text. */
export const frameSize = (frame: Frame): number =>
  typeof frame === 'string' ? frame.length : frame instanceof Uint8Array ? frame.byteLength : frame[0].byteLength + frame[1].byteLength;

/** Frames sent and not yet acknowledged, in order. */
export class Outbox<F extends Frame = Frame> {
  #frames: F[] = [];
  /** Index of the oldest unacknowledged frame in #frames (shifting one by one would be O(n²)). */
  #head = 0;
  /** Frames sent so far; the number of the last one. */
  sent = 0;
  /** Total size of the unacknowledged frames. */
  bytes = 0;

  /** Unacknowledged frames. */
  get size(): number {
    return this.#frames.length - this.#head;
  }

  /** How many frames the peer has acknowledged. */
  get acknowledged(): number {
    return this.sent - this.size;
  }

  /** Keeps a frame until the peer acknowledges it; returns its number. */
  push(frame: F): number {
    this.#frames.push(frame);
    this.bytes += frameSize(frame);
    return ++this.sent;
  }

  /**
   * The peer has received `count` frames: forget them. Returns false, and changes nothing,
   * when `count` is not a count the peer can have (behind an earlier ack, or ahead of what was sent).
   */
  ack(count: number): boolean {
    if (!Number.isSafeInteger(count) || count < this.acknowledged || count > this.sent) return false;
    let drop = count - this.acknowledged;
    while (drop-- > 0) this.bytes -= frameSize(this.#frames[this.#head++]!);
    if (this.#head === this.#frames.length) {
      this.#frames.length = 0;
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#frames.length) {
      this.#frames = this.#frames.slice(this.#head);
      this.#head = 0;
    }
    return true;
  }

  /** The unacknowledged frames, oldest first (after a reconnect, once `ack` took the peer's count). */
  pending(): F[] {
    return this.#frames.slice(this.#head);
  }

  /** Drops everything (the circuit is gone). */
  clear(): void {
    this.#frames = [];
    this.#head = 0;
    this.bytes = 0;
  }
}

/** The receiving side: counts frames and decides when to acknowledge them. */
export class Receipts {
  /** Frames received so far. */
  received = 0;
  /** The count last sent to the peer in an ack. */
  #acked = 0;
  #unackedBytes = 0;

  /** `everyBytes`: acknowledge once this many bytes arrived unacknowledged (or {@link ACK_EVERY_FRAMES} frames). */
  constructor(public everyBytes = ACK_EVERY_BYTES) {}

  /** Counts one frame; returns true when it is time to send an ack. */
  count(size: number): boolean {
    this.received++;
    this.#unackedBytes += size;
    return this.received - this.#acked >= ACK_EVERY_FRAMES || this.#unackedBytes >= this.everyBytes;
  }

  /** True when frames arrived since the last ack. */
  get behind(): boolean {
    return this.received !== this.#acked;
  }

  /** Records that an ack for everything received is being sent; returns the count to send. */
  acking(): number {
    this.#acked = this.received;
    this.#unackedBytes = 0;
    return this.received;
  }
}
