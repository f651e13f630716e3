/*
 * The direct call path: a host → JS call whose arguments hold no marker, or only the package's
 * own four (host objects, JS objects, byte arrays, host streams), run without the parts of the
 * package's dispatcher that cost the most. The package parses every argument text with its
 * reviver chain (JSON.parse with a reviver leaves V8's fast path and calls back into JS for every
 * value) and writes every result with its replacer; for a call such as add(1, 2) that is most of
 * the call's cost. Here the arguments are parsed plainly, the objects that hold a package marker
 * are then revived by a walk, and a result that is a string, number, boolean or lone byte array
 * is written without the replacer. Everything else is still the package's, or a copy of it:
 *
 * - revival: the package's reviver for JS objects; for the other markers a copy of it, which makes
 *   the same objects with the package's classes (`DotNet.DotNetObject`, and its `DotNetStream`,
 *   found once by a probe) from the same dispatcher methods, in the same order (children first);
 * - lookup, caching and `this` binding: the package's own `DotNet.findJSFunction`;
 * - the call: `func(...args)`, as the package's processJSCall makes it;
 * - other results: JSON.stringify with a copy of the package's replacer (byte arrays out of band
 *   through the same host dispatcher, DotNetObjects as their markers), so toJSON and getters run
 *   exactly as often as the package would run them;
 * - async completions and failures: the same awaits and the same `message\nstack` formatting.
 *
 * The path is chosen before the call, never after (a call is never run twice), and only when it
 * provably does what the package would do; otherwise the caller takes the package's dispatcher.
 * The conditions are in `applies` below; docs/protocol.md explains them.
 *
 * Stack frames: the package runs a function two frames below the glue's entry
 * (invokeJSFromDotNet → processJSCall → function), and so does this path (invoke → callPage →
 * function); a thrown error's stack therefore differs only in the names of those two frames, and
 * the frames below them are cut off by Error.stackTraceLimit at the same place.
 */
import type { DotNetNamespace } from './official-package.js';
import { isOwnReviver } from './own-revivers.js';

type CallDispatcher = ReturnType<DotNetNamespace['attachDispatcher']>;
type HostDispatcher = Parameters<DotNetNamespace['attachDispatcher']>[0];

/** JSCallResultType.Default and JSVoidResult: results the package writes without creating a reference. */
const DEFAULT_RESULT = 0;
const VOID_RESULT = 3;
const BYTE_ARRAY_KEY = '__byte[]';
const JS_OBJECT_ID_KEY = '__jsObjectId';
const DOT_NET_OBJECT_KEY = '__dotNetObject';
const DOT_NET_STREAM_KEY = '__dotNetStream';
const FUNCTION_CALL = 1;

/** What follows `"__` in the JSON texts of the package's four markers. */
const PACKAGE_MARKER_TAILS = ['byte[]"', 'jsObjectId"', 'dotNetObject"', 'dotNetStream"'] as const;

/**
 * Argument texts that nest deeper take the package's path: its reviving parse recurses (once per
 * level, calling the reviver chain) and runs out of stack at about 2,700 levels where a plain
 * parse does not, so a call that fails there must fail here too. 256 is far below that.
 */
const MAX_DIRECT_DEPTH = 256;

// The globals the two paths use, as they were when the glue loaded. The package looks them up on
// every call; if application code replaces one, the direct path stands aside rather than guess
// what the replacement does with a reviver or replacer that the direct path leaves out.
const nativeParse = JSON.parse;
const nativeStringify = JSON.stringify;
const nativeHasOwnProperty = Object.prototype.hasOwnProperty;

