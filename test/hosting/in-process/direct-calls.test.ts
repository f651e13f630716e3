/*
 * The in-process direct path (src/page/direct-calls.ts) against the package's dispatcher, side by
 * side: every generated scenario runs twice, on two fresh and identical pages (a new instance of
 * the official package each, the same page objects built by the same code), once with the direct
 * path and once with `directCalls: false`, and everything either side can observe must be equal:
 * what each call returned or threw on the host (value, byte arrays, references and their ids,
 * exception type, message and JS stack), what the page functions saw and did (their arguments,
 * `this`, getters, setters, toJSON and Proxy traps run, in order), the page's objects afterwards,
 * the page's reference table (which ids exist, the next id) and the host's stats.
 *
 * Stacks: the direct path runs a function two frames below the glue's entry, as the package does,
 * so a stack may differ only in the text of those frames (the package's processJSCall and
 * invokeJSFromDotNet, the direct path's callPage and invoke, and the glue's entry, whose column
 * differs); each is replaced by one placeholder line before comparing, so their number and
 * place must still agree.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createInProcessRuntime, JSException, pageAbortSignal, type IJSInProcessRuntime } from '../../../src/index.js';
import { JSObjectReference } from '../../../src/host/js-object-reference.js';
import { JSStreamReference } from '../../../src/host/js-stream-reference.js';
import { freshDotNet } from '../../support/page.js';
import type { InteropCore } from '../../../src/host/core.js';
import type { DotNetNamespace } from '../../../src/page/official-package.js';

// ---- what a scenario is made of (plain data, so fast-check can print and shrink it) ----

type Special =
  | 'undefined'
  | 'NaN'
  | 'Infinity'
  | '-Infinity'
  | '-0'
  | 'sparse'
  | 'date'
  | 'deep100'
  | 'deep300'
  | 'markerKey'
  | 'hasOwnPropertyKey'
  | 'elementKey'
  | 'quotes'
  | 'bytes'
  | 'nestedBytes'
  | 'reference';

type ResultSpecial =
  | Special
  | 'toJSON'
  | 'getter'
  | 'proxy'
  | 'bigint'
  | 'cycle'
  | 'function'
  | 'symbol'
  | 'promise'
  | 'rejectingThenable'
  | 'dotNetObject'
  | 'loneSurrogate'
  | 'args'
  | 'this';

type Value = { json: unknown } | { special: Special };
type Result = { json: unknown } | { special: ResultSpecial };
type Thrown = 'Error' | 'TypeError' | 'multiline' | 'string' | 'number' | 'null' | 'undefined' | 'object' | 'toString' | 'noStack';
type Behavior = { returns: Result; mutatesArgs: boolean } | { throws: Thrown };

const MEMBERS = [
  'f0',
  'f1',
  'f2',
  'ns.inner.fn',
  'ns.missing.fn',
  'ns.inner',
  'counted',
  'data',
  'Widget',
  'notFn',
  'readOnly',
  'absent',
] as const;

interface Call {
  /** 'window': `fx.<member>` (or the global `fxTop`) on window; 'root': `<member>` on a reference to the page object. */
  readonly target: 'window' | 'root';
  readonly member: (typeof MEMBERS)[number] | 'fxTop';
  readonly callType: 1 | 2 | 3 | 4;
  readonly resultType: 0 | 1 | 2 | 3;
  readonly sync: boolean;
  readonly args: readonly Value[];
}

interface Scenario {
  readonly behaviors: readonly [Behavior, Behavior, Behavior, Behavior];
  readonly getterValue: Result;
  readonly calls: readonly Call[];
}

const SPECIALS: readonly Special[] = [
  'undefined',
  'NaN',
  'Infinity',
  '-Infinity',
  '-0',
  'sparse',
  'date',
  'deep100',
  'deep300',
  'markerKey',
  'hasOwnPropertyKey',
  'elementKey',
  'quotes',
  'bytes',
  'nestedBytes',
  'reference',
];
const RESULT_SPECIALS: readonly ResultSpecial[] = [
  ...SPECIALS,
  'toJSON',
  'getter',
  'proxy',
  'bigint',
  'cycle',
  'function',
  'symbol',
  'promise',
  'rejectingThenable',
  'dotNetObject',
  'loneSurrogate',
  'args',
  'this',
];
const THROWN: readonly Thrown[] = ['Error', 'TypeError', 'multiline', 'string', 'number', 'null', 'undefined', 'object', 'toString', 'noStack'];

