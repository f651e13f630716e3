/*
 * Which host functions the page may call. Deny by default: a method is reachable only when it
 * is marked with @JSInvokable or listed explicitly, and lookups go through Maps built from
 * those marks, so prototype names (`__proto__`, `constructor`, `toString`) never resolve.
 */

import { missingStaticHint, unknownAssemblyHint } from './dispatch-hints.js';

import { requireNonBlank } from './blazor-arguments.js';
import type { RegisteredInvokables } from './invokable-types.js';

type AnyFunction = (...args: any[]) => unknown;

const aliasesByFunction = new WeakMap<Function, string[]>();

function validIdentifier(identifier: string, what: string): string {
  if (typeof identifier !== 'string' || identifier.trim() === '') {
    throw new TypeError(`${what}: the identifier cannot be an empty string or composed entirely of whitespace.`);
  }
  return identifier;
}

function mark(method: Function, identifier: string): void {
  const aliases = aliasesByFunction.get(method);
  if (aliases) aliases.push(identifier);
  else aliasesByFunction.set(method, [identifier]);
}

/**
 * Marks a method as callable from the page (Blazor's `[JSInvokable]`). With an identifier,
 * the page calls it by that name instead of the method's own; apply it twice for two aliases.
 * Works as a standard (TC39) decorator and as a legacy `experimentalDecorators` one.
 */
export function JSInvokable(identifier?: string) {
  if (identifier !== undefined) validIdentifier(identifier, '@JSInvokable');
  return function (target: any, context: any, descriptor?: PropertyDescriptor): void {
    if (context && typeof context === 'object' && 'kind' in context) {
      if (context.kind !== 'method') throw new TypeError('@JSInvokable applies to methods only.');
      mark(target, identifier ?? String(context.name));
      return;
    }
    const method = descriptor?.value;
    if (typeof method !== 'function') throw new TypeError('@JSInvokable applies to methods only.');
    mark(method, identifier ?? String(context));
  };
}

/** The methods of one host object type (or one static assembly) the page may call, by identifier. */
export type InvokableTable = ReadonlyMap<string, { readonly fn: AnyFunction; readonly thisArg: unknown }>;

const tablesByPrototype = new WeakMap<object, Map<string, AnyFunction>>();

/** Decorated methods found on `source` and its prototype chain; nearer definitions win. */
function decoratedMethods(source: object): Map<string, AnyFunction> {
  const cached = tablesByPrototype.get(source);
  if (cached) return cached;
  const table = new Map<string, AnyFunction>();
  for (let p: object | null = source; p && p !== Object.prototype && p !== Function.prototype; p = Object.getPrototypeOf(p)) {
    for (const name of Object.getOwnPropertyNames(p)) {
      const value = Object.getOwnPropertyDescriptor(p, name)?.value;
      if (typeof value !== 'function') continue;
      for (const alias of aliasesByFunction.get(value) ?? []) if (!table.has(alias)) table.set(alias, value as AnyFunction);
    }
  }
  tablesByPrototype.set(source, table);
  return table;
}

/** Explicit allow-list form: method names, or `{ identifier: methodName }` for aliases. */
export type InvokableList<T> = readonly (keyof T & string)[] | { readonly [identifier: string]: keyof T & string };

/** The identifiers the page may call on `target`: decorated methods plus the explicit list. */
export function invokableMethodsOf(target: object, list?: InvokableList<any>): Map<string, AnyFunction> {
  const proto = Object.getPrototypeOf(target);
  const decorated = proto ? decoratedMethods(proto) : new Map<string, AnyFunction>();
  if (!list) return decorated;
  const table = new Map(decorated);
  const entries: [string, string][] = Array.isArray(list)
    ? (list as string[]).map((name) => [name, name])
    : Object.entries(list as Record<string, string>);
  for (const [identifier, name] of entries) {
    validIdentifier(identifier, 'HostObjectReference.create');
    const fn = (target as Record<string, unknown>)[name];
    if (typeof fn !== 'function') throw new TypeError(`HostObjectReference.create: '${name}' is not a method of the object, so it cannot be invokable.`);
    table.set(identifier, fn as AnyFunction);
  }
  return table;
}

/** Static invokables by assembly name (Blazor scans assemblies; we register explicitly). */
const assemblies = new Map<string, Map<string, { fn: AnyFunction; thisArg: unknown }>>();

/**
 * Registers functions the page can call with `DotNet.invokeMethodAsync(assemblyName, identifier, ...args)`.
 * Pass a class to register its `@JSInvokable` static methods, or an object whose function
 * properties are all invokable under their keys. Returns a function that unregisters them, whose type also
 * carries the assembly name and the methods: export it, and page code can type its calls by it
 * (`TypedDotNet<typeof import('./host.js').shop>` in `jsinterop/page`).
 */
export function registerInvokables<const AssemblyName extends string, Source extends Function | Record<string, unknown>>(
  assemblyName: AssemblyName,
  source: Source,
): RegisteredInvokables<AssemblyName, Source> {
  validIdentifier(assemblyName, 'registerInvokables');
  const entries: [string, AnyFunction][] =
    typeof source === 'function'
      ? [...decoratedMethods(source)]
      : Object.entries(source).filter((e): e is [string, AnyFunction] => typeof e[1] === 'function');
  if (entries.length === 0) throw new TypeError(`registerInvokables('${assemblyName}'): found no invokable functions to register.`);
  let table = assemblies.get(assemblyName);
  if (!table) assemblies.set(assemblyName, (table = new Map()));
  for (const [identifier] of entries) {
    if (table.has(identifier)) {
      throw new Error(`The assembly '${assemblyName}' already has an invokable method '${identifier}'; identifiers must be unique within an assembly.`);
    }
  }
  for (const [identifier, fn] of entries) table.set(identifier, { fn, thisArg: source });
  return () => {
    for (const [identifier, fn] of entries) if (table.get(identifier)?.fn === fn) table.delete(identifier);
    if (table.size === 0 && assemblies.get(assemblyName) === table) assemblies.delete(assemblyName);
  };
}

/** Resolves a static invokable, failing with Blazor's messages and what to do about them on our host. */
export function findStaticInvokable(assemblyName: string | null, identifier: string | null): { fn: AnyFunction; thisArg: unknown } {
  // Blazor checks the assembly before the method, under these parameter names.
  requireNonBlank(assemblyName, 'assemblyKey.AssemblyName');
  requireNonBlank(identifier, 'methodIdentifier');
  const table = assemblies.get(assemblyName);
  if (!table) throw new Error(`There is no loaded assembly with the name '${assemblyName}'. ${unknownAssemblyHint(assemblyName, identifier)}`);
  const entry = table.get(identifier);
  if (!entry) {
    throw new Error(`The assembly '${assemblyName}' does not contain a public invokable method with [JSInvokableAttribute("${identifier}")]. ${missingStaticHint(assemblyName, identifier)}`);
  }
  return entry;
}