/** The direct path for one dispatcher: `applies` first; the other two only when it said yes. */
export interface DirectCalls {
  /** Whether a call with these arguments and result type may take the direct path. */
  applies(argsJson: string, resultType: number): boolean;
  /** What `dispatcher.invokeJSFromDotNet` would return or throw. */
  invoke(identifier: string, argsJson: string, resultType: number, targetInstanceId: number, callType: number): string | null;
  /** What `dispatcher.beginInvokeJSFromDotNet` would do: the answer goes to the host's endInvokeJSFromDotNet. */
  begin(asyncHandle: number, identifier: string, argsJson: string, resultType: number, targetInstanceId: number, callType: number): Promise<void>;
  /**
   * A call `identifier(reference, offset, count)` of the JS object `targetInstanceId` (the page
   * helper that reads JS stream chunks), `reference` being the JS object `referenceId`, answered
   * with the result itself: `answer(asyncHandle, result)`. For a host in the page's own realm,
   * which needs no JSON for the bytes. False, doing nothing, when the package would parse the
   * arguments otherwise than a plain parse and its own reviver (see `applies`): then the caller
   * makes an ordinary call.
   */
  callWithReference(
    asyncHandle: number,
    identifier: string,
    targetInstanceId: number,
    referenceId: number,
    offset: number,
    count: number,
    answer: (asyncHandle: number, result: unknown) => void,
  ): boolean;
  /** The JS object `id`, as the package's reviver finds it for an argument; undefined where it would not, or the package would parse otherwise. */
  jsObject(id: number): unknown;
}

/**
 * The direct path for `dispatcher`, or undefined when the package's reviver chain cannot be seen
 * (another version of the package, a frozen realm): then every call takes the dispatcher.
 *
 * `answerValue` is for a host in the page's own realm: an async completion whose result is a
 * string, number, boolean or nothing is handed to it as the value the host would read back from
 * the package's text (NaN and the infinities as null, -0 as 0), with neither side writing or
 * parsing that text.
 */
