/**
 * The page side: the official `@microsoft/dotnet-js-interop` package and the glue that attaches it
 * to a jsinterop host. Importing this entry loads the package (in Node it first provides the
 * `window` and `document.baseURI` globals the package expects) and sets `globalThis.DotNet`.
 *
 * @packageDocumentation
 */
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
