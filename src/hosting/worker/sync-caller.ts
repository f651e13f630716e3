/*
 * The host's half of a synchronous call (runs in the Worker): write the request into the shared
 * buffer, wake the page, block in Atomics.wait until the answer is there. Requests and answers
 * larger than the data region go in chunks, one region-full at a time (sync-buffer.ts).
 *
 * Before blocking, the caller spins briefly on Atomics.load: a page that answers within a few
 * microseconds is seen without the futex sleep and wake-up, which cost more than the answer.
 */
import { JSDisconnectedException, JSTimeoutError } from '../../host/errors.js';
import { decode, encode, encodeInto } from './shared-text.js';
import {
  ANSWER, ANSWER_NEXT, BYTE_ARRAYS, CALL_TYPE, CLOSED, IDENTIFIER_BYTES, IDLE, KIND, LENGTH, MAX_CALL_ID,
  REQUEST, REQUEST_NEXT, RESULT_TYPE, SEQ, STATE, TARGET, TOTAL, WRITING,
} from './sync-buffer.js';
import { callOf, stateOf, viewsOf, type SyncViews } from './sync-views.js';

export interface SyncCallerOptions {
  /** Milliseconds a call may wait for the page; Infinity for no deadline. */
  readonly timeout: number;
  /** Atomics.load polls before Atomics.wait; 0 waits at once. */
  readonly spin: number;
}

/** The page's answer to one call. */
export interface SyncAnswer {
  /** KIND_NULL, KIND_JSON or KIND_ERROR. */
  readonly kind: number;
  /** The result JSON, or for an error the JSON of [message, stack | null]. */
  readonly text: string;
  /** Byte arrays the result refers to ({"__byte[]": index}), in order. */
  readonly byteArrays: Uint8Array[];
}

const CLOSED_MESSAGE = 'The page closed its connection to this Worker host.';

export class SyncCaller {
  readonly #views: SyncViews;
  readonly #options: SyncCallerOptions;
  #lastId = 0;
  /** When the call in progress gives up (performance.now() time); 0 until it first sleeps. */
  #deadline = 0;

  constructor(buffer: SharedArrayBuffer, options: SyncCallerOptions) {
    this.#views = viewsOf(buffer);
    this.#options = options;
  }

  /**
   * Runs `invokeJSFromDotNet` on the page and returns its answer. `seq` is the number of messages
   * this side had posted: the page answers only after handling them, so calls stay in order.
   */
  call(seq: number, identifier: string, argsJson: string, resultType: number, targetId: number, callType: number): SyncAnswer {
    const { header, data } = this.#views;
    const id = (this.#lastId = this.#lastId >= MAX_CALL_ID ? 1 : this.#lastId + 1);
    this.#deadline = 0; // set when the call first has to sleep: a quick answer costs no clock read
    const before = Atomics.load(header, STATE);
    if (before === CLOSED) throw new JSDisconnectedException(CLOSED_MESSAGE);

    header[SEQ] = seq;
    header[RESULT_TYPE] = resultType;
    header[CALL_TYPE] = callType;
    header[TARGET] = targetId;
    // Fast path: both strings fit the region as they are.
    const first = encodeInto(identifier, data);
    const rest = first.read === identifier.length ? encodeInto(argsJson, data.subarray(first.written)) : undefined;
    let payload: Uint8Array | undefined;
    let offset: number;
    if (rest && rest.read === argsJson.length) {
      header[IDENTIFIER_BYTES] = first.written;
      header[TOTAL] = header[LENGTH] = offset = first.written + rest.written;
    } else {
      const identifierBytes = encode(identifier);
      const argsBytes = encode(argsJson);
      payload = new Uint8Array(identifierBytes.byteLength + argsBytes.byteLength);
      payload.set(identifierBytes);
      payload.set(argsBytes, identifierBytes.byteLength);
      header[IDENTIFIER_BYTES] = identifierBytes.byteLength;
      header[TOTAL] = payload.byteLength;
      offset = this.#writeChunk(payload, 0);
    }
    // Publish; the exchange fails only if the page closed meanwhile.
    if (Atomics.compareExchange(header, STATE, before, stateOf(id, REQUEST)) !== before) {
      throw new JSDisconnectedException(CLOSED_MESSAGE);
    }
    Atomics.notify(header, STATE);

    // Further request chunks, each when the page asks for it.
    while (payload && offset < payload.byteLength) {
      this.#expect(this.#waitWhile(stateOf(id, REQUEST), identifier), id, REQUEST_NEXT);
      offset += this.#writeChunk(payload, offset);
      this.#publish(id, REQUEST_NEXT, REQUEST);
    }

    // The answer: wait while the page runs the call, then while it writes (bounded, not abandonable).
    let state = this.#waitWhile(stateOf(id, REQUEST), identifier);
    if (state === stateOf(id, WRITING)) state = this.#waitWhile(state, identifier, false);
    this.#expect(state, id, ANSWER);
    const kind = header[KIND]!;
    const count = header[BYTE_ARRAYS]!;
    const total = header[TOTAL]!;
    let length = header[LENGTH]!;
    if (length === total && count === 0) return { kind, text: decode(data.subarray(0, length)), byteArrays: [] };

    const answer = new Uint8Array(total);
    answer.set(data.subarray(0, length));
    while (length < total) {
      this.#publish(id, ANSWER, ANSWER_NEXT);
      state = this.#waitWhile(stateOf(id, ANSWER_NEXT), identifier);
      if (state === stateOf(id, WRITING)) state = this.#waitWhile(state, identifier, false);
      this.#expect(state, id, ANSWER);
      const chunk = header[LENGTH]!;
      answer.set(data.subarray(0, chunk), length);
      length += chunk;
    }
    return readAnswer(kind, count, answer);
  }

  #writeChunk(payload: Uint8Array, offset: number): number {
    const { header, data } = this.#views;
    const length = Math.min(data.byteLength, payload.byteLength - offset);
    data.set(payload.subarray(offset, offset + length));
    header[LENGTH] = length;
    return length;
  }

