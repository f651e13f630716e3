/*
 * In-process bench: the cost of one interop call when host and page share a thread, next to
 * the floor (a direct call), a bare JSON round trip, and the official page package driven by a
 * minimal hand-written host (what a host that does nothing beyond the wire contract pays).
 *
 * The hand-driven baselines and our runtime each get their own instance of
 * @microsoft/dotnet-js-interop (imported with a `?instance=` query string), so the two
 * dispatchers share no JS object ids, revivers or default dispatcher (attaching two to one
 * instance makes the package's static `DotNet.invokeMethod` ambiguous).
 */
import '../src/page/node-globals.js'; // window / document.baseURI, before the package is evaluated
import { asInProcess, createInProcessRuntime, registerInvokables } from '../src/index.js';
import type { DotNetNamespace } from '../src/page/official-package.js';
import { runSuite, type BenchCase, type BenchRow } from './support/harness.js';

type CallDispatcher = ReturnType<DotNetNamespace['attachDispatcher']>;

const PACKAGE_URL = import.meta.resolve('@microsoft/dotnet-js-interop');

/** A module instance of the official package of its own. */
async function freshPackage(instance: string): Promise<DotNetNamespace> {
  const module = (await import(`${PACKAGE_URL}?instance=${instance}`)) as { DotNet: DotNetNamespace };
  return module.DotNet;
}

// ---- what the page offers (on window, which the package resolves identifiers against) ----

const add = (a: number, b: number): number => a + b;
const g = globalThis as any;
g.benchAdd = add;
g.benchObject = (o: { id: number; tags: string[] }): number => o.id + o.tags.length;
g.benchBytes = (bytes: Uint8Array): number => bytes.length;

/** A small object argument: a few fields of each JSON type. */
const OBJECT_ARG = { id: 42, name: 'widget', tags: ['a', 'b', 'c'], price: 9.99, inStock: true, owner: { name: 'Ada', id: 7 } };
/** A 1 KiB byte array argument: out of band (receiveByteArray) plus a `{"__byte[]": id}` marker. */
const BYTES_ARG = new Uint8Array(1024).map((_, i) => i & 0xff);

// ---- the hand-written minimal host for the official dispatcher ----