export function directCallsFor(
  DotNet: DotNetNamespace,
  dispatcher: CallDispatcher,
  answerValue?: (asyncHandle: number, value: unknown) => void,
): DirectCalls | undefined {
  const internals = packageInternalsOf(dispatcher);
  // The host dispatcher the package's replacer sends byte arrays to (not in the package's typings).
  const found: HostDispatcher | undefined = (dispatcher as { getDotNetCallDispatcher?: () => HostDispatcher }).getDotNetCallDispatcher?.();
  if (!internals || !found) return undefined;
  const host = found;
  const revivers = internals.revivers;
  const packageReviver = revivers[0] as (key: string, value: unknown) => unknown;
  const markerRevival = markerRevivalFor(DotNet, dispatcher, packageReviver, internals.DotNetStream);
  const findJSFunction = DotNet.findJSFunction;
  const DotNetObject = DotNet.DotNetObject;
  let checkedLength = 0;
  let onlyKnownRevivers = false;
  let nextByteArrayIndex = 0;

  /** Revivers are only ever added; the chain is checked again when it grew. */
  const knownRevivers = (): boolean => {
    if (revivers.length !== checkedLength) {
      onlyKnownRevivers = revivers.every((reviver, i) => (i === 0 ? reviver === packageReviver : isOwnReviver(DotNet, reviver)));
      checkedLength = revivers.length;
    }
    return onlyKnownRevivers;
  };

  /** The package's argReplacer, for the dispatcher this path serves. */
  function replacer(_key: string, value: unknown): unknown {
    if (value instanceof DotNetObject) {
      return value.serializeAsArg();
    } else if (value instanceof Uint8Array) {
      host.sendByteArray(nextByteArrayIndex, value);
      const jsonValue = { [BYTE_ARRAY_KEY]: nextByteArrayIndex };
      nextByteArrayIndex++;
      return jsonValue;
    }
    return value;
  }

  /** The package's processJSCall: the reviving parse as a plain parse and a walk of the markers it found. */
  function callPage(identifier: string, argsJson: string, targetInstanceId: number, callType: number): unknown {
    const parsed: unknown = argsJson ? JSON.parse(argsJson) : null;
    const args = (parsed !== null && argsJson.indexOf('"__') !== -1 ? markerRevival!(parsed) : parsed) as unknown[] | null;
    const func = findJSFunction(identifier, targetInstanceId, callType as any);
    return func(...(args ?? []));
  }

  /** The package's stringifyArgs(dispatcher, result) for a sync result. */
  function encodeResult(result: unknown): string | null {
    nextByteArrayIndex = 0;
    // A primitive goes through the replacer untouched (and without a toJSON lookup); the global
    // is checked again because the call itself may have replaced it.
    return isPrimitive(result) && JSON.stringify === nativeStringify ? JSON.stringify(result) : JSON.stringify(result, replacer);
  }

  /** The package's stringifyArgs(dispatcher, [asyncHandle, true, result]) for an async completion. */
  function encodeCompletion(asyncHandle: number, result: unknown): string {
    nextByteArrayIndex = 0;
    if (JSON.stringify === nativeStringify) {
      if (result === null || result === undefined || isPrimitive(result)) return JSON.stringify([asyncHandle, true, result]);
      // What the replacer makes of a lone byte array. Checked without a step a Proxy could trap
      // or a getter could see (the package's replacer runs none on a result that is not one), and
      // only for a plain Uint8Array: a Buffer has a toJSON, which JSON.stringify runs first.
      if (ArrayBuffer.isView(result) && Object.getPrototypeOf(result) === Uint8Array.prototype && !('toJSON' in result)) {
        host.sendByteArray(0, result as Uint8Array);
        return `[${JSON.stringify(asyncHandle)},true,{"${BYTE_ARRAY_KEY}":0}]`;
      }
    }
    return JSON.stringify([asyncHandle, true, result], replacer);
  }

  /**
   * What the package's reviver makes of the argument {"__jsObjectId": id}: the object, or its
   * error ("JS object instance with Id … does not exist") when the page disposed it.
   */
  const revivedReference = (id: number): unknown => packageReviver('0', { [JS_OBJECT_ID_KEY]: id });

  /** Whether the package's parse would be a plain parse plus its own reviver. */
  const plainRevival = (): boolean =>
    JSON.parse === nativeParse && JSON.stringify === nativeStringify && Object.prototype.hasOwnProperty === nativeHasOwnProperty && knownRevivers();

  return {
    applies(argsJson, resultType) {
      return (
        (resultType === DEFAULT_RESULT || resultType === VOID_RESULT) &&
        // No marker but the package's own (and those only when they can be revived here), and no
        // own "hasOwnProperty" key, which makes the package's reviver throw ("value.hasOwnProperty
        // is not a function").
        (argsJson.indexOf('"__') === -1 || (markerRevival !== undefined && onlyPackageMarkers(argsJson))) &&
        argsJson.indexOf('"hasOwnProperty"') === -1 &&
        (argsJson.length <= MAX_DIRECT_DEPTH || !nestsDeeperThan(argsJson, MAX_DIRECT_DEPTH)) &&
        plainRevival()
      );
    },

    jsObject(id) {
      if (!plainRevival()) return undefined;
      try {
        return revivedReference(id);
      } catch {
        return undefined; // no such object: an ordinary call reports it
      }
    },

    callWithReference(asyncHandle, identifier, targetInstanceId, referenceId, offset, count, answer) {
      if (!plainRevival()) return false;
      // The package's beginInvokeJSFromDotNet, await for await, answered with the value.
      void (async () => {
        try {
          const reference = revivedReference(referenceId);
          const func = findJSFunction(identifier, targetInstanceId, FUNCTION_CALL as any);
          const result = await func(reference, offset, count);
          answer(asyncHandle, result);
        } catch (error) {
          host.endInvokeJSFromDotNet(asyncHandle, false, JSON.stringify([asyncHandle, false, formatError(error)]));
        }
      })();
      return true;
    },

    // The package's invokeJSFromDotNet.
    invoke(identifier, argsJson, resultType, targetInstanceId, callType) {
      const returnValue = callPage(identifier, argsJson, targetInstanceId, callType);
      const result = resultType === VOID_RESULT ? null : returnValue;
      return result === null || result === undefined ? null : encodeResult(result);
    },

    // The package's beginInvokeJSFromDotNet, await for await.
    async begin(asyncHandle, identifier, argsJson, resultType, targetInstanceId, callType) {
      try {
        const valueOrPromise = callPage(identifier, argsJson, targetInstanceId, callType);
        if (asyncHandle) {
          const result = await valueOrPromise;
          const value = resultType === VOID_RESULT ? null : result;
          if (answerValue && (value === null || value === undefined || isPrimitive(value)) && JSON.stringify === nativeStringify) {
            return answerValue(asyncHandle, asJsonGivesItBack(value));
          }
          host.endInvokeJSFromDotNet(asyncHandle, true, encodeCompletion(asyncHandle, value));
        }
      } catch (error) {
        if (asyncHandle) {
          const serializedError = JSON.stringify([asyncHandle, false, formatError(error)]);
          host.endInvokeJSFromDotNet(asyncHandle, false, serializedError);
        }
      }
    },
  };
}

