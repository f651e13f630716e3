/*
 * A fresh page per test: a new instance of the official @microsoft/dotnet-js-interop package
 * (its JS object table, ids and default dispatcher are module-global, so sharing one instance
 * would let tests see each other's ids), a runtime attached to it in the test's hosting model
 * (support/hosting-models.ts), and a log of everything that crosses the dispatcher contract in
 * either direction.
 *
 * The log is taken by wrapping the real package's objects, never by replacing them: every
 * call still reaches the official dispatcher, and the tests can assert the exact wire JSON.
 * The dispatcher contract is the same whatever carries it, so the log reads the same in every
 * model: in the Worker model it records what the page channel asks of the dispatcher.
 */
import '../../src/page/node-globals.js';
import { createInProcessRuntime, type IJSInProcessRuntime, type InProcessRuntimeOptions, type IJSRuntime, type InteropStats, type RuntimeOptions } from '../../src/index.js';
import { modelOf, type HostingModel, type ModelContext } from './hosting-models.js';
import { connectOverChannel } from './worker-channel.js';
import type { DotNetNamespace } from '../../src/page/official-package.js';
import type { TestContext } from 'node:test';

/** One crossing of the dispatcher contract. `toPage`: the host called the page; `toHost`: the reverse. */
export interface WireEntry {
  readonly direction: 'toPage' | 'toHost';
  readonly method: string;
  readonly args: readonly any[];
}

/** The page's `CallDispatcher` (not exported by the package at run time, so typed loosely). */
export type PageDispatcher = ReturnType<DotNetNamespace['attachDispatcher']> & {
  invokeDotNetMethod(assemblyName: string | null, methodIdentifier: string, dotNetObjectId: number | null, args: unknown[] | null): unknown;
  invokeDotNetMethodAsync(assemblyName: string | null, methodIdentifier: string, dotNetObjectId: number | null, args: unknown[] | null): Promise<unknown>;
};

export interface Page {
  /** How the runtime reaches the page. */
  readonly model: HostingModel;
  /** The fresh instance of the official package; its `DotNetObject` class is this instance's own. */
  readonly DotNet: DotNetNamespace;
  /** The runtime under test, attached to {@link DotNet}. */
  readonly js: IJSRuntime;
  /** The page's dispatcher that `js` drives, for page-side calls the public `DotNet` API does not offer. */
  readonly dispatcher: PageDispatcher;
  /** Everything that crossed the contract, in order. */
  readonly wire: WireEntry[];
  /** The argument lists of every crossing of `method` (e.g. 'beginInvokeJSFromDotNet'). */
  calls(method: string): any[][];
  /** Puts `value` on the page's global object (`window`) for the duration of the test. */
  define(name: string, value: unknown): void;
}

/** A page whose runtime shares its thread, so it has the synchronous API too. */
export interface InProcessPage extends Page {
  readonly model: 'in-process';
  readonly js: IJSInProcessRuntime;
}

let instances = 0;

/** Loads a new, independent instance of the official package (ids restart at 1, no dispatcher attached). */
export async function freshDotNet(): Promise<DotNetNamespace> {
  const url = `${import.meta.resolve('@microsoft/dotnet-js-interop')}?instance=${++instances}`;
  const module: { DotNet: DotNetNamespace } = await import(url);
  return module.DotNet;
}

const HOST_METHODS = ['invokeDotNetFromJS', 'beginInvokeDotNetFromJS', 'endInvokeJSFromDotNet', 'sendByteArray'] as const;
const PAGE_METHODS = ['invokeJSFromDotNet', 'beginInvokeJSFromDotNet', 'endInvokeDotNetFromJS', 'receiveByteArray', 'supplyDotNetStream'] as const;

/** Replaces `target[name]` with a function that logs and then calls the original with the same `this`. */
function tap(target: any, name: string, log: (args: any[]) => void): void {
  const original = target[name];
  if (typeof original !== 'function') return;
  target[name] = function (this: unknown, ...args: any[]) {
    log(args);
    return original.apply(this, args);
  };
}

/**
 * Wraps a package instance so that the dispatcher it attaches logs both directions.
 * Returns the namespace to hand to `createInProcessRuntime` and a getter for the page dispatcher.
 */
export function recordWire(DotNet: DotNetNamespace, wire: WireEntry[]): { DotNet: DotNetNamespace; dispatcher: () => PageDispatcher } {
  let attached: PageDispatcher | undefined;
  const recorded: DotNetNamespace = {
    ...DotNet,
    attachDispatcher(host) {
      const tappedHost: any = { ...host };
      for (const name of HOST_METHODS) tap(tappedHost, name, (args) => wire.push({ direction: 'toHost', method: name, args }));
      const dispatcher = DotNet.attachDispatcher(tappedHost) as PageDispatcher;
      for (const name of PAGE_METHODS) tap(dispatcher, name, (args) => wire.push({ direction: 'toPage', method: name, args }));
      attached = dispatcher;
      return dispatcher;
    },
    disposeJSObjectReferenceById(id: number) {
      wire.push({ direction: 'toPage', method: 'disposeJSObjectReferenceById', args: [id] });
      DotNet.disposeJSObjectReferenceById(id);
    },
  };
  return {
    DotNet: recorded,
    dispatcher: () => {
      if (!attached) throw new Error('no dispatcher was attached yet');
      return attached;
    },
  };
}

