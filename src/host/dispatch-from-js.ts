/*
 * Page-to-host calls: find the invokable, parse its arguments, run it, and format the result or
 * the failure the way Blazor's DotNetDispatcher does, so page code sees the same texts.
 */
import { requireNonBlank } from './blazor-arguments.js';
import { notInvokableHint } from './dispatch-hints.js';
import { findStaticInvokable } from './invokable.js';
import { DISPOSE_HOST_OBJECT_METHOD } from './wire.js';
import type { HostObjectReference } from './host-object-reference.js';
import type { JsonCodec } from './json-codec.js';

type AnyFunction = (...args: any[]) => unknown;

export interface DispatchContext {
  readonly codec: JsonCodec;
  readonly detailedErrors: boolean;
  hostObjectById(id: unknown): HostObjectReference<object>;
  /** Byte arrays of a message are used while its arguments are parsed, then dropped. */
  clearByteArrays(): void;
}

/** A resolved call: what to run and with which arguments. `undefined` fn means `__Dispose`. */
interface PreparedCall {
  readonly fn: AnyFunction | undefined;
  readonly thisArg: unknown;
  readonly args: unknown[];
}

/** Whether a host method's result must be awaited (a Promise or any other thenable). */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && typeof value === 'object' && typeof (value as PromiseLike<unknown>).then === 'function';
}

function describe(assemblyName: string | null, methodIdentifier: string | null): string {
  return assemblyName ? `'${methodIdentifier}' on assembly '${assemblyName}'` : `'${methodIdentifier}'`;
}

/** How a failure names the page's call to the host: "The call to 'M' on assembly 'A'". */
export const describeCall = (assemblyName: string | null, methodIdentifier: string | null): string => `The call to ${describe(assemblyName, methodIdentifier)}`;

export function prepareCall(
  context: DispatchContext,
  assemblyName: string | null,
  methodIdentifier: string | null,
  dotNetObjectId: number,
  argsJson: string | null,
): PreparedCall {
  let fn: AnyFunction | undefined;
  let thisArg: unknown;
  // Blazor's order: an instance call finds its object, refuses an assembly name, handles
  // __Dispose, then checks the identifier; a static call checks the assembly, then the identifier.
  if (dotNetObjectId) {
    const reference = context.hostObjectById(dotNetObjectId);
    if (assemblyName !== null && assemblyName !== undefined) {
      throw new TypeError(`For instance method calls, 'assemblyName' should be null. Value received: '${assemblyName}'.`);
    }
    if (methodIdentifier === DISPOSE_HOST_OBJECT_METHOD) {
      reference.dispose();
      return { fn: undefined, thisArg: undefined, args: [] };
    }
    requireNonBlank(methodIdentifier, 'methodIdentifier');
    fn = reference.findMethod(methodIdentifier);
    if (!fn) {
      throw new Error(
        `The type '${reference.typeName()}' does not contain a public invokable method with [JSInvokableAttribute("${methodIdentifier}")]. ${notInvokableHint(methodIdentifier)}`,
      );
    }
    thisArg = reference.value;
  } else {
    ({ fn, thisArg } = findStaticInvokable(assemblyName, methodIdentifier));
  }
  let args: unknown[];
  try {
    const parsed = argsJson ? context.codec.parse(argsJson) : [];
    if (!Array.isArray(parsed)) throw new SyntaxError(`The arguments of ${describe(assemblyName, methodIdentifier)} must be a JSON array.`);
    args = parsed;
  } finally {
    context.clearByteArrays();
  }
  if (args.length < fn.length) {
    throw new TypeError(`The call to '${methodIdentifier}' expects '${fn.length}' parameters, but received '${args.length}'.`);
  }
  return { fn, thisArg, args };
}

/**
 * The failure text the page receives: full detail, or Blazor's redacted message. The page rejects
 * with `new Error(text)`, whose toString() puts "Error: " in front, so a plain Error's own
 * "Error: " is left out (the page would show "Error: Error: …"); other names (TypeError,
 * RangeError) say what failed, as .NET's exception type does in Blazor's text, and stay.
 */
export function failureText(context: DispatchContext, error: unknown, assemblyName: string | null, methodIdentifier: string | null): string {
  if (!context.detailedErrors) {
    return `There was an exception invoking ${describe(assemblyName, methodIdentifier)}. For more details turn on detailed exceptions in 'CircuitOptions.DetailedErrors'`;
  }
  if (!(error instanceof Error)) return String(error);
  const text = error.stack && error.stack.includes(error.message) ? error.stack : `${error.name}: ${error.message}`;
  return error.name === 'Error' && text.startsWith(PLAIN_ERROR_PREFIX) ? text.slice(PLAIN_ERROR_PREFIX.length) : text;
}

const PLAIN_ERROR_PREFIX = 'Error: ';

/** Runs a page-to-host call synchronously (`DotNet.invokeMethod`). */
export function invokeSync(
  context: DispatchContext,
  assemblyName: string | null,
  methodIdentifier: string | null,
  dotNetObjectId: number,
  argsJson: string | null,
): string | null {
  const call = prepareCall(context, assemblyName, methodIdentifier, dotNetObjectId, argsJson);
  if (!call.fn) return null;
  const result = call.fn.apply(call.thisArg, call.args);
  if (isThenable(result)) {
    result.then(undefined, () => {});
    throw new Error(`${describe(assemblyName, methodIdentifier)} returned a Promise, which a synchronous call cannot wait for. Call it with invokeMethodAsync instead.`);
  }
  return result === undefined || result === null ? null : context.codec.stringifyValue(methodIdentifier ?? '', result);
}
