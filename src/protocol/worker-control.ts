/*
 * Control messages of the Worker transport. They sit beside the interop message set
 * (src/protocol/messages.ts, types 0–29) and the server's control range (30–39) in the range
 * 40–49, and describe the channel itself rather than a dispatcher call. See docs/protocol.md,
 * "Worker transport".
 */

export const WorkerControl = {
  /**
   * host → page: [Ready, protocolVersion] — the host is listening now. A page that has not
   * been welcomed yet (re)sends its Hello: the first one may have been posted before the
   * Worker's script added its listener, and a browser drops messages nobody listens for.
   */
  Ready: 40,
  /** both ways: [Close, reason] — the sender is going away; settle everything with `reason`. */
  Close: 41,
} as const;

/**
 * A JS stream reference read by a Worker host (`openReadStream`): the page pushes its chunks
 * under a credit window instead of answering one call per chunk. The host starts a read with an
 * ordinary call of the page helper `pushStream(reference, readId, window, chunkSize, length)`
 * (which resolves the reference as any call does); then (docs/protocol.md, "Worker transport"):
 */
export const PushedStream = {
  /** page → host: [Chunk, readId, bytes] — the next chunk of the read; at most `window` beyond what the host has credited. */
  Chunk: 42,
  /** page → host: [End, readId, error] — the page stopped: null once it sent `length` bytes, else why it failed. */
  End: 43,
  /** host → page: [Credit, readId, chunks] — the host's reader took that many chunks: the page may send as many more. */
  Credit: 44,
  /** host → page: [Stop, readId] — the host no longer wants the read (cancelled, aborted, failed, disposed). */
  Stop: 45,
} as const;

export type Ready = [typeof WorkerControl.Ready, number];
export type Close = [typeof WorkerControl.Close, string];
export type WorkerControlMessage = Ready | Close;

/** True for a Worker control message of either kind, with arguments of the right types. */
export function isWorkerControl(message: unknown): message is WorkerControlMessage {
  if (!Array.isArray(message) || message.length !== 2) return false;
  if (message[0] === WorkerControl.Ready) return Number.isSafeInteger(message[1]);
  if (message[0] === WorkerControl.Close) return typeof message[1] === 'string';
  return false;
}
