/*
 * Text messages produced in the same task travel in one frame: "[m1,m2,…]". A message is itself
 * an array whose first element is its type (a number), so a frame whose first element is an
 * array is a batch. Under load this turns hundreds of frames (and write system calls) into
 * one. The first message of a turn is sent at once, on its own (turns.ts).
 */
import { trackTurns } from './turns.js';

export interface TextBatcher {
  /** Queues one message's JSON; it is sent at the end of the current microtask checkpoint. */
  add(json: string): void;
  /** Sends what is queued now (before a binary frame, which must not overtake it). */
  flush(): void;
  /** True when a message already went out in this task, so the next one `add` takes is batched. */
  readonly busy: boolean;
}

/** `maxChars` bounds a batch (a message longer than that travels alone). */
export function textBatcher(emit: (frame: string) => void, maxChars: number): TextBatcher {
  const parts: string[] = [];
  let chars = 0;
  const flush = (): void => {
    if (parts.length === 0) return;
    const frame = parts.length === 1 ? parts[0]! : `[${parts.join(',')}]`;
    parts.length = 0;
    chars = 0;
    emit(frame);
  };
  const turns = trackTurns(() => {
    batcher.busy = false;
    flush();
  });
  // `busy` mirrors the turn's as a data property, not a getter (see trackTurns: the server has a
  // batcher per circuit, and a getter per object defeats V8's inline caches).
  const batcher = {
    busy: false,
    add(json: string): void {
      if (turns.begin()) {
        batcher.busy = true;
        return emit(json);
      }
      if (chars > 0 && chars + json.length > maxChars) flush();
      parts.push(json);
      chars += json.length + 1;
    },
    flush,
  };
  return batcher;
}

/** True when a decoded text frame is a batch of messages rather than one message. */
export const isBatch = (value: unknown[]): boolean => Array.isArray(value[0]);
