import '#node-globals'; // Node: window and document.baseURI first (package.json "imports"); browsers: nothing
import { DotNet } from '@microsoft/dotnet-js-interop';

/** The official page package's namespace type. */
export type DotNetNamespace = typeof DotNet;

// Blazor's boot script does the same: the host disposes JS objects through "DotNet.disposeJSObjectReferenceById".
(globalThis as any).DotNet ??= DotNet;

export { DotNet };
