/*
 * Beyond Blazor: host cancellation that reaches JavaScript. The host serializes its
 * `pageAbortSignal` argument as {"__jsinteropAbortSignal": asyncHandle}; the reviver below turns
 * it into an AbortSignal that aborts when the host sends CancelJS for that handle. Revivers are
 * global to a package instance, so the controllers are kept per instance, keyed by handle.
 *
 * The reviver is attached the first time a call's arguments hold the marker, not up front: the
 * package runs every reviver for every key of every JSON text it parses, and most pages never
 * receive a signal.
 */
import type { DotNetNamespace } from './official-package.js';
import { attachOwnReviver } from './own-revivers.js';

const MARKER = '__jsinteropAbortSignal';

export interface AbortSignals {
  /** Call with a call's arguments before the package parses them. */
  watch(argsJson: string | null): void;
  /** The host gave up on the call: abort its signal, if the JS function took one. */
  abort(asyncHandle: number, reason: string): void;
  /** The call finished: forget its controller. */
  settled(asyncHandle: number): void;
}

const byInstance = new WeakMap<object, AbortSignals>();

export function abortSignalsFor(DotNet: DotNetNamespace): AbortSignals {
  const existing = byInstance.get(DotNet);
  if (existing) return existing;
  const controllers = new Map<number, AbortController>();
  let attached = false;
  const signals: AbortSignals = {
    watch(argsJson) {
      if (attached || argsJson === null || !argsJson.includes(MARKER)) return;
      attached = true;
      attachOwnReviver(DotNet, (_key: unknown, value: any) => {
        if (value === null || typeof value !== 'object' || !Object.hasOwn(value, MARKER)) return value;
        const handle = value[MARKER];
        const controller = new AbortController();
        if (typeof handle === 'number' && handle > 0) controllers.set(handle, controller);
        return controller.signal;
      });
    },
    abort(asyncHandle, reason) {
      const controller = controllers.get(asyncHandle);
      controllers.delete(asyncHandle);
      controller?.abort(new DOMException(reason, 'AbortError'));
    },
    settled(asyncHandle) {
      controllers.delete(asyncHandle);
    },
  };
  byInstance.set(DotNet, signals);
  return signals;
}
