/*
 * Credit for a stream whose chunks cross under a window (host streams to a server or Worker page,
 * page streams pushed to a Worker host). The receiving side grants it for the chunks its reader has
 * taken out of the ReadableStream's queue, not per pull: the stream pulls both when a chunk arrives
 * and when one is read, so counting pulls granted about twice the chunks read and let the sender
 * run ahead of the reader without bound. It grants in batches of half the window, so the sender
 * keeps sending while the reader reads, with one message per batch rather than per chunk.
 */

/**
 * Tracks the credit of one stream whose queue holds up to `window` chunks. The function it returns
 * takes the chunks enqueued so far and the controller's `desiredSize`, and gives the credit to
 * grant now (counted as granted), or 0 while less than half a window is owed.
 */
export function streamCredit(window: number): (enqueued: number, desiredSize: number | null) => number {
  let credited = 0;
  return (enqueued, desiredSize) => {
    const taken = enqueued - (window - (desiredSize ?? window));
    const owed = taken - credited;
    if (owed < Math.max(1, window >> 1)) return 0;
    credited = taken;
    return owed;
  };
}
