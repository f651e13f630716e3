/*
 * Beyond Blazor: text frames larger than the peer's `maxMessageSize` cross as parts (server
 * hosting). The UTF-8 of the frame's text (a JSON message, a batch, a call or a completion
 * frame) is cut into binary frames of type TEXT_PART, each with at most `maxMessageSize` bytes
 * after its header, every part but the last flagged "more", and each carrying the whole text's
 * length in UTF-8 bytes as its id. The receiver joins them and handles the text as if it had
 * arrived in one frame.
 *
 * The parts of one text are sent one after another, with nothing in between: every part is an
 * ordinary numbered frame (sequencing.ts), so replay after a reconnect resumes in the middle
 * of a split text exactly where the receiver stopped, and the receiver needs to hold at most
 * one partial text. A numbered frame of anything else before the last part is a violation.
 * The bytes are cut without regard to UTF-8 sequences: the text is decoded once it is whole.
 */
import { binaryHeader, type BinaryFrame } from './framing.js';

/** Binary frame type of a part of a split text frame (both directions; not a §6 message). */
export const TEXT_PART = 29;

/** The parts of a text frame's UTF-8, as header and bytes (the bytes are views of `utf8`, not copies). */
export function textParts(utf8: Uint8Array, max: number): [header: Uint8Array, bytes: Uint8Array][] {
  const parts: [Uint8Array, Uint8Array][] = [];
  for (let offset = 0; offset < utf8.byteLength; offset += max) {
    const end = Math.min(offset + max, utf8.byteLength);
    parts.push([binaryHeader(TEXT_PART, utf8.byteLength, end < utf8.byteLength), utf8.subarray(offset, end)]);
  }
  return parts;
}

/** A split text that breaks the rules: the receiver cannot tell what the sender meant (the server ends the circuit). */
export class SplitViolation extends Error {
  override name = 'SplitViolation';
}

/** A split text whose length is over the receiver's limit: its parts are dropped as they come. */
export class SplitTooLarge extends Error {
  override name = 'SplitTooLarge';
  constructor(
    /** The whole text's length in UTF-8 bytes, as its parts declare it. */
    readonly size: number,
    /** The first part's bytes: the start of the text, which names its call. */
    readonly head: Uint8Array,
  ) {
    super(`A split message of ${size} bytes`);
  }
}

/** Joins the parts of split texts, one text at a time. */
export class TextJoiner {
  #parts: Uint8Array[] = [];
  /** Bytes received of the current text; with #size -1 nothing is under way. */
  #received = 0;
  #size = -1;
  #discarding = false;

  /** `limit`: the largest text accepted, in UTF-8 bytes; larger ones are refused at their first part. */
  constructor(private readonly limit = Infinity) {}

  /** True between the first and the last part of a text. */
  get busy(): boolean {
    return this.#size >= 0;
  }

  /** Bytes held for the text under way (parts that are dropped are not held). */
  get held(): number {
    return this.#discarding ? 0 : this.#received;
  }

  /**
   * Takes one part (a decoded TEXT_PART frame): returns the whole text's UTF-8 after its last
   * part, undefined before. Throws SplitTooLarge at the first part of a text over the limit
   * (later parts of it are dropped), SplitViolation for parts that cannot belong together.
   */
  add({ id: size, bytes, more }: BinaryFrame): Uint8Array | undefined {
    if (this.#size < 0) {
      if (size <= 0 || bytes.byteLength === 0) throw new SplitViolation(`A split message must declare a positive length and carry bytes in every part; received a part of ${bytes.byteLength} bytes of a message of ${size}.`);
      this.#size = size;
      this.#received = bytes.byteLength;
      if (size > this.limit) {
        this.#discarding = true;
        this.#finishIf(more, size);
        throw new SplitTooLarge(size, bytes);
      }
    } else if (size !== this.#size) {
      const under = `${this.#received} of ${this.#size} bytes received`;
      this.clear();
      throw new SplitViolation(`A split message started before the previous one ended (${under}); the parts of a message must follow one another.`);
    } else if (bytes.byteLength === 0) {
      this.clear();
      throw new SplitViolation('A part of a split message carried no bytes.');
    } else {
      this.#received += bytes.byteLength;
    }
    if (this.#received > size || (more ? this.#received === size : this.#received !== size)) {
      const under = `${this.#received} of ${size} bytes`;
      this.clear();
      throw new SplitViolation(`The parts of a split message do not add up to its length (${under}, ${more ? 'more announced' : 'last part'}).`);
    }
    if (this.#discarding) return void this.#finishIf(more, size);
    // Parts may be views of the transport's receive buffers: copy them into one text now.
    this.#parts.push(bytes.slice());
    if (more) return undefined;
    const whole = this.#parts.length === 1 ? this.#parts[0]! : join(this.#parts, size);
    this.clear();
    return whole;
  }

  /** Forgets the text under way (the circuit or connection is gone for good). */
  clear(): void {
    this.#parts = [];
    this.#received = 0;
    this.#size = -1;
    this.#discarding = false;
  }

  #finishIf(more: boolean, size: number): void {
    if (!more && this.#received === size) this.clear();
  }
}

/** `parts` copied one after another into one array of `size` bytes. */
export function join(parts: readonly Uint8Array[], size: number): Uint8Array {
  const whole = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    whole.set(part, offset);
    offset += part.byteLength;
  }
  return whole;
}