const json = fc.jsonValue({ maxDepth: 3 });
const value: fc.Arbitrary<Value> = fc.oneof(json.map((j) => ({ json: j })), fc.constantFrom(...SPECIALS).map((s) => ({ special: s })));
const result: fc.Arbitrary<Result> = fc.oneof(
  { weight: 1, arbitrary: json.map((j) => ({ json: j })) },
  { weight: 3, arbitrary: fc.constantFrom(...RESULT_SPECIALS).map((s) => ({ special: s })) },
);
const behavior: fc.Arbitrary<Behavior> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ returns: result, mutatesArgs: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ throws: fc.constantFrom(...THROWN) }) },
);
const call: fc.Arbitrary<Call> = fc.record({
  target: fc.constantFrom('window', 'root'),
  member: fc.oneof({ weight: 4, arbitrary: fc.constantFrom('f0', 'f1', 'f2', 'ns.inner.fn') }, { weight: 3, arbitrary: fc.constantFrom(...MEMBERS, 'fxTop') }),
  callType: fc.oneof({ weight: 5, arbitrary: fc.constant(1 as const) }, { weight: 2, arbitrary: fc.constantFrom(2 as const, 3 as const, 4 as const) }),
  resultType: fc.oneof(
    { weight: 5, arbitrary: fc.constant(0 as const) },
    { weight: 2, arbitrary: fc.constant(3 as const) },
    { weight: 1, arbitrary: fc.constantFrom(1 as const, 2 as const) },
  ),
  sync: fc.boolean(),
  args: fc.array(value, { maxLength: 3 }),
});
const scenario: fc.Arbitrary<Scenario> = fc.record({
  behaviors: fc.tuple(behavior, behavior, behavior, behavior),
  getterValue: result,
  calls: fc.array(call, { minLength: 1, maxLength: 8 }),
});

// ---- one page, built from a scenario ----

interface World {
  readonly DotNet: DotNetNamespace;
  readonly js: IJSInProcessRuntime;
  readonly core: InteropCore;
  readonly root: any;
  readonly rootId: number;
  /** Everything the page's code saw, in order. */
  readonly log: unknown[];
  /** References the host received, for later calls to pass back. */
  readonly references: JSObjectReference[];
}

function deep(levels: number): unknown {
  let value: unknown = { leaf: true };
  for (let i = 0; i < levels; i++) value = i % 2 ? { next: value } : [value];
  return value;
}

/** A host value for an argument (fresh for each world: byte arrays are shared with the page in-process). */
function argument(spec: Value, world: World): unknown {
  if ('json' in spec) return structuredClone(spec.json);
  return special(spec.special, world);
}

function special(name: Special, world: World): unknown {
  switch (name) {
    case 'undefined':
      return undefined;
    case 'NaN':
      return NaN;
    case 'Infinity':
      return Infinity;
    case '-Infinity':
      return -Infinity;
    case '-0':
      return -0;
    case 'sparse':
      // eslint-disable-next-line no-sparse-arrays
      return [1, , 3];
    case 'date':
      return new Date(Date.UTC(2024, 1, 29, 12, 30));
    case 'deep100':
      return deep(100);
    case 'deep300':
      return deep(300);
    case 'markerKey':
      return { __jsObjectId: world.rootId, note: 'a plain object with a marker key' };
    case 'hasOwnPropertyKey':
      return { hasOwnProperty: 1 };
    case 'elementKey':
      return { __internalId: 'x1' };
    case 'quotes':
      return 'say "__x" and [{ }] \\ ';
    case 'bytes':
      return new Uint8Array([1, 2, 3]);
    case 'nestedBytes':
      return { bytes: new Uint8Array([4, 5]) };
    case 'reference':
      return world.references[0] ?? null;
  }
}

/** A page-side value for a function to return. */
function pageValue(spec: Result, world: World, args: unknown[], self: unknown): unknown {
  if ('json' in spec) return structuredClone(spec.json);
  const log = world.log;
  switch (spec.special) {
    case 'toJSON':
      return { toJSON: (key: string) => (log.push(['toJSON', key]), { converted: true }) };
    case 'getter':
      return {
        plain: 1,
        get computed() {
          log.push('getter ran');
          return 2;
        },
      };
    case 'proxy':
      return new Proxy(
        { a: 1 },
        {
          getPrototypeOf: (target) => (log.push('getPrototypeOf trap'), Reflect.getPrototypeOf(target)),
          get: (target, key, receiver) => (log.push(['get trap', String(key)]), Reflect.get(target, key, receiver)),
        },
      );
    case 'bigint':
      return 10n;
    case 'cycle': {
      const value: Record<string, unknown> = { name: 'loop' };
      value.self = value;
      return value;
    }
    case 'function':
      return () => 1;
    case 'symbol':
      return Symbol('s');
    case 'promise':
      return Promise.resolve({ later: 1 });
    case 'rejectingThenable':
      return { then: (_resolve: unknown, reject: (e: unknown) => void) => reject(new Error('rejected later')) };
    case 'dotNetObject':
      return new world.DotNet.DotNetObject(7, null as never);
    case 'loneSurrogate':
      return 'a\uD800b';
    case 'args':
      return args;
    case 'this':
      return describeThis(self, world);
    case 'bytes':
      return new Uint8Array([9, 8, 7]);
    case 'nestedBytes':
      return { bytes: new Uint8Array([6]), more: [new Uint8Array([5])] };
    case 'reference':
      return world.root.ns;
    default:
      return special(spec.special, world);
  }
}

