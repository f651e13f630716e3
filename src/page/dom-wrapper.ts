/*
 * `Blazor._internal.domWrapper`: the part of Blazor's renderer script that interop calls reach.
 * Blazor's `ElementReference.FocusAsync` calls `Blazor._internal.domWrapper.focus(element,
 * preventScroll)`, and component libraries call `focusBySelector` directly, so jsinterop's page
 * glue provides both, with Blazor's behaviour and texts. The rest of `window.Blazor` belongs to
 * Blazor's renderer and startup, which jsinterop does not have (docs/differences.md).
 */

function focus(element: unknown, preventScroll: boolean): void {
  if (element instanceof HTMLElement) {
    element.focus({ preventScroll });
  } else if (element instanceof SVGElement) {
    // An SVG element takes focus only with a tabindex; Blazor refuses rather than do nothing.
    if (!element.hasAttribute('tabindex')) throw new Error('Unable to focus an SVG element that does not have a tabindex.');
    element.focus({ preventScroll });
  } else {
    throw new Error('Unable to focus an invalid element.');
  }
}

function focusBySelector(selector: string): void {
  const element = document.querySelector(selector);
  if (!(element instanceof HTMLElement)) return; // Blazor ignores a selector that matches nothing
  // An element without a tabindex would not take focus: make it focusable by script only, as Blazor does.
  if (!element.hasAttribute('tabindex')) element.tabIndex = -1;
  element.focus({ preventScroll: true });
}

/** Blazor's `Blazor._internal.domWrapper` functions that interop calls reach. */
export const domWrapper = Object.freeze({ focus, focusBySelector });

/**
 * Provides `Blazor._internal.domWrapper` on the page's global object, in a browser only (there is
 * nothing to focus without a DOM). What a page already has stays: a page that also runs Blazor,
 * or a script that set its own `window.Blazor`, keeps its objects and functions.
 */
export function installDomWrapper(): void {
  if (typeof HTMLElement !== 'function' || typeof document !== 'object') return;
  const g = globalThis as { Blazor?: any };
  const blazor = (g.Blazor ??= {});
  const internal = (blazor._internal ??= {});
  internal.domWrapper ??= domWrapper;
}
