/*
 * Blazor's ElementReference on the page. An element a reference names carries the attribute
 * `_bl_<id>`; the host sends {"__internalId": "<id>"} and, as Blazor's renderer script does, a
 * reviver on the official package turns it into that element (null when no element has the
 * attribute), so scripts written for Blazor receive the element.
 *
 * The reviver is attached the first time a JSON text holds the marker, not up front: the package
 * runs every reviver for every key of every JSON text it parses, and most pages never receive an
 * element (src/page/abort-signals.ts does the same). Once attached it costs a typeof per value.
 * Without a DOM (the official package in Node) it is never attached: there are no elements, and
 * JS functions receive the marker object as the package alone would give it.
 */
import type { DotNetNamespace } from './official-package.js';
import { attachOwnReviver } from './own-revivers.js';

const MARKER = '__internalId';
const ATTRIBUTE_PREFIX = '_bl_';

/**
 * The part of a DOM element this module uses. Declared here, not taken from the DOM library, so
 * the published types compile in projects without "DOM" in their `lib` (a Node host).
 */
export interface PageElement {
  getAttributeNames(): string[];
  setAttribute(name: string, value: string): void;
}

/** What a page's JSON carries for an element: Blazor's ElementReference form. */
export interface ElementReferenceJson {
  readonly __internalId: string;
}

function hasDom(): boolean {
  return typeof document === 'object' && document !== null && typeof (document as Partial<Document>).querySelector === 'function';
}

/** The element carrying `_bl_<id>`, or null. */
function elementById(id: string): unknown {
  const name = ATTRIBUTE_PREFIX + id;
  // Blazor's ids (GUIDs, numbers) need no escaping; CSS.escape keeps any other id from breaking the selector.
  return document.querySelector(`[${typeof CSS === 'object' && typeof CSS.escape === 'function' ? CSS.escape(name) : name}]`);
}

// Ids this page generates: "jsi", a random part per copy of this module (two bundles on one page
// must not hand out the same id) and a counter. Blazor's are GUIDs (server) or numbers
// (WebAssembly), so none of ours can name an element Blazor's renderer captured.
const idPrefix = `jsi${Math.random().toString(36).slice(2, 8)}-`;
let nextId = 1;

/**
 * The id of `element`'s `_bl_<id>` attribute, which it gets if it has none. An element that
 * already has one (from server-rendered markup, Blazor's renderer or an earlier capture) keeps it,
 * so capturing it again names it the same way and adds nothing.
 */
export function elementIdOf(element: PageElement): string {
  for (const name of element.getAttributeNames()) {
    if (name.startsWith(ATTRIBUTE_PREFIX) && name.length > ATTRIBUTE_PREFIX.length) return name.slice(ATTRIBUTE_PREFIX.length);
  }
  const id = idPrefix + nextId++;
  element.setAttribute(ATTRIBUTE_PREFIX + id, '');
  return id;
}

/**
 * Marks `element` (see {@link elementIdOf}) and returns Blazor's JSON form of a reference to it.
 * Pass the result to `DotNet.invokeMethodAsync` (or a `DotNetObject`'s) and the jsinterop host
 * receives an `ElementReference`. The official package 10 turns an element itself into `{}`;
 * version 11 sends this form for elements that carry a `_bl_` attribute.
 */
export function elementReference(element: PageElement): ElementReferenceJson {
  if (typeof Element !== 'function' || !(element instanceof Element)) {
    throw new TypeError('elementReference needs an element of this page\'s document.');
  }
  return { [MARKER]: elementIdOf(element) } as ElementReferenceJson;
}

/** Attaches the element reviver to a package instance once a JSON text it will parse holds the marker. */
export interface ElementRevival {
  /** Call with JSON the package is about to parse (a call's arguments, a result). */
  watch(json: string | null): void;
}

const byInstance = new WeakMap<object, ElementRevival>();

function reviveElement(_key: unknown, value: any): unknown {
  // Cheapest test first: most values are primitives, most objects lack the key.
  if (typeof value !== 'object' || value === null || typeof value[MARKER] !== 'string' || !Object.hasOwn(value, MARKER)) return value;
  return elementById(value[MARKER]);
}

export function elementRevivalFor(DotNet: DotNetNamespace): ElementRevival {
  const existing = byInstance.get(DotNet);
  if (existing) return existing;
  let attached = false;
  const revival: ElementRevival = {
    watch(json) {
      if (attached || json === null || !json.includes(MARKER) || !hasDom()) return;
      attached = true;
      attachOwnReviver(DotNet, reviveElement);
    },
  };
  byInstance.set(DotNet, revival);
  return revival;
}
