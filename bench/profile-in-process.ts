/*
 * Where the in-process call time goes (not part of `npm run bench`; see docs/benchmarks.md).
 *
 *   node dist/bench/profile-in-process.js pieces          time the pieces of one call side by side
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof dist/bench/profile-in-process.js loop <case> [seconds]
 *        run one path in a loop for a CPU profile; <case> is one of LOOPS below
 *
 * It reaches into the runtime's internals (the core behind the façade, its codec) on purpose.
 */
import '../src/page/node-globals.js';
import { asInProcess, createInProcessRuntime, registerInvokables } from '../src/index.js';
import { PendingCalls } from '../src/host/pending-calls.js';
import { abortSignalsFor } from '../src/page/abort-signals.js';
import type { InteropCore } from '../src/host/core.js';
import type { DotNetNamespace } from '../src/page/official-package.js';
import { runSuite, type BenchCase } from './support/harness.js';

const PACKAGE_URL = import.meta.resolve('@microsoft/dotnet-js-interop');
const fresh = async (instance: string): Promise<DotNetNamespace> => ((await import(`${PACKAGE_URL}?instance=${instance}`)) as { DotNet: DotNetNamespace }).DotNet;

const g = globalThis as any;
g.benchAdd = (a: number, b: number): number => a + b;

const official = await fresh('profile-official');
const ours = await fresh('profile-ours');
const noop = () => {};
const add = (a: number, b: number): number => a + b;
const bare = official.attachDispatcher({
  // The minimal host of bench/in-process.ts, sync part only.
  invokeDotNetFromJS: (_assemblyName, _method, _id, argsJson) => JSON.stringify((add as (...args: any[]) => unknown)(...JSON.parse(argsJson))),
  beginInvokeDotNetFromJS: noop,
  endInvokeJSFromDotNet: noop,
  sendByteArray: noop,
});
const js = createInProcessRuntime({ DotNet: ours });
// The official dispatcher again, on an instance that also carries jsinterop's abort-signal reviver
// (createInProcessRuntime attaches it), to price that second reviver on the page's parse.
const withAbortReviver = await fresh('profile-abort-reviver');
abortSignalsFor(withAbortReviver);
const bare2 = withAbortReviver.attachDispatcher({ beginInvokeDotNetFromJS: noop, endInvokeJSFromDotNet: noop, sendByteArray: noop });
const ip = asInProcess(js);
const core = (js as unknown as { core: InteropCore }).core;
registerInvokables('Bench', { Add: (a: number, b: number) => a + b });

g.benchObject = (o: { id: number; tags: string[] }): number => o.id + o.tags.length;
g.benchBytes = (bytes: Uint8Array): number => bytes.length;
const OBJECT_ARG = { id: 42, name: 'widget', tags: ['a', 'b', 'c'], price: 9.99, inStock: true, owner: { name: 'Ada', id: 7 } };
const BYTES_ARG = new Uint8Array(1024);

const LOOPS: Record<string, () => unknown> = {
  'ours-sync': () => ip.invoke('benchAdd', 1, 2),
  'ours-sync-object': () => ip.invoke('benchObject', OBJECT_ARG),
  'ours-sync-bytes': () => ip.invoke('benchBytes', BYTES_ARG),
  'official-sync-bytes': () => {
    bare.receiveByteArray(0, BYTES_ARG);
    return JSON.parse(bare.invokeJSFromDotNet('benchBytes', JSON.stringify([{ '__byte[]': 0 }]), 0, 0, 1)!);
  },
  'ours-async': () => js.invokeAsync('benchAdd', 1, 2),
  'official-sync': () => JSON.parse(bare.invokeJSFromDotNet('benchAdd', JSON.stringify([1, 2]), 0, 0, 1)!),
  'ours-from-js-sync': () => ours.invokeMethod('Bench', 'Add', 1, 2),
  'official-from-js-sync': () => official.invokeMethod('Bench', 'Add', 1, 2),
};

const [mode = 'pieces', which = 'ours-sync', seconds = '5'] = process.argv.slice(2);

