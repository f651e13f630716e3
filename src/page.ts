/**
 * The page side: the official `@microsoft/dotnet-js-interop` package and the glue that attaches it
 * to a jsinterop host. Importing this entry loads the package (in Node it first provides the
 * `window` and `document.baseURI` globals the package expects) and sets `globalThis.DotNet`; in a
 * browser it also provides `Blazor._internal.domWrapper` (focus, focusBySelector), which
 * `ElementReference.focusAsync` and scripts written for Blazor call, keeping any `window.Blazor`
 * the page already has.
 *
 * @packageDocumentation
 */
import { installDomWrapper } from './page/dom-wrapper.js';

export { DotNet, type DotNetNamespace } from './page/official-package.js';
export { pageHelpers, type PageHelpers } from './page/page-helpers.js';
export type {
  HostObject,
  TypedDotNet,
  TypedStaticCalls,
  PageValue,
  PageArgument,
  PageArguments,
  PageResult,
  DotNetStream,
} from './page/typed-host-calls.js';
export { elementReference, type ElementReferenceJson, type PageElement } from './page/element-references.js';
export { domWrapper } from './page/dom-wrapper.js';

installDomWrapper();
