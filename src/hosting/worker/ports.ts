/*
 * One view of everything a Worker channel can run over: a browser Worker or its global scope
 * (`self`), a Node worker_threads Worker or its `parentPort`, and MessagePorts of either kind.
 * Node's objects are event emitters that hand listeners the message itself; the browser's are
 * event targets that hand them a MessageEvent. Failure events differ too, and are mapped here
 * to one "the other side is gone" callback. (Page bundles include this file: kept small.)
 */

/** Anything with postMessage: a Worker (browser or Node), a MessagePort, a Worker's `self`, Node's `parentPort`. */
export interface MessageTarget {
  postMessage(message: any, transfer?: any): void;
}

type Listener = (value: any) => void;

/** Subscribes to `event`; a message listener receives the data, not the MessageEvent. Returns the unsubscribe. */
export function listen(target: MessageTarget, event: string, listener: Listener): () => void {
  const t = target as any;
  if (typeof t.on === 'function') {
    t.on(event, listener);
    return () => t.off(event, listener);
  }
  const wrapped: Listener = event === 'message' ? (e: MessageEvent) => listener(e.data) : listener;
  t.addEventListener(event, wrapped);
  if (event === 'message') t.start?.(); // a MessagePort delivers nothing until started
  return () => t.removeEventListener(event, wrapped);
}

/** The channel to the page from inside a Worker: `self` in a browser, `parentPort` in Node. */
export function defaultPagePort(): MessageTarget {
  const g = globalThis as any;
  if (typeof g.WorkerGlobalScope === 'function' && g instanceof g.WorkerGlobalScope) return g;
  const threads = g.process?.getBuiltinModule?.('node:worker_threads');
  if (threads?.parentPort) return threads.parentPort;
  throw new TypeError(
    'connectToPage() runs inside a Worker (a browser module Worker, or a Node worker_threads Worker) and found none here. ' +
      'Start this script with new Worker(...), or pass { port } to connect over a MessagePort.',
  );
}

/**
 * Calls `gone(reason)` once the other side of `target` can no longer answer: a Node Worker
 * that failed or exited, a Node port that closed, a browser Worker that failed to load (an
 * `error` before `started()`, explained by start-failure.ts with the help of `scriptUrl`; later
 * ones are uncaught exceptions in the Worker, which goes on, so they go to `onError`) or was
 * terminated. A browser fires no event on terminate(), so the instance's terminate is wrapped
 * for as long as the watch lasts. Returns the stop function.
 */
export function watchPeer(
  target: MessageTarget,
  gone: (reason: string) => void,
  started: () => boolean,
  onError?: (error: unknown) => void,
  scriptUrl?: string | URL,
): () => void {
  const t = target as any;
  const node = typeof t.on === 'function';
  const stops = [
    listen(target, 'messageerror', (error) => onError?.(error)),
    listen(target, node ? 'close' : 'error', (event) => {
      if (node) return gone('The channel was closed.');
      if (started()) return onError?.(event);
      // Loaded only when a Worker fails to start, so no page that starts its Worker ships the diagnosis.
      void import('./start-failure.js').then(({ describeStartFailure }) => describeStartFailure(event, scriptUrl)).then(gone);
    }),
  ];
  if (node && typeof t.threadId === 'number') {
    // A Node Worker, seen from the thread that created it.
    stops.push(listen(target, 'error', (error: Error) => gone(`The Worker failed${started() ? '' : ' to start'}: ${errorText(error)}`)));
    stops.push(listen(target, 'exit', (code: number) => gone(`The Worker exited (exit code ${code}).`)));
  }
  if (typeof t.terminate === 'function' && !Object.hasOwn(t, 'terminate')) {
    const terminate = t.terminate;
    t.terminate = function (this: unknown, ...args: unknown[]) {
      const result = terminate.apply(this, args);
      gone('The Worker was terminated.');
      return result;
    };
    stops.push(() => delete t.terminate);
  }
  return () => stops.forEach((stop) => stop());
}

/** An error's message, with its name when that says more than "Error" (a SyntaxError's message alone does not say it is one). */
function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.name === 'Error' || error.message.startsWith(error.name) ? error.message : `${error.name}: ${error.message}`;
}
