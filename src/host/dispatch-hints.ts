/*
 * Blazor's "method not found" texts are wire-visible and kept word for word, but they speak .NET
 * ("loaded assembly", "[JSInvokableAttribute]"). Each gets a sentence after it saying what a
 * TypeScript host does instead. They travel only where host error details do (detailedErrors).
 */

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** `'text'` as a JavaScript string literal. */
function quoted(text: string): string {
  return `'${text.replace(/[\\']/g, '\\$&').replace(/\n/g, '\\n')}'`;
}

/** `name` as a method in an object literal: `Price` or `'price-v2'`. */
function methodName(identifier: string): string {
  return IDENTIFIER.test(identifier) ? identifier : quoted(identifier);
}

/** After `There is no loaded assembly with the name '<asm>'.` */
export function unknownAssemblyHint(assemblyName: string, identifier: string): string {
  return `On a jsinterop host, register the functions before the page calls them: registerInvokables(${quoted(assemblyName)}, { ${methodName(identifier)}() {…} }).`;
}

/** After `The assembly '<asm>' does not contain a public invokable method with [JSInvokableAttribute("<id>")].` */
export function missingStaticHint(assemblyName: string, identifier: string): string {
  return (
    `On a jsinterop host, register it: registerInvokables(${quoted(assemblyName)}, { ${methodName(identifier)}() {…} }), ` +
    `or mark a static method of the class registered as ${quoted(assemblyName)} with @JSInvokable(${quoted(identifier)}).`
  );
}

/** After `The type '<T>' does not contain a public invokable method with [JSInvokableAttribute("<id>")].` */
export function notInvokableHint(identifier: string): string {
  return (
    `On a jsinterop host, mark the method with @JSInvokable() (or @JSInvokable(${quoted(identifier)}) on a method named otherwise), ` +
    `or list it when creating the reference: HostObjectReference.create(obj, { invokable: [${quoted(identifier)}] }).`
  );
}