function thrown(kind: Thrown): unknown {
  switch (kind) {
    case 'Error':
      return new Error('page failure');
    case 'TypeError':
      return new TypeError('bad type');
    case 'multiline':
      return new Error('first line\nsecond line');
    case 'string':
      return 'a thrown string';
    case 'number':
      return 42;
    case 'null':
      return null;
    case 'undefined':
      return undefined;
    case 'object':
      return { code: 7 };
    case 'toString':
      return { toString: () => 'custom text' };
    case 'noStack': {
      const error = new Error('no stack');
      error.stack = undefined;
      return error;
    }
  }
}

function describeThis(self: unknown, world: World): string {
  if (self === world.root) return 'root';
  if (self === world.root.ns?.inner) return 'inner';
  if (self === globalThis) return 'window';
  if (self === undefined) return 'undefined';
  return typeof self;
}

/** A page function with a behavior; the same code for both worlds, so its stack frames read the same. */
function pageFunction(name: string, spec: Behavior, world: World): (...args: unknown[]) => unknown {
  return function (this: unknown, ...args: unknown[]) {
    world.log.push([name, describeThis(this, world), args.length, structuredCloneOrText(args)]);
    if ('throws' in spec) throw thrown(spec.throws);
    if (spec.mutatesArgs) {
      args.push('pushed by the page');
      const first = args[0];
      if (first !== null && typeof first === 'object') (first as Record<string, unknown>).touched = true;
    }
    return pageValue(spec.returns, world, args, this);
  };
}

function structuredCloneOrText(value: unknown): unknown {
  try {
    return structuredClone(value);
  } catch {
    return String(value);
  }
}

async function openWorld(scenario: Scenario, direct: boolean): Promise<World> {
  const DotNet = await freshDotNet();
  const js = createInProcessRuntime({ DotNet, directCalls: direct });
  const world: World = {
    DotNet,
    js,
    core: (js as unknown as { core: InteropCore }).core,
    root: {},
    rootId: 0,
    log: [],
    references: [],
  };
  const root = world.root;
  const [f0, f1, f2, inner] = scenario.behaviors;
  root.f0 = pageFunction('f0', f0, world);
  root.f1 = pageFunction('f1', f1, world);
  root.f2 = pageFunction('f2', f2, world);
  root.ns = { inner: { fn: pageFunction('inner', inner, world) } };
  Object.defineProperty(root, 'counted', {
    enumerable: true,
    configurable: true,
    get() {
      world.log.push('counted read');
      return pageValue(scenario.getterValue, world, [], this);
    },
    set(value: unknown) {
      world.log.push(['counted written', structuredCloneOrText(value)]);
    },
  });
  root.data = 1;
  root.Widget = class Widget {
    readonly made: unknown[];
    constructor(...args: unknown[]) {
      world.log.push(['new Widget', args.length, structuredCloneOrText(args)]);
      this.made = args;
    }
  };
  root.notFn = 5;
  Object.defineProperty(root, 'readOnly', { value: 'fixed', enumerable: true, writable: false });
  (world as { rootId: number }).rootId = DotNet.createJSObjectReference(root).__jsObjectId;
  return world;
}

// ---- running and observing ----

/** A frame of the dispatch machinery: the package's, the direct path's or the glue's entry. */
const MACHINERY_FRAME =
  /^ {4}at (?:CallDispatcher\.(?:processJSCall|invokeJSFromDotNet|beginInvokeJSFromDotNet) |stringifyArgs |callPage |Object\.(?:invoke|begin) |encodeResult |encodeCompletion )/;

/** A stack or a text holding one, with the machinery's frames as placeholders and instance URLs alike. */
function comparableText(text: unknown): unknown {
  if (typeof text !== 'string') return text;
  return text
    .split('\n')
    .map((line) => (MACHINERY_FRAME.test(line) ? '    at <dispatch>' : line.replace(/\?instance=\d+/g, '')))
    .join('\n');
}

function observedError(error: unknown): unknown {
  if (error instanceof JSException) {
    return { JSException: comparableText(error.message), jsStack: comparableText(error.jsStack), cause: observedError(error.cause) };
  }
  if (error instanceof Error) return { name: error.name, constructor: error.constructor.name, message: comparableText(error.message), stack: comparableText(error.stack) };
  return { thrown: error };
}