  /** Hands the turn to the page; only the page closing can have changed STATE meanwhile. */
  #publish(id: number, from: number, to: number): void {
    const header = this.#views.header;
    if (Atomics.compareExchange(header, STATE, stateOf(id, from), stateOf(id, to)) !== stateOf(id, from)) {
      throw new JSDisconnectedException(CLOSED_MESSAGE);
    }
    Atomics.notify(header, STATE);
  }

  /**
   * Returns the first STATE value other than `turn` (the page's turn). Spins first, then waits
   * on the value it just loaded (waiting on a re-read value can miss a wake-up). At the deadline
   * it takes the turn back with a compare-exchange, so a late answer finds the call gone.
   */
  #waitWhile(turn: number, identifier: string, abandonable = true): number {
    const header = this.#views.header;
    let state = Atomics.load(header, STATE);
    for (let i = this.#options.spin; state === turn && i > 0; i--) state = Atomics.load(header, STATE);
    while (state === turn) {
      if (this.#deadline === 0) this.#deadline = performance.now() + this.#options.timeout; // Infinity stays Infinity
      const remaining = abandonable ? this.#deadline - performance.now() : Infinity;
      if (remaining <= 0) {
        if (Atomics.compareExchange(header, STATE, turn, IDLE) === turn) throw this.#timeout(identifier);
      } else {
        Atomics.wait(header, STATE, state, remaining);
      }
      state = Atomics.load(header, STATE);
    }
    return state;
  }

  #expect(state: number, id: number, phase: number): void {
    if (state === stateOf(id, phase)) return;
    if (state === CLOSED) throw new JSDisconnectedException(CLOSED_MESSAGE);
    throw new Error(`Synchronous call protocol error: expected state ${stateOf(id, phase)} (call ${id}), found ${state} (call ${callOf(state)}).`);
  }

  #timeout(identifier: string): JSTimeoutError {
    const error = new JSTimeoutError(identifier, this.#options.timeout);
    error.message =
      `The synchronous JavaScript call '${identifier}' did not complete within ${this.#options.timeout} ms: the page did not answer ` +
      `(is its main thread busy, or is the JS function still running?). Raise connectToPage's syncTimeout, or call it with invokeAsync.`;
    return error;
  }
}

/** Splits an answer payload: [Uint32 length × count, native byte order][byte arrays][UTF-8 text]. */
function readAnswer(kind: number, count: number, payload: Uint8Array): SyncAnswer {
  const lengths = new Uint32Array(payload.slice(0, 4 * count).buffer);
  const byteArrays: Uint8Array[] = [];
  let offset = 4 * count;
  for (const length of lengths) {
    byteArrays.push(payload.slice(offset, offset + length));
    offset += length;
  }
  return { kind, text: decode(payload.subarray(offset)), byteArrays };
}
