/*
 * The JS objects the page holds for one host. The official package keeps every object it hands
 * out in one table, until the host disposes it; if the host dies first, nobody will. So the page
 * side notes each id that leaves in JSON ({"__jsObjectId": n}, in results and in arguments of
 * calls to the host), forgets it when the host disposes it, and releases the rest on close.
 * JSON text escapes quotes inside strings, so the pattern cannot match user data.
 */
import { DISPOSE_JS_OBJECT_IDENTIFIER } from '../../host/wire.js';
import type { DotNetNamespace } from '../../page/official-package.js';

const ID_PATTERN = /"__jsObjectId":(\d+)/g;

export interface JSObjectLedger {
  /** Notes one id the host was given outside JSON (the page helpers of the handshake). */
  hold(id: number): void;
  /** Notes the ids in JSON the page sends to the host. */
  noteSent(json: string | null): void;
  /** Forgets an id when the host calls Blazor's disposal identifier with it. */
  noteCall(identifier: string, argsJson: string | null): void;
  readonly size: number;
  /** The host is gone: release everything it still held. */
  releaseAll(DotNet: DotNetNamespace): void;
}

export function createJSObjectLedger(): JSObjectLedger {
  const ids = new Set<number>();
  return {
    hold: (id) => void ids.add(id),
    noteSent(json) {
      if (json !== null && json.includes('"__jsObjectId":')) for (const match of json.matchAll(ID_PATTERN)) ids.add(Number(match[1]));
    },
    noteCall(identifier, argsJson) {
      if (identifier === DISPOSE_JS_OBJECT_IDENTIFIER && argsJson) ids.delete(Number(argsJson.slice(1, -1)));
    },
    get size() {
      return ids.size;
    },
    releaseAll(DotNet) {
      for (const id of ids) DotNet.disposeJSObjectReferenceById(id);
      ids.clear();
    },
  };
}