interface Deferred {
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/**
 * The least a host can do and still drive the official dispatcher: JSON.stringify the
 * arguments, JSON.parse the answers, a Map of pending promises for async calls, and a
 * Map of invokables for calls from the page. No markers beyond the byte-array one, no
 * validation, no timeouts, no statistics.
 */
function createHandHost(DotNet: DotNetNamespace) {
  const pending = new Map<number, Deferred>();
  let nextHandle = 1;
  const invokables = new Map<string, Map<string, (...args: any[]) => unknown>>([['Bench', new Map([['Add', add as (...args: any[]) => unknown]])]]);
  const find = (assemblyName: string | null, method: string) => {
    const fn = invokables.get(assemblyName!)?.get(method);
    if (!fn) throw new Error(`no invokable ${assemblyName}.${method}`);
    return fn;
  };
  const dispatcher: CallDispatcher = DotNet.attachDispatcher({
    invokeDotNetFromJS(assemblyName, methodIdentifier, _dotNetObjectId, argsJson) {
      const result = find(assemblyName, methodIdentifier)(...JSON.parse(argsJson));
      return result === undefined || result === null ? null : JSON.stringify(result);
    },
    beginInvokeDotNetFromJS(callId, assemblyName, methodIdentifier, _dotNetObjectId, argsJson) {
      let result: unknown;
      try {
        result = find(assemblyName, methodIdentifier)(...JSON.parse(argsJson));
      } catch (error) {
        dispatcher.endInvokeDotNetFromJS(String(callId), false, String(error));
        return;
      }
      if (result instanceof Promise) {
        result.then(
          (value) => dispatcher.endInvokeDotNetFromJS(String(callId), true, JSON.stringify(value ?? null)),
          (error) => dispatcher.endInvokeDotNetFromJS(String(callId), false, String(error)),
        );
      } else {
        dispatcher.endInvokeDotNetFromJS(String(callId), true, JSON.stringify(result ?? null));
      }
    },
    endInvokeJSFromDotNet(_asyncHandle, _succeeded, resultOrError) {
      // resultOrError is the JSON text of the triple [asyncHandle, succeeded, payload].
      const [handle, succeeded, payload] = JSON.parse(resultOrError);
      const call = pending.get(handle)!;
      pending.delete(handle);
      if (succeeded) call.resolve(payload);
      else call.reject(new Error(payload));
    },
    sendByteArray() {},
  });
  return {
    dispatcher,
    invoke(identifier: string, argsJson: string): any {
      const json = dispatcher.invokeJSFromDotNet(identifier, argsJson, 0, 0, 1);
      return json === null ? null : JSON.parse(json);
    },
    invokeAsync(identifier: string, argsJson: string): Promise<any> {
      const handle = nextHandle++;
      const promise = new Promise((resolve, reject) => pending.set(handle, { resolve, reject }));
      void dispatcher.beginInvokeJSFromDotNet(handle, identifier, argsJson, 0, 0, 1);
      return promise;
    },
  };
}

export async function run(): Promise<BenchRow[]> {
  const official = await freshPackage('bench-official');
  const ours = await freshPackage('bench-ours');
  const hand = createHandHost(official);
  const js = createInProcessRuntime({ DotNet: ours });
  const ip = asInProcess(js);
  // The same runtime with every call through the package's dispatcher: what the direct path saves.
  const viaDispatcher = createInProcessRuntime({ DotNet: await freshPackage('bench-ours-dispatcher'), directCalls: false });
  const ipViaDispatcher = asInProcess(viaDispatcher);
  const unregister = registerInvokables('Bench', { Add: (a: number, b: number) => a + b });

  const HOST_TO_JS = 'host → JS (call benchAdd(1, 2) on the page)';
  const PAYLOADS = 'host → JS, sync, with a payload';
  const JS_TO_HOST = "JS → host (DotNet.invokeMethod[Async]('Bench', 'Add', 1, 2))";

  const cases: BenchCase[] = [
    {
      id: 'direct',
      label: 'direct JS call add(1, 2)',
      group: HOST_TO_JS,
      run(n) {
        let s = 0;
        for (let i = 0; i < n; i++) s += add(1, 2);
        return s;
      },
    },
    {
      id: 'json',
      label: 'bare JSON round trip (stringify/parse args, call, stringify/parse result)',
      group: HOST_TO_JS,
      run(n) {
        let s = 0;
        for (let i = 0; i < n; i++) {
          const args = JSON.parse(JSON.stringify([1, 2]));
          s += JSON.parse(JSON.stringify(add(...(args as [number, number]))));
        }
        return s;
      },
    },
    {
      id: 'official-sync',
      label: 'official dispatcher, sync, by hand (invokeJSFromDotNet + JSON)',
      group: HOST_TO_JS,
      run(n) {
        let s = 0;
        for (let i = 0; i < n; i++) s += hand.invoke('benchAdd', JSON.stringify([1, 2]));
        return s;
      },
    },
    {
      id: 'ours-sync',
      label: "ours: asInProcess(js).invoke('benchAdd', 1, 2)",
      group: HOST_TO_JS,
      baseline: 'official-sync',
      target: 0.5,
      run(n) {
        let s = 0;
        for (let i = 0; i < n; i++) s += ip.invoke<number>('benchAdd', 1, 2);
        return s;
      },
    },
    {
      id: 'ours-sync-dispatcher',
      label: 'ours, { directCalls: false }: the same call through the package dispatcher',
      group: HOST_TO_JS,
      baseline: 'official-sync',
      run(n) {
        let s = 0;
        for (let i = 0; i < n; i++) s += ipViaDispatcher.invoke<number>('benchAdd', 1, 2);
        return s;
      },
    },
    {
      id: 'official-async',
      label: 'official dispatcher, async, by hand (beginInvokeJSFromDotNet + pending map)',
      group: HOST_TO_JS,
      async run(n) {
        let s = 0;
        for (let i = 0; i < n; i++) s += await hand.invokeAsync('benchAdd', JSON.stringify([1, 2]));
        return s;
      },
    },
    {
      id: 'ours-async',
      label: "ours: await js.invokeAsync('benchAdd', 1, 2), one at a time",
      group: HOST_TO_JS,
      baseline: 'official-async',
      target: 0.6,
      async run(n) {
        let s = 0;
        for (let i = 0; i < n; i++) s += await js.invokeAsync<number>('benchAdd', 1, 2);
        return s;
      },
    },
    {
      id: 'ours-async-dispatcher',
      label: 'ours, { directCalls: false }: the same async call through the package dispatcher',
      group: HOST_TO_JS,
      baseline: 'official-async',
      async run(n) {
        let s = 0;
        for (let i = 0; i < n; i++) s += await viaDispatcher.invokeAsync<number>('benchAdd', 1, 2);
        return s;
      },
    },
    {
      id: 'official-sync-object',
      label: 'official, sync, by hand, small object argument',
      group: PAYLOADS,
      run(n) {
        let s = 0;
        for (let i = 0; i < n; i++) s += hand.invoke('benchObject', JSON.stringify([OBJECT_ARG]));
        return s;
      },
    },
    {
      id: 'ours-sync-object',
      label: "ours: invoke('benchObject', {6 fields, nested})",
      group: PAYLOADS,
      baseline: 'official-sync-object',
      run(n) {
        let s = 0;
        for (let i = 0; i < n; i++) s += ip.invoke<number>('benchObject', OBJECT_ARG);
        return s;
      },
    },
    {
      id: 'official-sync-bytes',
      label: 'official, sync, by hand, 1 KiB Uint8Array (receiveByteArray + marker)',
      group: PAYLOADS,
      run(n) {
        let s = 0;
        for (let i = 0; i < n; i++) {
          hand.dispatcher.receiveByteArray(0, BYTES_ARG);
          s += hand.invoke('benchBytes', JSON.stringify([{ '__byte[]': 0 }]));
        }
        return s;
      },
    },
    {
      id: 'ours-sync-bytes',
      label: "ours: invoke('benchBytes', 1 KiB Uint8Array)",
      group: PAYLOADS,
      baseline: 'official-sync-bytes',
      run(n) {
        let s = 0;
        for (let i = 0; i < n; i++) s += ip.invoke<number>('benchBytes', BYTES_ARG);
        return s;
      },
    },
    {
      id: 'official-from-js-sync',
      label: 'official + hand-written host: DotNet.invokeMethod',
      group: JS_TO_HOST,
      run(n) {
        let s = 0;
        for (let i = 0; i < n; i++) s += official.invokeMethod<number>('Bench', 'Add', 1, 2)!;
        return s;
      },
    },
    {
      id: 'ours-from-js-sync',
      label: 'ours: DotNet.invokeMethod → registerInvokables',
      group: JS_TO_HOST,
      baseline: 'official-from-js-sync',
      run(n) {
        let s = 0;
        for (let i = 0; i < n; i++) s += ours.invokeMethod<number>('Bench', 'Add', 1, 2)!;
        return s;
      },
    },
    {
      id: 'official-from-js-async',
      label: 'official + hand-written host: await DotNet.invokeMethodAsync',
      group: JS_TO_HOST,
      async run(n) {
        let s = 0;
        for (let i = 0; i < n; i++) s += await official.invokeMethodAsync<number>('Bench', 'Add', 1, 2);
        return s;
      },
    },
    {
      id: 'ours-from-js-async',
      label: 'ours: await DotNet.invokeMethodAsync → registerInvokables',
      group: JS_TO_HOST,
      baseline: 'official-from-js-async',
      async run(n) {
        let s = 0;
        for (let i = 0; i < n; i++) s += await ours.invokeMethodAsync<number>('Bench', 'Add', 1, 2);
        return s;
      },
    },
  ];

  // Each path once, so a broken path fails loudly here instead of being timed.
  for (const c of cases) {
    const value = await c.run(1);
    const want = c.id.endsWith('-object') ? 45 : c.id.endsWith('-bytes') ? 1024 : 3;
    if (value !== want) throw new Error(`bench case '${c.id}' computed ${String(value)}, expected ${want}`);
  }

  try {
    return await runSuite({ suite: 'In-process (host and page share one thread)', cases, references: ['direct', 'json'] });
  } finally {
    unregister();
    const stats = js.stats();
    const dispatcherStats = viaDispatcher.stats();
    if (dispatcherStats.pendingCalls !== 0 || dispatcherStats.jsObjectReferences !== 0) console.warn('in-process bench: unexpected leftovers', dispatcherStats);
    if (stats.pendingCalls !== 0 || stats.jsObjectReferences !== 0) console.warn('in-process bench: unexpected leftovers', stats);
  }
}