/**
 * The runtime's options, and `directCalls` for the page (createInProcessRuntime's and hostInWorker's
 * option); `streamChunkSize` is createInProcessRuntime's only.
 */
export type PageOptions = RuntimeOptions & Pick<InProcessRuntimeOptions, 'directCalls' | 'streamChunkSize'>;

/**
 * Opens a page for one test: a fresh package instance and a runtime attached to it, in the
 * test's hosting model (in-process unless the test was registered for every model).
 * Globals defined with `page.define` are removed when the test ends.
 */
export function openPage(t: ModelContext, options?: PageOptions): Promise<Page>;
export function openPage(t: TestContext, options?: PageOptions): Promise<InProcessPage>;
export async function openPage(t: TestContext, options: PageOptions = {}): Promise<Page> {
  const DotNet = await freshDotNet();
  const wire: WireEntry[] = [];
  const recorder = recordWire(DotNet, wire);
  const model = modelOf(t);
  const js = model === 'in-process' ? createInProcessRuntime({ ...options, DotNet: recorder.DotNet }) : await connectOverChannel(t, recorder.DotNet, options);
  const defined: string[] = [];
  t.after(() => {
    for (const name of defined) delete (globalThis as any)[name];
  });
  return {
    model,
    DotNet,
    js,
    dispatcher: recorder.dispatcher(),
    wire,
    calls: (method) => wire.filter((entry) => entry.method === method).map((entry) => [...entry.args]),
    define(name, value) {
      if (name in globalThis) throw new Error(`the page global '${name}' already exists; pick another name`);
      (globalThis as any)[name] = value;
      defined.push(name);
    },
  };
}

/**
 * A page whose calls all cross the package dispatcher, for tests that read the wire: the
 * dispatcher's calls are its contract. Otherwise calls without markers, or with only the
 * package's own, take the direct path and do not cross it (test/hosting/in-process/direct-calls.test.ts
 * shows that they observe the same).
 */
export function openWirePage(t: ModelContext): Promise<Page>;
export function openWirePage(t: TestContext): Promise<InProcessPage>;
export function openWirePage(t: TestContext): Promise<Page> {
  return openPage(t, { directCalls: false });
}

/**
 * Resolves once each side has handled everything the other sent before now. Some page calls are
 * fire and forget (DotNetObject.dispose()), and so are the host's answers to them. Messages keep
 * their order, so a host-to-page call answered shows the host has handled what the page sent
 * before; a second one, sent after the host answered those, shows the page has the answers.
 * These are calls like any other: a test that counts calls counts them too.
 */
export async function roundTrip(page: Page): Promise<void> {
  await page.js.invokeVoidAsync('Array.isArray');
  await page.js.invokeVoidAsync('Array.isArray');
}

/**
 * Blazor releases a JS object with an async call of "DotNet.disposeJSObjectReferenceById" on
 * window, which the page resolves through window.DotNet the first time and keeps from then on
 * (the handler cache, test/host/calls.test.ts). A real page has one DotNet; simulated pages
 * (Worker channel, server clients) each have their own instance in one Node global, and a test
 * may hold several, so without this every page would release its objects in the first page's
 * table. Call it on a fresh instance before it is connected: it resolves the identifier now,
 * while window.DotNet is briefly its own.
 */
export function resolveReleasesOnOwnInstance(DotNet: DotNetNamespace): void {
  const g = globalThis as { DotNet?: unknown };
  const previous = g.DotNet;
  g.DotNet = DotNet;
  try {
    DotNet.findJSFunction('DotNet.disposeJSObjectReferenceById', 0);
  } finally {
    if (previous === undefined) delete g.DotNet;
    else g.DotNet = previous;
  }
}

/** The stats of a runtime that has made no call and holds nothing. */
export const UNUSED_STATS: InteropStats = {
  jsObjectReferences: 0,
  hostObjectReferences: 0,
  pendingCalls: 0,
  pendingCallsFromJS: 0,
  callsToJS: 0,
  callsFromJS: 0,
};

/** A promise with its settle functions, for page functions that finish when the test says so. */
export function deferred<T = unknown>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** The file URL of a compiled fixture module (test/fixtures/<name>.ts → dist/test/fixtures/<name>.js). */
export function fixtureUrl(name: string): string {
  return new URL(`../fixtures/${name}`, import.meta.url).href;
}

/** Reads a whole stream into one byte array. */
export async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Bytes 0, 1, 2, … (mod 256), so that misplaced chunks change the content. */
export function patternBytes(length: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 7 + (i >> 8)) & 0xff;
  return bytes;
}
