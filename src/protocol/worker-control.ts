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
