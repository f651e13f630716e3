/*
 * What a browser needs before the official page package loads: nothing, since it has `window`
 * and `document`. The package.json import "#node-globals" resolves here everywhere but Node
 * (src/page/node-globals.ts), so page bundles do not carry Node's shim.
 */
export {};
