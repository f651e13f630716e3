/*
 * Values that JSON.stringify would silently change (a function becomes null or disappears, a Map
 * or a Promise becomes {}) or reject with a text naming neither the call nor the value (a BigInt,
 * a cycle) are refused before anything is sent, as Blazor's serializer refuses them, with the
 * path to the value and what to send instead.
 *
 * The walk that checks also tells the codec how the values must be serialized: plain data needs
 * no marker replacer, so JSON.stringify keeps V8's fast path, which pays for the walk. Values
 * with a `toJSON` (Date, Buffer, our references) are not entered: their toJSON decides their
 * JSON form, as it always did. `undefined` stays allowed where JSON has an answer for it (null in
 * an array or as an argument, an omitted property), which is what System.Text.Json does with null.
 */
import { ElementReference } from './element-reference.js';
import { HostObjectReference } from './host-object-reference.js';
import { HostStreamReference } from './host-stream-reference.js';
import { JSObjectReference } from './js-object-reference.js';
import { JSStreamReference } from './js-stream-reference.js';

/** Bit flags: how the values the walk accepted must be serialized. */
export const Serialization = {
  /** No markers anywhere: a plain JSON.stringify gives the wire text. */
  plain: 0,
  /**
   * Markers only for arguments that are themselves a byte array or a reference (isTopLevelMarker):
   * the codec writes their markers without a replacer.
   */
  topLevelMarkers: 1,
  /** Markers (or a toJSON we do not know) somewhere inside: the marker replacer is needed. */
  replacer: 2,
  /** With `replacer`: a Uint8Array with a toJSON (a Node Buffer) inside, which must not run (bytes-to-send.ts). */
  byteArrayToJSON: 4,
} as const;
export type Serialization = number;

type Key = string | number;

/** Where the walk is: the objects entered (to find cycles) and the keys that led to each of them. */
class Walk {
  readonly ancestors: object[] = [];
  /** keys[0] is the argument's index (0 for a result); keys[d] leads from ancestors[d - 1] to ancestors[d]. */
  readonly keys: Key[] = [];

  constructor(
    readonly identifier: string,
    readonly isResult: boolean,
  ) {}

  /** The path of the object entered at `depth` (0: the root), and of its property `last` if given. */
  pathTo(depth: number, last?: Key): string {
    const keys = this.keys;
    let path = rootName(this.isResult, keys[0]!);
    for (let i = 1; i <= depth; i++) path += segment(keys[i]!);
    return last === undefined ? path : path + segment(last);
  }

  refuse(path: string, problem: string): never {
    refuse(this.identifier, this.isResult, path, problem);
  }
}

function rootName(isResult: boolean, index: Key): string {
  return isResult ? 'result' : `argument ${index}`;
}