/** What JSON.parse(JSON.stringify(value)) gives for null, undefined, a string, number or boolean. */
function asJsonGivesItBack(value: unknown): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? value + 0 : null;
  return value ?? null;
}

function isPrimitive(value: unknown): boolean {
  const type = typeof value;
  return type === 'string' || type === 'number' || type === 'boolean';
}

/** The package's formatError. */
function formatError(error: any): string {
  if (error instanceof Error) {
    return `${error.message}\n${error.stack}`;
  }
  return error ? error.toString() : 'null';
}

/** Whether arrays and objects in `json` nest deeper than `limit` (brackets inside strings do not count). */
function nestsDeeperThan(json: string, limit: number): boolean {
  let depth = 0;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (c === 0x22 /* " */) {
      for (i++; i < json.length; i++) {
        const d = json.charCodeAt(i);
        if (d === 0x5c /* \ */) i++;
        else if (d === 0x22) break;
      }
    } else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > limit) return true;
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) {
      depth--;
    }
  }
  return false;
}

/** Whether every `"__` in `json` begins one of the package's four marker keys (or such text inside a string). */
function onlyPackageMarkers(json: string): boolean {
  for (let at = json.indexOf('"__'); at !== -1; at = json.indexOf('"__', at + 3)) {
    if (!startsWithAny(json, PACKAGE_MARKER_TAILS, at + 3)) return false;
  }
  return true;
}

function startsWithAny(text: string, prefixes: readonly string[], position: number): boolean {
  for (let i = 0; i < prefixes.length; i++) if (text.startsWith(prefixes[i]!, position)) return true;
  return false;
}

/**
 * What the package's reviving parse makes of a plainly parsed argument list whose only markers are
 * the package's: its reviver, run bottom-up over every object (children before their holder, in
 * key order, as JSON.parse runs a reviver), its branches in its order. The package's reviver
 * reads its dispatcher from a variable set only during its own parse, so the branches that need
 * one are copies that use this path's dispatcher; the JS-object branch is the package's own.
 * Undefined when the package instance lacks what the copies call (another version of it).
 */
function markerRevivalFor(
  DotNet: DotNetNamespace,
  dispatcher: CallDispatcher,
  packageReviver: (key: string, value: unknown) => unknown,
  DotNetStream: (new (streamPromise: Promise<unknown>) => object) | undefined,
): ((parsed: unknown) => unknown) | undefined {
  const methods = dispatcher as unknown as {
    processByteArray?: (index: unknown) => Uint8Array | null | undefined;
    getDotNetStreamPromise?: (streamId: unknown) => Promise<unknown>;
  };
  const { processByteArray, getDotNetStreamPromise } = methods;
  if (!DotNetStream || typeof processByteArray !== 'function' || typeof getDotNetStreamPromise !== 'function') return undefined;
  const DotNetObject = DotNet.DotNetObject as unknown as new (id: unknown, callDispatcher: CallDispatcher) => object;
  const has = (value: object, key: string): boolean => nativeHasOwnProperty.call(value, key);

  function reviveObject(value: Record<string, unknown>): unknown {
    if (has(value, DOT_NET_OBJECT_KEY)) return new DotNetObject(value[DOT_NET_OBJECT_KEY], dispatcher);
    if (has(value, JS_OBJECT_ID_KEY)) return packageReviver('', value);
    if (has(value, BYTE_ARRAY_KEY)) {
      const index = value[BYTE_ARRAY_KEY];
      const byteArray = processByteArray!.call(dispatcher, index);
      if (byteArray === undefined) throw new Error(`Byte array index '${String(index)}' does not exist.`);
      return byteArray;
    }
    if (has(value, DOT_NET_STREAM_KEY)) return new DotNetStream!(getDotNetStreamPromise!.call(dispatcher, value[DOT_NET_STREAM_KEY]));
    return value;
  }

  function revive(value: unknown): unknown {
    if (typeof value !== 'object' || value === null) return value;
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const item: unknown = value[i];
        if (typeof item === 'object' && item !== null) value[i] = revive(item);
      }
      return value;
    }
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record);
    for (let i = 0; i < keys.length; i++) {
      const item = record[keys[i]!];
      if (typeof item === 'object' && item !== null) record[keys[i]!] = revive(item);
    }
    return reviveObject(record);
  }

  return revive;
}

