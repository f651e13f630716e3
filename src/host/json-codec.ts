/*
 * JSON in both directions, with Blazor's markers. Host values become markers on the way out
 * (byte arrays go out of band first); markers from the page become host objects on the way in.
 * Both directions take a fast path without replacer or reviver when no marker is involved,
 * because V8 leaves its fast paths for them: on the way out the check for values JSON would change
 * (sendable-values.ts) says whether markers are inside; markers from the page are revived by a
 * walk after a plain parse rather than by a JSON.parse reviver.
 */
import { BytesToSend, withBytesToSend } from './bytes-to-send.js';
import { ElementReference } from './element-reference.js';
import { HostObjectReference } from './host-object-reference.js';
import { HostStreamReference } from './host-stream-reference.js';
import { JSObjectReference } from './js-object-reference.js';
import { JSStreamReference } from './js-stream-reference.js';
import { isReference, isTopLevelMarker, scanArguments, scanResult, Serialization, type TopLevelMarker } from './sendable-values.js';
import { Marker, NULL_JS_OBJECT_ID } from './wire.js';

/**
 * Beyond Blazor: pass this as an argument and the JS function receives an AbortSignal that
 * aborts when the host gives up on the call (its timeout fires or its own signal aborts).
 * With a sync call, or a page without jsinterop's glue, the signal never aborts.
 */
export const pageAbortSignal: object = Object.freeze({ toJSON: () => ({ [Marker.abortSignal]: 0 }) });

/** What the codec needs from the runtime it serves. */
export interface CodecContext {
  /** Sends bytes to the page and returns the id the marker carries. */
  sendByteArray(data: Uint8Array): number;
  /** Tracks a host object for the page and returns its id. */
  adoptForPage(reference: HostObjectReference<object>): number;
  /** Starts transmitting a host stream and returns its id. */
  transmitHostStream(reference: HostStreamReference): number;
  /** The id to send for a JS reference; throws if it is disposed or belongs to another runtime. */
  argumentIdOf(reference: JSObjectReference | JSStreamReference): number;
  /** A host object the page names by id; throws Blazor's message when unknown. */
  hostObjectById(id: unknown): HostObjectReference<object>;
  /** Byte arrays the page sent ahead of the message being parsed. */
  takeByteArray(id: unknown): Uint8Array;
  createJSObjectReference(id: number): JSObjectReference;
  createJSStreamReference(id: number, length: number): JSStreamReference;
  /** The async handle of the call whose arguments are being serialized (0 for sync calls). */
  readonly serializingHandle: number;
}

/** The three codec operations, bound once per runtime so the hot path allocates no closures. */
export interface JsonCodec {
  /**
   * Serializes the arguments of the call `identifier`; throws, before anything is sent, when JSON
   * would change an argument (src/host/sendable-values.ts).
   */
  stringifyArgs(identifier: string, args: readonly unknown[]): string;
  /**
   * Serializes one value (the result of the invokable `methodIdentifier`, sent to the page);
   * `undefined` becomes `null`. Throws, like stringifyArgs, when JSON would change the value.
   */
  stringifyValue(methodIdentifier: string, value: unknown): string;
  /** Parses JSON from the page, reviving markers. */
  parse(json: string): unknown;
}

export function createJsonCodec(context: CodecContext): JsonCodec {
  const replacer = replacerFor(context);
  const revive = reviverFor(context);
  return {
    stringifyArgs: (identifier, args) => {
      // The check walks every object argument; what it finds also picks the cheapest way to write them.
      const serialization = scanArguments(identifier, args);
      if (serialization === Serialization.plain) return JSON.stringify(args);
      // Performance (see docs/benchmarks.md): JSON.stringify with a replacer function leaves V8's
      // fast path and calls back into JS for every key, which made a call with one byte-array
      // argument 1.2× the cost of driving the page by hand. Arguments that are byte arrays or
      // references themselves (not nested in objects) get their markers here instead: the same
      // text, the same calls to the context in the same order, no replacer.
      if (serialization === Serialization.topLevelMarkers) {
        const marked: unknown[] = args.slice();
        for (let i = 0; i < marked.length; i++) {
          const value = marked[i];
          if (typeof value === 'object' && value !== null && isTopLevelMarker(value)) marked[i] = markerOf(value, context);
        }
        return JSON.stringify(marked);
      }
      return JSON.stringify(serialization & Serialization.byteArrayToJSON ? withBytesToSend(args) : args, replacer);
    },
    stringifyValue: (methodIdentifier, value) => {
      if (value === undefined || value === null) return 'null';
      if (value instanceof Uint8Array) return JSON.stringify(markerFor(value, context));
      const serialization = scanResult(methodIdentifier, value);
      if (serialization === Serialization.plain) return JSON.stringify(value) ?? 'null';
      return JSON.stringify(serialization & Serialization.byteArrayToJSON ? withBytesToSend(value) : value, replacer) ?? 'null';
    },
    parse: (json) => {
      if (json.indexOf('"__') === -1) return JSON.parse(json);
      const bytes = byteArrayCompletion(json, context);
      return bytes ?? reviveMarkers(JSON.parse(json), revive);
    },
  };
}

/**
 * `[asyncHandle,true,{"__byte[]":id}]`, exactly as the official package writes a completion whose
 * result is one byte array: the value JSON.parse and the marker walk would give, without them
 * (together over a microsecond, a large part of a call that moves a big array and back). Any
 * other text, even one that differs only in spacing, takes the general path.
 */
const BYTE_ARRAY_COMPLETION = /^\[(0|[1-9]\d{0,15}),true,\{"__byte\[\]":(0|[1-9]\d{0,8})\}\]$/;