function refuse(identifier: string, isResult: boolean, path: string, problem: string): never {
  // A refused result still fails the page's call; refused arguments stop the call before it starts.
  if (isResult) throw new TypeError(`Cannot send the result of '${identifier}' to the page: ${path} ${problem}`);
  throw new TypeError(`Cannot call '${identifier}': ${path} ${problem} Nothing was sent to the page.`);
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

function segment(key: Key): string {
  if (typeof key === 'number') return `[${key}]`;
  return IDENTIFIER.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

const FUNCTION_ADVICE =
  'Pass a HostObjectReference (HostObjectReference.create(obj, { invokable: [...] })) so the page can call back into the host.';

/** What is wrong with a primitive-like value (function, Symbol, BigInt), or undefined when nothing is. */
function primitiveProblem(value: unknown): string | undefined {
  switch (typeof value) {
    case 'function':
      return `is a function, which JSON cannot carry (it would arrive as null, or its property would be left out). ${FUNCTION_ADVICE}`;
    case 'symbol':
      return `is a Symbol (${String(value)}), which has no JSON form (it would arrive as null, or its property would be left out). Pass a string instead, such as its description.`;
    case 'bigint':
      return `is a BigInt (${value}n), which JSON cannot represent. Convert it to a number (Number(value)) or, to keep every digit, a string (String(value)).`;
    default:
      return undefined;
  }
}

/**
 * What is wrong with an object whose data JSON would lose (it writes {}), or undefined when
 * nothing is. Typed arrays other than Uint8Array keep their data, as an object keyed by index,
 * which is what Blazor's page package sends for them too; they stay allowed.
 */
function objectProblem(value: object): string | undefined {
  if (value instanceof Map) return 'is a Map, which JSON would turn into {}. Convert it to an object (Object.fromEntries(map)) or an array of entries ([...map]).';
  if (value instanceof Set) return 'is a Set, which JSON would turn into {}. Convert it to an array ([...set]).';
  if (value instanceof Promise) return 'is a Promise, which JSON would turn into {}. Await it and pass its value.';
  if (value instanceof WeakMap || value instanceof WeakSet) {
    return `is a ${tag(value)}, which JSON would turn into {}. Its entries cannot be listed; pass the values the page needs instead.`;
  }
  if (value instanceof ArrayBuffer || (typeof SharedArrayBuffer !== 'undefined' && value instanceof SharedArrayBuffer)) {
    return `is an ${tag(value)}, which JSON would turn into {}. Pass a Uint8Array over it (new Uint8Array(buffer)), which travels as bytes.`;
  }
  if (value instanceof DataView) {
    return 'is a DataView, which JSON would turn into {}. Pass a Uint8Array over its bytes (new Uint8Array(view.buffer, view.byteOffset, view.byteLength)), which travels as bytes.';
  }
  return undefined;
}

function tag(value: object): string {
  return Object.prototype.toString.call(value).slice(8, -1);
}

/**
 * Checks an object entered at `walk.keys` (the object itself is the last ancestor) and everything
 * inside it. Returns `Serialization.replacer` when a marker or an unknown toJSON is inside.
 */
function scanObject(value: object, walk: Walk, depth: number): Serialization {
  let needs: Serialization = Serialization.plain;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item === 'object') {
        if (item !== null) needs |= enter(item, i, walk, depth);
      } else if (typeof item === 'function' || typeof item === 'symbol' || typeof item === 'bigint') {
        walk.refuse(walk.pathTo(depth, i), primitiveProblem(item)!);
      }
    }
    return needs;
  }
  if (value instanceof Uint8Array) {
    // Sent as bytes whatever its toJSON says; a Buffer's toJSON would only cost time.
    return typeof (value as { toJSON?: unknown }).toJSON === 'function' ? Serialization.replacer | Serialization.byteArrayToJSON : Serialization.replacer;
  }
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    // Not entered: toJSON decides the JSON form. A Date's is a string and an ElementReference's is
    // its marker, {"__internalId": id}, which a plain JSON.stringify writes as it is; anything else
    // (Buffer, our references, pageAbortSignal, user classes) keeps the replacer, exactly as before the walk.
    return value instanceof Date || value instanceof ElementReference ? Serialization.plain : Serialization.replacer;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    if (isReference(value)) return Serialization.replacer;
    if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return typedArray(value, walk, depth);
    const problem = objectProblem(value);
    if (problem !== undefined) walk.refuse(walk.pathTo(depth), problem);
  }
  const keys = Object.keys(value);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const item: unknown = (value as Record<string, unknown>)[key];
    if (typeof item === 'object') {
      if (item !== null) needs |= enter(item, key, walk, depth);
    } else if (typeof item === 'function' || typeof item === 'symbol' || typeof item === 'bigint') {
      walk.refuse(walk.pathTo(depth, key), primitiveProblem(item)!);
    }
  }
  return needs;
}

