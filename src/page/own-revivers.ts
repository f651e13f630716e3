/*
 * The revivers the glue itself attaches to a package instance (abort signals, elements). The
 * direct call path (direct-calls.ts) parses arguments without the package's reviver chain only
 * while every reviver in that chain is the package's own or one of these, whose effect on a JSON
 * text without their marker it knows: none.
 */
import type { DotNetNamespace } from './official-package.js';

type Reviver = Parameters<DotNetNamespace['attachReviver']>[0];

const byInstance = new WeakMap<object, Set<unknown>>();

/** Attaches `reviver` to `DotNet` and remembers it as the glue's. */
export function attachOwnReviver(DotNet: DotNetNamespace, reviver: Reviver): void {
  let own = byInstance.get(DotNet);
  if (!own) byInstance.set(DotNet, (own = new Set()));
  own.add(reviver);
  DotNet.attachReviver(reviver);
}

/** Whether the glue attached `reviver` to `DotNet`. */
export function isOwnReviver(DotNet: DotNetNamespace, reviver: unknown): boolean {
  return byInstance.get(DotNet)?.has(reviver) ?? false;
}