function byteArrayCompletion(json: string, context: CodecContext): unknown[] | undefined {
  // Cheap checks first: most texts with a marker are not this one.
  if (json.length > 48 || json.charCodeAt(json.length - 2) !== 0x7d /* } */) return undefined;
  const match = BYTE_ARRAY_COMPLETION.exec(json);
  if (match === null) return undefined;
  const handle = Number(match[1]);
  // JSON.parse would give a number that is not the integer written; the general path keeps that behaviour.
  if (!Number.isSafeInteger(handle)) return undefined;
  return [handle, true, context.takeByteArray(Number(match[2]))];
}

/**
 * The marker the replacer would write for an argument that {@link isTopLevelMarker} accepts, with
 * the same calls: JSON.stringify runs a JS reference's toJSON (which throws when it is disposed)
 * before the replacer asks for its id.
 */
function markerOf(value: TopLevelMarker, context: CodecContext): object {
  if (value instanceof JSObjectReference) value.toJSON();
  return markerFor(value, context);
}

/** The marker of a byte array or a reference, with the context call that sends or registers it. */
function markerFor(value: TopLevelMarker, context: CodecContext): object {
  if (value instanceof Uint8Array) return { [Marker.byteArray]: context.sendByteArray(value) };
  if (value instanceof HostStreamReference) return { [Marker.hostStream]: context.transmitHostStream(value) };
  if (value instanceof HostObjectReference) return { [Marker.hostObject]: context.adoptForPage(value) };
  return { [Marker.jsObjectId]: context.argumentIdOf(value) };
}

function replacerFor(context: CodecContext) {
  return function replacer(this: any, key: string, value: unknown): unknown {
    // `this[key]` is the value before toJSON ran: a Buffer must travel as bytes, not as its toJSON form.
    const raw = this[key];
    if (raw === null || typeof raw !== 'object') return value;
    if (raw === pageAbortSignal) return { [Marker.abortSignal]: context.serializingHandle };
    if (raw instanceof Uint8Array || isReference(raw)) return markerFor(raw, context);
    if (raw instanceof BytesToSend) return markerFor(raw.bytes, context);
    return value;
  };
}

function onlyKeys(value: object, allowed: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) throw new SyntaxError(`Unexpected JSON property ${key}.`);
  }
}

function integerId(value: unknown, marker: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new SyntaxError(`The ${marker} marker needs an integer id, but received ${JSON.stringify(value)}.`);
  }
  return value;
}

/**
 * What a JSON.parse reviver would do, done after a plain parse: each object (not array) is offered
 * to `revive`, children before parents and in key order, and replaced by what it returns. V8's
 * JSON.parse with a reviver costs over a microsecond more than without, even for a tiny text
 * such as a completion carrying one byte array; this walk costs a fraction of that.
 */
export function reviveMarkers(value: unknown, revive: (value: any) => unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      if (item !== null && typeof item === 'object') value[i] = reviveMarkers(item, revive);
    }
    return value;
  }
  for (const key of Object.keys(value)) {
    const item = (value as Record<string, unknown>)[key];
    if (item === null || typeof item !== 'object') continue;
    const revived = reviveMarkers(item, revive);
    // Safe for "__proto__" too: JSON.parse made it an own data property, which shadows the setter.
    if (revived !== item) (value as Record<string, unknown>)[key] = revived;
  }
  return revive(value);
}

/**
 * An element from the page: {"__internalId": id} as the official package 11 marshals an element
 * (from its `_bl_<id>` attribute) and as `elementReference(element)` from jsinterop/page writes it.
 * Only that exact shape is revived. Unlike the other markers the key is not reserved by the
 * interop layer (Blazor's Components layer owns it, and .NET converts only where a parameter is
 * typed ElementReference), so other objects that happen to have the key are left as they are.
 */
function elementReferenceFrom(value: Record<string, unknown>): unknown {
  const id = value[Marker.elementReference];
  if (typeof id !== 'string' || id === '') return value;
  for (const key in value) if (key !== Marker.elementReference) return value;
  return new ElementReference(id);
}

function reviverFor(context: CodecContext) {
  /** Turns a marker object into the host value it stands for; other objects stay as they are. */
  return function revive(value: any): unknown {
    if (Object.hasOwn(value, Marker.jsObjectId)) {
      const id = integerId(value[Marker.jsObjectId], Marker.jsObjectId);
      if (Object.hasOwn(value, Marker.jsStreamLength)) {
        onlyKeys(value, [Marker.jsObjectId, Marker.jsStreamLength]);
        const length = value[Marker.jsStreamLength];
        if (typeof length !== 'number' || !(length > 0) || !Number.isSafeInteger(length)) throw new RangeError('Length must be a positive value.');
        return context.createJSStreamReference(id, length);
      }
      onlyKeys(value, [Marker.jsObjectId]);
      return id === NULL_JS_OBJECT_ID ? null : context.createJSObjectReference(id);
    }
    if (Object.hasOwn(value, Marker.hostObject)) {
      onlyKeys(value, [Marker.hostObject]);
      return context.hostObjectById(value[Marker.hostObject]);
    }
    if (Object.hasOwn(value, Marker.byteArray)) {
      onlyKeys(value, [Marker.byteArray]);
      return context.takeByteArray(value[Marker.byteArray]);
    }
    if (Object.hasOwn(value, Marker.hostStream)) {
      throw new TypeError('DotNetStreamReference cannot be supplied from JavaScript to .NET because the stream contents have already been transferred.');
    }
    if (Object.hasOwn(value, Marker.elementReference)) return elementReferenceFrom(value);
    return value;
  };
}
