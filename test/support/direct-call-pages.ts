/*
 * One page of the in-process direct path's differential test, built from a scenario
 * (test/support/direct-call-scenarios.ts): a fresh instance of the official package, a runtime
 * with or without the direct path, and the page objects the calls reach, built by the same code
 * for both pages so that their stack frames read the same. Everything the page's code sees is
 * logged in order.
 */
import { createInProcessRuntime, HostObjectReference, HostStreamReference, type IJSInProcessRuntime } from '../../src/index.js';
import { freshDotNet } from './page.js';
import type { JSObjectReference } from '../../src/host/js-object-reference.js';
import type { InteropCore } from '../../src/host/core.js';
import type { DotNetNamespace } from '../../src/page/official-package.js';
import type { Behavior, Result, Scenario, Special, Thrown, Value } from './direct-call-scenarios.js';

export interface World {
  readonly DotNet: DotNetNamespace;
  readonly js: IJSInProcessRuntime;
  readonly core: InteropCore;
  readonly root: any;
  readonly rootId: number;
  /** Everything the page's code saw, in order. */
  readonly log: unknown[];
  /** References the host received, for later calls to pass back. */
  readonly references: JSObjectReference[];
  /** The DotNetStreams page functions received, in order. */
  readonly streams: PageStream[];
}

function deep(levels: number): unknown {
  let value: unknown = { leaf: true };
  for (let i = 0; i < levels; i++) value = i % 2 ? { next: value } : [value];
  return value;
}

/** A host value for an argument (fresh for each world: byte arrays are shared with the page in-process). */
export function argument(spec: Value, world: World): unknown {
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
    case 'hostObject':
      return HostObjectReference.create({ ping: () => 'pong' }, { invokable: ['ping'] });
    case 'hostStream':
      return HostStreamReference.create(new Uint8Array([3, 1, 4]));
    case 'nestedHostStream':
      return { files: [HostStreamReference.create(new Uint8Array([1, 5])), { file: HostStreamReference.create(new Uint8Array([9])) }] };
    case 'objectKey':
      return { __dotNetObject: 1 };
    case 'streamKey':
      return [{ __dotNetStream: 1000 }, { __dotNetStream: 'text' }];
    case 'byteKey':
      return { '__byte[]': 5 };
    case 'markersInMarker':
      return { __dotNetObject: { __jsObjectId: world.rootId, inner: [{ '__byte[]': 0 }] } };
    case 'markerWithMore':
      return { __dotNetStream: 2, __jsObjectId: world.rootId, __dotNetObject: 3, note: 'several markers in one object' };
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
    world.log.push([name, describeThis(this, world), args.length, structuredCloneOrText(received(args, world))]);
    if ('throws' in spec) throw thrown(spec.throws);
    if (spec.mutatesArgs) {
      args.push('pushed by the page');
      const first = args[0];
      if (first !== null && typeof first === 'object') (first as Record<string, unknown>).touched = true;
    }
    return pageValue(spec.returns, world, args, this);
  };
}

/**
 * What a page function can tell of its arguments: the package's objects by what they do (a
 * DotNetObject calls its host object; a DotNetStream's bytes are read once the calls are done),
 * the rest as they are.
 */
function received(value: unknown, world: World, seen = new Set<object>()): unknown {
  if (value === null || typeof value !== 'object' || seen.has(value)) return value;
  seen.add(value);
  if (value instanceof world.DotNet.DotNetObject) {
    let answer: unknown;
    try {
      answer = value.invokeMethod('ping');
    } catch (error) {
      answer = { threw: String((error as Error).message ?? error).split('\n')[0] };
    }
    return { DotNetObject: value.serializeAsArg(), answer };
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== Array.prototype && !(value instanceof Uint8Array) && typeof (value as { stream?: unknown }).stream === 'function') {
    world.streams.push(value as PageStream);
    return { [value.constructor.name]: world.streams.length - 1 };
  }
  if (Array.isArray(value)) return value.map((item) => received(item, world, seen));
  if (value instanceof Uint8Array) return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, received(item, world, seen)]));
}

/** A DotNetStream, as a page function receives it. */
export interface PageStream {
  stream(): Promise<ReadableStream<Uint8Array>>;
}

export function structuredCloneOrText(value: unknown): unknown {
  try {
    return structuredClone(value);
  } catch {
    return String(value);
  }
}

export async function openWorld(scenario: Scenario, direct: boolean): Promise<World> {
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
    streams: [],
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