/** A typed array holds only numbers, or only BigInts, which JSON.stringify refuses; not walked element by element. */
function typedArray(value: ArrayBufferView, walk: Walk, depth: number): Serialization {
  if (value instanceof BigInt64Array || value instanceof BigUint64Array) {
    walk.refuse(walk.pathTo(depth), `is a ${tag(value)}, whose BigInt elements JSON cannot represent. Convert them to numbers (Array.from(value, Number)) or strings.`);
  }
  return Serialization.plain;
}

/** Descends into `item` (at `key` of the current object), refusing it when it closes a cycle. */
function enter(item: object, key: Key, walk: Walk, depth: number): Serialization {
  const ancestors = walk.ancestors;
  const closes = ancestors.indexOf(item);
  if (closes >= 0) {
    walk.refuse(walk.pathTo(depth, key), `refers back to ${walk.pathTo(closes)}, a circular structure, which JSON cannot represent. Pass a copy without the cycle (for example, an id in place of the back-reference).`);
  }
  ancestors.push(item);
  walk.keys.push(key);
  const needs = scanObject(item, walk, depth + 1);
  ancestors.pop();
  walk.keys.pop();
  return needs;
}


/**
 * Checks the arguments of a host → JS call and says how to serialize them; throws a TypeError
 * naming the call, the argument's path and what to pass instead when JSON would change a value.
 * Primitive arguments cost one typeof each.
 */
export function scanArguments(identifier: string, args: readonly unknown[]): Serialization {
  let needs: Serialization = Serialization.plain;
  let walk: Walk | undefined;
  for (let i = 0; i < args.length; i++) {
    const value = args[i];
    if (typeof value === 'object') {
      if (value === null) continue;
      if (isTopLevelMarker(value)) {
        needs |= Serialization.topLevelMarkers;
        continue;
      }
      walk ??= new Walk(identifier, false);
      needs |= enterRoot(value, i, walk);
    } else if (typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') {
      refuse(identifier, false, rootName(false, i), primitiveProblem(value)!);
    }
  }
  return needs;
}

/** The references the codec's replacer writes as markers. */
export type Reference = HostObjectReference<object> | HostStreamReference | JSObjectReference | JSStreamReference;

/** Whether `value` is one of the references the codec's replacer writes as a marker. */
export function isReference(value: object): value is Reference {
  return value instanceof HostObjectReference || value instanceof HostStreamReference || value instanceof JSStreamReference || value instanceof JSObjectReference;
}

/** The arguments the codec can replace by their markers itself (json-codec.ts, `markerOf`). */
export type TopLevelMarker = Uint8Array | Reference;

/**
 * Whether an argument is one the codec can replace by its marker itself: a byte array (a Buffer
 * too: its bytes are sent, never its toJSON form), a host object or stream, or a JS reference
 * whose toJSON is its class's (the codec calls it, as JSON.stringify would, for its check).
 */
export function isTopLevelMarker(value: object): value is TopLevelMarker {
  if (value instanceof Uint8Array) return true;
  if (!isReference(value)) return false;
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  return toJSON === (value instanceof JSObjectReference ? JSObjectReference.prototype.toJSON : undefined);
}

/**
 * Checks a value an invokable returns to the page and says how to serialize it (never
 * `topLevelMarkers`); throws a TypeError naming the method when JSON would change the value.
 */
export function scanResult(methodIdentifier: string, value: unknown): Serialization {
  if (typeof value === 'object') {
    if (value === null) return Serialization.plain;
    return enterRoot(value, 0, new Walk(methodIdentifier, true));
  }
  const problem = primitiveProblem(value);
  if (problem !== undefined) refuse(methodIdentifier, true, rootName(true, 0), problem);
  return Serialization.plain;
}

function enterRoot(value: object, key: Key, walk: Walk): Serialization {
  walk.ancestors.push(value);
  walk.keys.push(key);
  const needs = scanObject(value, walk, 0);
  walk.ancestors.pop();
  walk.keys.pop();
  return needs;
}
