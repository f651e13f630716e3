/*
 * The glue's own revivers (AbortSignals, elements) are attached to a package instance the first
 * time a JSON text it is about to parse holds their marker: the package runs every reviver for
 * every key of every JSON text, and most pages need neither. This module gives the glue one place
 * to show the package's inputs to them: the host's call arguments, and results of the host's
 * invokables.
 */
import { abortSignalsFor, type AbortSignals } from './abort-signals.js';
import { elementRevivalFor } from './element-references.js';
import type { DirectCalls } from './direct-calls.js';
import type { DotNetNamespace } from './official-package.js';

/** Shows JSON the package is about to parse to the revivers that attach on demand. */
export type WatchJson = (json: string | null) => void;

export interface RevivalOnDemand {
  readonly abortSignals: AbortSignals;
  readonly watch: WatchJson;
}

export function revivalOnDemandFor(DotNet: DotNetNamespace): RevivalOnDemand {
  const abortSignals = abortSignalsFor(DotNet);
  const elements = elementRevivalFor(DotNet);
  return {
    abortSignals,
    watch: (json) => {
      abortSignals.watch(json);
      elements.watch(json);
    },
  };
}

/** The host's two ways into the page's dispatcher, async and sync, as a hosting model calls them. */
export interface JSCalls {
  begin(asyncHandle: number, identifier: string, argsJson: string, resultType: number, targetInstanceId: number, callType: number): void;
  invoke(identifier: string, argsJson: string, resultType: number, targetInstanceId: number, callType: number): string | null;
  /** Calls from now on take `direct` where it applies (a page loads the direct path after it connects). */
  useDirect(direct: DirectCalls | undefined): void;
}

/**
 * Calls into `dispatcher` that first let `watch` see the arguments, so a marker among them is
 * revived; with `direct`, a call it applies to takes the direct path instead (its arguments hold
 * no marker, so there is nothing to watch for).
 */
export function jsCallsWatching(watch: WatchJson, dispatcher: ReturnType<DotNetNamespace['attachDispatcher']>, direct?: DirectCalls): JSCalls {
  return {
    begin(asyncHandle, identifier, argsJson, resultType, targetInstanceId, callType) {
      if (direct?.applies(argsJson, resultType)) {
        void direct.begin(asyncHandle, identifier, argsJson, resultType, targetInstanceId, callType);
        return;
      }
      watch(argsJson);
      void dispatcher.beginInvokeJSFromDotNet(asyncHandle, identifier, argsJson, resultType as any, targetInstanceId, callType as any);
    },
    invoke(identifier, argsJson, resultType, targetInstanceId, callType) {
      if (direct?.applies(argsJson, resultType)) return direct.invoke(identifier, argsJson, resultType, targetInstanceId, callType);
      watch(argsJson);
      return dispatcher.invokeJSFromDotNet(identifier, argsJson, resultType as any, targetInstanceId, callType as any);
    },
    useDirect(found) {
      direct = found;
    },
  };
}
