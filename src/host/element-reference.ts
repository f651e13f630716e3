/*
 * Blazor's ElementReference: an element of the page named by an id, never by a handle the host
 * holds, so it needs no disposal. The element carries the attribute `_bl_<id>`; on the wire it is
 * {"__internalId": "<id>"}, exactly as Blazor's ElementReferenceJsonConverter writes it, and the
 * page glue (src/page/element-references.ts) turns that marker back into the element, as Blazor's
 * renderer script does, so scripts written for Blazor receive the element.
 */
import { JSRuntime } from './runtime.js';
import { Marker } from './wire.js';
import type { IJSObjectReference, IJSRuntime } from './types.js';

/** The identifier Blazor's `ElementReference.FocusAsync` calls, provided on the page by jsinterop's glue. */
export const DOM_WRAPPER_FOCUS = 'Blazor._internal.domWrapper.focus';

/**
 * A reference to an element of the page, as Blazor's `ElementReference`: pass it as an argument
 * and the JavaScript function receives the element (the one carrying the attribute `_bl_<id>`).
 *
 * Host code has no renderer, so it gets one in one of three ways:
 * - {@link ElementReference.capture}: the page marks the element a selector (or a JS object
 *   reference) names, and the host gets a reference to it;
 * - `new ElementReference(id)`, for markup that already carries `_bl_<id>` (a server that
 *   renders it);
 * - from the page: a call's argument marked by `elementReference(element)` from
 *   `jsinterop/page` (or an element itself, with the official package 11 and later) arrives as one.
 *
 * An ElementReference holds no page resources: there is nothing to dispose.
 */
export class ElementReference {
  /** The id of the element's `_bl_<id>` attribute (Blazor's `ElementReference.Id`). */
  readonly id: string;

  /** A reference to the element carrying the attribute `_bl_<id>`. */
  constructor(id: string) {
    if (typeof id !== 'string' || id.length === 0) {
      throw new TypeError(`An ElementReference needs the non-empty id of the element's _bl_<id> attribute, but received ${describe(id)}.`);
    }
    this.id = id;
    Object.freeze(this);
  }

  /**
   * Marks the element `target` names (a CSS selector, as `document.querySelector` takes it, or a
   * JS object reference to the element) with a `_bl_<id>` attribute, or reuses the one it has,
   * and resolves with a reference to it; with null when no element matches the selector.
   * Generated ids start with "jsi" and so never take the form of Blazor's (a GUID or a number).
   */
  static capture(js: IJSRuntime, target: string | IJSObjectReference): Promise<ElementReference | null> {
    if (!(js instanceof JSRuntime)) {
      return Promise.reject(new TypeError('ElementReference.capture needs a runtime created by jsinterop: it calls the page helpers its glue installs.'));
    }
    return js.callPageHelper<ElementReference | null>('captureElement', [target]);
  }

  /**
   * Gives the element focus, as Blazor's `ElementReference.FocusAsync(preventScroll)`: calls
   * `Blazor._internal.domWrapper.focus` on the page through `js`, which jsinterop's page glue
   * provides (and a page running Blazor already has).
   */
  focusAsync(js: IJSRuntime, preventScroll = false): Promise<void> {
    return js.invokeVoidAsync(DOM_WRAPPER_FOCUS, this, preventScroll);
  }

  /** Blazor's JSON form: {"__internalId": id}. */
  toJSON(): { readonly [Marker.elementReference]: string } {
    return { [Marker.elementReference]: this.id };
  }
}

function describe(value: unknown): string {
  return typeof value === 'string' ? 'an empty string' : value === null ? 'null' : typeof value;
}