/** What the direct path needs of the package that it does not export. */
interface PackageInternals {
  /** The package's list of revivers (module-global), its own reviver first. */
  readonly revivers: readonly unknown[];
  /** The class of the objects its reviver makes of `{"__dotNetStream": id}`, if it could be found. */
  readonly DotNetStream: (new (streamPromise: Promise<unknown>) => object) | undefined;
}

/**
 * The package's list of revivers and its DotNetStream class (private to it), found once: a parse
 * through the dispatcher runs `revivers.reduce(...)`, and a stand-in reduce, there only for the
 * probes, takes the list instead of running it, then watches what the package's own reviver
 * (the list's first) makes of a stream marker. The probes parse for a target that cannot exist,
 * so each call fails in the package's lookup before anything runs, on a dispatcher of their own:
 * no state of the page's changes.
 */
function packageInternalsOf(dispatcher: CallDispatcher): PackageInternals | undefined {
  const arrayPrototype = Array.prototype as { reduce: (...args: any[]) => unknown };
  const reduce = arrayPrototype.reduce;
  let chain: unknown[] | undefined;
  let streamLike: object | undefined;
  // A dispatcher of its own (the package's class; its constructor registers nothing), so that
  // the probes are no calls of the page's dispatcher.
  const probe = new (dispatcher.constructor as new (host: object) => CallDispatcher)({});
  try {
    arrayPrototype.reduce = function (this: unknown, ...args: any[]) {
      // Known by what it is, not by a function's name (a minifier renames those): an array of
      // functions reduced from the probe's one value, 0, at the top level.
      if (chain === undefined && Array.isArray(this) && this.length > 0 && this.every((f) => typeof f === 'function') && args[1] === 0) {
        chain = this;
        return args[1];
      }
      const list = chain;
      if (list === undefined || this !== list) return reduce.apply(this, args);
      // The stream probe runs the package's own reviver alone, through the package's callback:
      // revivers the application attached see no probe.
      const result: unknown = args[0](args[1], list[0], 0, list);
      if (isStreamLike(result)) streamLike = result;
      return result;
    };
    probeCall(probe, '0');
    if (chain) probeCall(probe, `[{"${DOT_NET_STREAM_KEY}":0}]`);
  } finally {
    arrayPrototype.reduce = reduce;
  }
  if (!chain) return undefined;
  return { revivers: chain, DotNetStream: streamClassOf(streamLike) };
}

function probeCall(probe: CallDispatcher, argsJson: string): void {
  try {
    probe.invokeJSFromDotNet('', argsJson, DEFAULT_RESULT as any, -1, FUNCTION_CALL as any);
  } catch {
    // Expected: no JS object has id -1.
  }
}

function isStreamLike(value: unknown): value is object {
  return (
    typeof value === 'object' && value !== null && Object.getPrototypeOf(value) !== Object.prototype &&
    typeof (value as { stream?: unknown }).stream === 'function' && typeof (value as { arrayBuffer?: unknown }).arrayBuffer === 'function'
  );
}

/** The class of `instance`, if it is made from the promise its stream() gives back, as the package's DotNetStream is. */
function streamClassOf(instance: object | undefined): PackageInternals['DotNetStream'] {
  if (!instance) return undefined;
  const StreamClass = instance.constructor as new (streamPromise: Promise<unknown>) => { stream(): unknown };
  try {
    const promise = new Promise<unknown>(() => {});
    return new StreamClass(promise).stream() === promise ? StreamClass : undefined;
  } catch {
    return undefined;
  }
}