if (mode === 'loop') {
  const fn = LOOPS[which];
  if (!fn) throw new Error(`unknown loop '${which}'; one of ${Object.keys(LOOPS).join(', ')}`);
  const end = performance.now() + Number(seconds) * 1000;
  let calls = 0;
  while (performance.now() < end) {
    for (let i = 0; i < 10_000; i++) {
      const r = fn();
      if (r instanceof Promise) await r;
    }
    calls += 10_000;
  }
  console.log(`${which}: ${calls} calls in ${seconds} s`);
} else {
  // Every case spells out its own loop: a shared `loop(body)` helper would make its call of
  // `body()` megamorphic, and the pieces would then measure that call rather than themselves.
  const pending = new PendingCalls();
  const map = new Map<number, { resolve(v: unknown): void; reject(e: unknown): void }>();
  let nextHandle = 1;
  const cases: BenchCase[] = [
    {
      id: 'stringify',
      label: 'JSON.stringify([1, 2])',
      run(n) {
        let s = 0;
        for (let i = 0; i < n; i++) s += JSON.stringify([1, 2]).length;
        return s;
      },
    },
    {
      id: 'codec-stringify',
      label: 'ours: codec.stringifyArgs([1, 2])',
      run(n) {
        let s = 0;
        for (let i = 0; i < n; i++) s += core.codec.stringifyArgs('benchAdd', [1, 2]).length;
        return s;
      },
    },
    {
      id: 'stringify-object',
      label: 'JSON.stringify([object])  (the small object of the bench)',
      run(n) {
        let s = 0;
        for (let i = 0; i < n; i++) s += JSON.stringify([OBJECT_ARG]).length;
        return s;
      },
    },
    {
      id: 'codec-stringify-object',
      label: 'ours: codec.stringifyArgs([object])  (checking walk, then a plain stringify: no markers inside)',
      run(n) {
        let s = 0;
        for (let i = 0; i < n; i++) s += core.codec.stringifyArgs('benchObject', [OBJECT_ARG]).length;
        return s;
      },
    },
    {
      id: 'parse',
      label: "JSON.parse('3')",
      run(n) {
        let s = 0;
        for (let i = 0; i < n; i++) s += JSON.parse('3');
        return s;
      },
    },
    {
      id: 'codec-parse',
      label: "ours: codec.parse('3')",
      run(n) {
        let s = 0;
        for (let i = 0; i < n; i++) s += core.codec.parse('3') as number;
        return s;
      },
    },
    {
      id: 'page-sync',
      label: "official dispatcher alone: invokeJSFromDotNet('benchAdd', '[1,2]')",
      run(n) {
        let s = 0;
        for (let i = 0; i < n; i++) s += bare.invokeJSFromDotNet('benchAdd', '[1,2]', 0, 0, 1)!.length;
        return s;
      },
    },
    {
      id: 'page-sync-2',
      label: 'the same, on an instance with the abort-signal reviver attached',
      run(n) {
        let s = 0;
        for (let i = 0; i < n; i++) s += bare2.invokeJSFromDotNet('benchAdd', '[1,2]', 0, 0, 1)!.length;
        return s;
      },
    },
    {
      id: 'official-sync',
      label: 'official, sync, by hand (stringify + dispatcher + parse)',
      run(n) {
        let s = 0;
        for (let i = 0; i < n; i++) s += JSON.parse(bare.invokeJSFromDotNet('benchAdd', JSON.stringify([1, 2]), 0, 0, 1)!);
        return s;
      },
    },
    {
      id: 'core-sync',
      label: 'ours: core.callSync (no façade)',
      run(n) {
        let s = 0;
        for (let i = 0; i < n; i++) s += core.callSync(0, 'benchAdd', [1, 2], 0, 1);
        return s;
      },
    },
    {
      id: 'ours-sync',
      label: "ours: ip.invoke('benchAdd', 1, 2)",
      run(n) {
        let s = 0;
        for (let i = 0; i < n; i++) s += ip.invoke<number>('benchAdd', 1, 2);
        return s;
      },
    },
    {
      id: 'pending',
      label: 'ours: PendingCalls add + take + resolve (no await)',
      run(n) {
        let s = 0;
        for (let i = 0; i < n; i++) {
          const { handle } = pending.add('benchAdd', 0, undefined, undefined, noop);
          pending.take(handle)!.resolve(3);
          s += handle;
        }
        return s;
      },
    },
    {
      id: 'promise-map',
      label: 'hand: new Promise + Map set/get/delete + resolve (no await)',
      run(n) {
        let s = 0;
        for (let i = 0; i < n; i++) {
          const h = nextHandle++;
          void new Promise((resolve, reject) => map.set(h, { resolve, reject }));
          const call = map.get(h)!;
          map.delete(h);
          call.resolve(3);
          s += h;
        }
        return s;
      },
    },
    {
      id: 'await',
      label: 'await of an already-resolved promise',
      async run(n) {
        let s = 0;
        for (let i = 0; i < n; i++) s += await Promise.resolve(i);
        return s;
      },
    },
  ];
  await runSuite({ suite: 'In-process call, piece by piece', cases, references: ['official-sync', 'page-sync'] });
}
