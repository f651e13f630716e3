/*
 * One dispatcher per page that the official package sees, however many connections the page
 * opens one after another (a retried connectToServer, a new circuit after one ended).
 *
 * Why: the package resolves static calls (`DotNet.invokeMethod[Async](assembly, method)`)
 * through a default dispatcher. `attachDispatcher` makes the first dispatcher attached the
 * default and, from the second on, sets the default to null for good ("There are multiple .NET
 * runtimes present…"); it has no way to detach one. A page that attached a dispatcher per
 * connection attempt therefore lost static calls forever after its second attempt.
 *
 * So a namespace gets one attached dispatcher, the front, whose static calls go to the
 * connection that is live. Each connection still gets a dispatcher of its own, built with the
 * front's class (its constructor registers nothing with the package): a DotNetObject keeps the
 * dispatcher that revived it, so it keeps calling the circuit it came from, and after that
 * circuit ended its calls fail with that circuit's reason instead of reaching an object of the
 * new circuit that happens to have the same id (object ids are per circuit).
 */
import type { DotNetNamespace } from './official-package.js';

type CallDispatcher = ReturnType<DotNetNamespace['attachDispatcher']>;
type HostDispatcher = Parameters<DotNetNamespace['attachDispatcher']>[0];

export interface DispatcherSuccession {
  /** A dispatcher for a new connection; while it is the only live one, static calls go to it. */
  attach(host: HostDispatcher): CallDispatcher;
  /** Its connection failed or ended: static calls go to it no more (while none is live, they fail with the latest one's reason). */
  retire(dispatcher: CallDispatcher): void;
}

/** The package's own texts, so that a page sees the same errors it would without the front. */
const NONE = 'No call dispatcher has been set.';
const SEVERAL = 'There are multiple .NET runtimes present, so a default dispatcher could not be resolved. Use DotNetObject to invoke .NET instance methods.';

const successions = new WeakMap<DotNetNamespace, DispatcherSuccession>();

/** The succession of `DotNet` (one per package instance, created with its front on first use). */
export function dispatcherSuccession(DotNet: DotNetNamespace): DispatcherSuccession {
  let succession = successions.get(DotNet);
  if (!succession) successions.set(DotNet, (succession = createSuccession(DotNet)));
  return succession;
}

function createSuccession(DotNet: DotNetNamespace): DispatcherSuccession {
  const live: CallDispatcher[] = [];
  let last: CallDispatcher | undefined; // the latest attached: static calls fail with its reason once it retired
  const current = (): CallDispatcher => {
    if (live.length > 1) throw new Error(SEVERAL); // two circuits at once: as ambiguous as two runtimes
    const dispatcher = live[0] ?? last;
    if (!dispatcher) throw new Error(NONE);
    return dispatcher;
  };
  // Only static calls reach the front (the package asks its default for nothing else).
  const refuse = (): never => {
    throw new Error(NONE);
  };
  const front = DotNet.attachDispatcher({ beginInvokeDotNetFromJS: refuse, endInvokeJSFromDotNet: refuse, sendByteArray: refuse });
  front.invokeDotNetStaticMethod = (assembly, method, ...args) => current().invokeDotNetStaticMethod(assembly, method, ...args);
  front.invokeDotNetStaticMethodAsync = (assembly, method, ...args) => current().invokeDotNetStaticMethodAsync(assembly, method, ...args);
  // The package does not export its dispatcher class; the front is one of its instances.
  const Dispatcher = front.constructor as new (host: HostDispatcher) => CallDispatcher;
  return {
    attach(host) {
      const dispatcher = new Dispatcher(host);
      live.push(dispatcher);
      last = dispatcher;
      return dispatcher;
    },
    retire(dispatcher) {
      const index = live.indexOf(dispatcher);
      if (index >= 0) live.splice(index, 1);
    },
  };
}
