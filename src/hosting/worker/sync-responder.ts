/*
 * The page's half of a synchronous call. The page never blocks (a browser forbids Atomics.wait
 * on the main thread, and Node's main thread would stop answering): it watches the shared
 * buffer with Atomics.waitAsync, and when the host has published a request, it runs
 * `invokeJSFromDotNet` from an ordinary task and writes the answer.
 *
 * Order with async messages: the request names how many messages the host had posted before it
 * (SEQ). If some of them have not been handled yet, the request waits for them, so a sync call
 * sees the effects of every async call made before it, and the byte arrays of its arguments.
 *
 * This file ships in page bundles, so it is written for size: one path for requests and answers
 * of any length, through private buffers (no shared-memory text coding needed).
 */
import {
  ANSWER, ANSWER_NEXT, BYTE_ARRAYS, CALL_TYPE, IDENTIFIER_BYTES, KIND, KIND_ERROR, KIND_JSON, KIND_NULL, LENGTH,
  REQUEST, REQUEST_NEXT, RESULT_TYPE, SEQ, STATE, TARGET, TOTAL, WRITING,
} from './sync-buffer.js';
import { stateOf, viewsOf } from './sync-views.js';
import { adaptPolls } from './page-spin.js';

/** What one call produced: the result JSON (null for none) and the byte arrays it refers to. */
export interface SyncResult {
  readonly json: string | null;
  readonly byteArrays: Uint8Array[];
}

/** Runs one call on the page; throws what the JS function threw. */
export type RunSync = (identifier: string, argsJson: string, resultType: number, targetId: number, callType: number) => SyncResult;

/** Bytes moving through the data region, one region-full at a time. */
interface Transfer {
  readonly id: number;
  readonly bytes: Uint8Array;
  at: number;
}