function observedValue(value: unknown): unknown {
  if (value instanceof JSObjectReference) return { jsObjectReference: value.state.id };
  if (value instanceof JSStreamReference) return { jsStreamReference: value.state.id, length: value.length };
  if (Array.isArray(value)) return value.map(observedValue);
  if (value instanceof Uint8Array) return { bytes: [...value] };
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, observedValue(v)]));
  return value;
}

function identifierOf(call: Call): string {
  if (call.member === 'fxTop') return 'fxTop';
  return call.target === 'window' ? `fx.${call.member}` : call.member;
}

async function perform(world: World, call: Call): Promise<unknown> {
  const targetId = call.target === 'window' || call.member === 'fxTop' ? 0 : world.rootId;
  const args = call.args.map((spec) => argument(spec, world));
  const identifier = identifierOf(call);
  let outcome: unknown;
  try {
    const returned = call.sync
      ? world.core.callSync(targetId, identifier, args, call.resultType, call.callType)
      : await world.core.callAsync(targetId, identifier, args, call.resultType, call.callType, undefined);
    if (returned instanceof JSObjectReference) world.references.push(returned);
    outcome = { returned: observedValue(returned) };
  } catch (error) {
    outcome = { threw: observedError(error) };
  }
  return outcome;
}

/** Which ids the page's reference table holds, and the id it would give next. */
function referenceTable(DotNet: DotNetNamespace): unknown {
  const next = DotNet.createJSObjectReference({}).__jsObjectId;
  const present: number[] = [];
  for (let id = 0; id < next; id++) {
    try {
      DotNet.findJSFunction('toString', id, 1 as never);
      present.push(id);
    } catch {
      // No object with that id.
    }
  }
  return { next, present };
}

function pageObjects(world: World): unknown {
  const root = world.root;
  const own: Record<string, unknown> = {};
  for (const key of Object.keys(root)) {
    const descriptor = Object.getOwnPropertyDescriptor(root, key)!;
    if ('value' in descriptor) own[key] = typeof descriptor.value === 'function' ? `function ${descriptor.value.name}` : structuredCloneOrText(descriptor.value);
  }
  return own;
}

/** Runs a scenario's calls in one world and returns everything observable. */
async function observe(scenario: Scenario, direct: boolean): Promise<unknown> {
  const world = await openWorld(scenario, direct);
  const g = globalThis as any;
  g.fx = world.root;
  g.fxTop = world.root.f0;
  try {
    const outcomes: unknown[] = [];
    for (const call of scenario.calls) outcomes.push(await perform(world, call));
    // Completions of calls still pending (a rejected thenable settles a few ticks later) are part of it too.
    await new Promise((resolve) => setImmediate(resolve));
    return {
      outcomes,
      log: world.log,
      page: pageObjects(world),
      referenceTable: referenceTable(world.DotNet),
      stats: world.js.stats(),
    };
  } finally {
    delete g.fx;
    delete g.fxTop;
  }
}

/** The scenario's observations in both worlds: direct path first, then the package dispatcher. */
export async function observeBoth(s: Scenario): Promise<unknown[]> {
  const observed: unknown[] = [];
  // One call site for both: the host's frames below the page function must read the same.
  for (const direct of [true, false]) observed.push(await observe(s, direct));
  return observed;
}

describe('in-process direct path', () => {
  test('every generated call observes the same as through the package dispatcher', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const [direct, official] = await observeBoth(s);
        assert.deepStrictEqual(direct, official);
      }),
      { numRuns: 500 },
    );
  });

  test('it is taken for calls without markers, and the package dispatcher for the others', async () => {
    const DotNet = await freshDotNet();
    const js = createInProcessRuntime({ DotNet });
    // The page function's own stack shows which path called it.
    (globalThis as any).directStack = () => new Error('probe').stack!;
    try {
      assert.match(js.invoke<string>('directStack'), /at callPage /, 'a plain call takes the direct path');
      assert.doesNotMatch(js.invoke<string>('directStack', { __x: 1 }), /at callPage /, 'a marker-like key takes the dispatcher');
      assert.doesNotMatch(js.invoke<string>('directStack', new Uint8Array(1)), /at callPage /, 'a byte array takes the dispatcher');
      assert.doesNotMatch(js.invoke<string>('directStack', pageAbortSignal), /at callPage /, 'an abort signal takes the dispatcher');
      assert.match(js.invoke<string>('directStack', { a: [1] }), /at callPage /, "the glue's abort-signal reviver, now attached, changes nothing");
      DotNet.attachReviver((_key: unknown, v: unknown) => v);
      assert.doesNotMatch(js.invoke<string>('directStack'), /at callPage /, 'a reviver of the application takes the dispatcher');
    } finally {
      delete (globalThis as any).directStack;
    }
  });
});
