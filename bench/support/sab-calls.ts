/*
 * The hand-written SharedArrayBuffer calls the Worker benches (Node and Chromium) measure
 * jsinterop's sync path against. Int32 slots: STATE holds the id of the last call the page
 * answered; the caller names the call it wants answered in a request slot of its own.
 */

export const STATE = 0;
export const VALUE = 1;
export const REQUEST = 2;

/** The Worker's side: blocks until the page has answered call `id`, polling `spin` times before it sleeps in Atomics.wait. */
export function awaitAnswer(header: Int32Array, id: number, spin: number): void {
  let state = Atomics.load(header, STATE);
  for (let i = spin; state !== id && i > 0; i--) state = Atomics.load(header, STATE);
  while (state !== id) {
    Atomics.wait(header, STATE, state);
    state = Atomics.load(header, STATE);
  }
}

/**
 * The page's side: whenever `header[requestSlot]` names a call not answered yet, runs `answer`
 * and marks the call answered in STATE. After an answer it polls `pageSpin` times for the next
 * request before it waits with Atomics.waitAsync (the page must not block). Runs until `stop.stopped`.
 */
export function serveRequests(header: Int32Array, requestSlot: number, pageSpin: number, answer: () => void, stop = { stopped: false }): void {
  void (async () => {
    while (!stop.stopped) {
      const request = Atomics.load(header, requestSlot);
      if (request !== Atomics.load(header, STATE)) {
        answer();
        Atomics.store(header, STATE, request);
        Atomics.notify(header, STATE);
        for (let i = pageSpin; i > 0 && Atomics.load(header, requestSlot) === request; i--);
        continue;
      }
      const result = (Atomics as any).waitAsync(header, requestSlot, request);
      if (result.async) await result.value;
    }
  })();
}

/** The `sab-wait` call: the argument in VALUE, the call's id in REQUEST, the page woken by Atomics.notify; the page answers x + 2. */
export function sabWaitCall(buffer: SharedArrayBuffer): (x: number, spin: number) => number {
  const header = new Int32Array(buffer);
  let id = 0;
  return (x, spin) => {
    id++;
    header[VALUE] = x;
    Atomics.store(header, REQUEST, id);
    Atomics.notify(header, REQUEST);
    awaitAnswer(header, id, spin);
    return header[VALUE]!;
  };
}

/** The page's side of {@link sabWaitCall}. */
export function answerSabWait(buffer: SharedArrayBuffer, pageSpin: number, stop?: { stopped: boolean }): void {
  const header = new Int32Array(buffer);
  serveRequests(header, REQUEST, pageSpin, () => void (header[VALUE] = header[VALUE]! + 2), stop);
}