export interface SyncResponder {
  /** Another postMessage from the host (sent after the Welcome) was handled: a waiting call may go now. */
  messageHandled(): void;
  /** Stops answering. (The page then marks the buffer closed, which wakes this loop and a blocked host.) */
  close(): void;
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/**
 * Starts answering the host's sync calls in `buffer`. `received`: how many host messages the page
 * has handled since the Welcome. `spin`: polls for the host's next call after an answer, before
 * going back to the event loop, to start with (page-spin.ts adapts it; 0 turns polling off).
 * (Closures rather than a class: this ships in page bundles, and minifies better this way.)
 */
export function startSyncResponder(
  buffer: SharedArrayBuffer,
  run: RunSync,
  received: () => number,
  spin: number,
  onError?: (error: unknown) => void,
): SyncResponder {
  const { header, data } = viewsOf(buffer);
  let waitingForMessages = false;
  let closed = false;
  let request: Transfer | undefined;
  let answer: Transfer | undefined;
  let inPlace = true;

  const claim = (state: number): boolean => Atomics.compareExchange(header, STATE, state, stateOf(state >>> 3, WRITING)) === state;

  /** Writes the next region-full of the answer and hands the turn to the host. */
  const send = (out: Transfer): void => {
    const length = Math.min(data.byteLength, out.bytes.byteLength - out.at);
    if (out.bytes.buffer !== data.buffer) data.set(out.bytes.subarray(out.at, out.at + length)); // else written in place
    out.at += length;
    header[LENGTH] = length;
    answer = out.at < out.bytes.byteLength ? out : undefined;
    const writing = stateOf(out.id, WRITING);
    if (Atomics.compareExchange(header, STATE, writing, stateOf(out.id, ANSWER)) === writing) Atomics.notify(header, STATE);
  };

  const respond = (state: number, bytes: Uint8Array): void => {
    const split = header[IDENTIFIER_BYTES]!;
    let kind = KIND_JSON;
    let text: string;
    let byteArrays: Uint8Array[] = [];
    try {
      const result = run(decoder.decode(bytes.subarray(0, split)), decoder.decode(bytes.subarray(split)), header[RESULT_TYPE]!, header[TARGET]!, header[CALL_TYPE]!);
      if (result.json === null) kind = KIND_NULL;
      text = result.json ?? '';
      byteArrays = result.byteArrays;
    } catch (error) {
      kind = KIND_ERROR;
      text = JSON.stringify(error instanceof Error ? [error.message, error.stack ?? null] : [String(error), null]);
    }
    // Claim the region; this fails when the host gave up while the function ran.
    if (!claim(state)) return;
    header[KIND] = kind;
    header[BYTE_ARRAYS] = byteArrays.length;
    if (!byteArrays.length && inPlace) {
      // The usual case, written in place: text only, and it fits.
      try {
        const { read, written } = encoder.encodeInto(text, data);
        if (read === text.length) return send({ id: state >>> 3, bytes: data.subarray(0, (header[TOTAL] = written!)), at: 0 });
      } catch {
        inPlace = false; // an engine that refuses shared memory here (Chromium): the general path from now on
      }
    }
    // [Uint32 length × n][byte arrays][UTF-8 text], the layout sync-caller.ts reads. The lengths
    // are in native byte order: both threads run on the same machine.
    const utf8 = encoder.encode(text);
    const lengths = new Uint32Array(byteArrays.map((b) => b.byteLength));
    const payload = new Uint8Array(lengths.byteLength + lengths.reduce((sum, n) => sum + n, 0) + utf8.byteLength);
    payload.set(new Uint8Array(lengths.buffer));
    let at = lengths.byteLength;
    for (const b of [...byteArrays, utf8]) {
      payload.set(b, at);
      at += b.byteLength;
    }
    header[TOTAL] = payload.byteLength;
    send({ id: state >>> 3, bytes: payload, at: 0 });
  };

  /** Does what `state` asks of the page; true when it acted (STATE moved on). */
  const act = (state: number): boolean => {
    const id = state >>> 3;
    const phase = state & 7;
    try {
      if (state <= 0 || closed) return false;
      if (phase === ANSWER_NEXT) {
        const out = answer;
        if (out?.id !== id) return false;
        if (claim(state)) send(out);
        return true;
      }
      if (phase !== REQUEST || (waitingForMessages = received() < header[SEQ]!)) return false;
      let input = request;
      if (input?.id !== id) input = request = { id, bytes: new Uint8Array(header[TOTAL]!), at: 0 };
      input.bytes.set(data.subarray(0, header[LENGTH]), input.at);
      input.at += header[LENGTH]!;
      if (input.at < input.bytes.byteLength) {
        // More to come: hand the turn back; a failed exchange means the host gave up.
        if (Atomics.compareExchange(header, STATE, state, stateOf(id, REQUEST_NEXT)) === state) Atomics.notify(header, STATE);
        return true;
      }
      request = undefined;
      // The request was read optimistically: it counts only if the host still waits for it.
      if (Atomics.load(header, STATE) === state) respond(state, input.bytes);
      return true;
    } catch (error) {
      onError?.(error); // a bug here: wait for the host to give up rather than spin on it
      return false;
    }
  };

  void (async () => {
    let acted = false;
    let polls = spin;
    /** When the last polling started (performance.now()). */
    let pollStart = 0;
    /** When it ran out with no next call; 0 when it did not run out. */
    let ranOutAt = 0;
    while (!closed) {
      let state = Atomics.load(header, STATE);
      // Right after an answer the host's next call often follows within microseconds: poll for
      // it briefly rather than let the event loop fall asleep, which costs a wake-up per call.
      if (acted && polls > 0 && (state & 7) === ANSWER) {
        pollStart = performance.now();
        let i = polls;
        while (i > 0 && (state & 7) === ANSWER) {
          state = Atomics.load(header, STATE);
          i--;
        }
        if (i === 0 && (state & 7) === ANSWER) ranOutAt = performance.now();
      }
      // After acting, look again before sleeping: the host may have moved on already, and its
      // notify came before we would wait. Wait only on the value just loaded, with nothing to
      // do: a change since the load makes waitAsync return at once.
      acted = act(state);
      if (acted && ranOutAt !== 0) {
        polls = adaptPolls(polls, spin, ranOutAt - pollStart, performance.now() - ranOutAt);
        ranOutAt = 0;
      }
      if (acted) continue;
      const result = (Atomics as any).waitAsync(header, STATE, state) as { async: boolean; value: Promise<string> | string };
      if (result.async) await result.value;
    }
  })();

  return {
    messageHandled() {
      if (waitingForMessages) act(Atomics.load(header, STATE));
    },
    close() {
      closed = true;
    },
  };
}
