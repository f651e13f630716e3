/*
 * A hand-written synchronous interop call over a SharedArrayBuffer, for the Worker bench: the
 * least a host can do to run the official dispatcher's `invokeJSFromDotNet` on the page from a
 * Worker. The Worker writes the identifier and the arguments' JSON, wakes the page and blocks;
 * the page (woken by Atomics.waitAsync) runs the dispatcher and writes the result JSON. No
 * chunking, no byte arrays, no ordering with async messages, no deadline, no claims.
 */

import { awaitAnswer, serveRequests } from './sab-calls.js';

// Int32 slots: [0] answered call id (STATE, support/sab-calls.ts), [1] requested call id, [2] identifier bytes, [3] argument bytes, [4] result bytes (-1: null).
const HEADER = 32;

export interface SyncDispatcher {
  invokeJSFromDotNet(identifier: string, argsJson: string, resultType: number, targetInstanceId: number, callType: number): string | null;
}

/** The page's side: answers every request with the official dispatcher, until `stop.stopped`. */
export function answerWithDispatcher(buffer: SharedArrayBuffer, dispatcher: SyncDispatcher, pageSpin: number, stop: { stopped: boolean }): void {
  const header = new Int32Array(buffer, 0, HEADER / 4);
  const data = new Uint8Array(buffer, HEADER);
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  serveRequests(
    header,
    1,
    pageSpin,
    () => {
      const identifier = decoder.decode(data.slice(0, header[2]));
      const argsJson = decoder.decode(data.slice(header[2], header[2]! + header[3]!));
      const json = dispatcher.invokeJSFromDotNet(identifier, argsJson, 0, 0, 1);
      // Chromium refuses shared memory in encodeInto/decode: encode privately, then copy.
      const bytes = json === null ? null : encoder.encode(json);
      if (bytes) data.set(bytes);
      header[4] = bytes ? bytes.byteLength : -1;
    },
    stop,
  );
}

/** The Worker's side: a blocking call; `spin` polls before Atomics.wait. */
export function dispatcherCaller(buffer: SharedArrayBuffer): (identifier: string, args: unknown[], spin: number) => unknown {
  const header = new Int32Array(buffer, 0, HEADER / 4);
  const data = new Uint8Array(buffer, HEADER);
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  let id = 0;
  return (identifier, args, spin) => {
    id++;
    const identifierBytes = encoder.encode(identifier);
    const argsBytes = encoder.encode(JSON.stringify(args));
    data.set(identifierBytes);
    data.set(argsBytes, identifierBytes.byteLength);
    header[2] = identifierBytes.byteLength;
    header[3] = argsBytes.byteLength;
    Atomics.store(header, 1, id);
    Atomics.notify(header, 1);
    awaitAnswer(header, id, spin);
    return header[4]! < 0 ? null : JSON.parse(decoder.decode(data.slice(0, header[4])));
  };
}
