/*
 * Views of the sync-call buffer and the STATE values in it (layout: sync-buffer.ts). Kept apart
 * from the layout constants, which page bundles inline, so that only the code that reads and
 * writes the buffer (the sync caller and the lazily loaded sync responder) carries them.
 */
import { HEADER_BYTES } from './sync-buffer.js';

export const stateOf = (callId: number, phase: number): number => (callId << 3) | phase;
export const callOf = (state: number): number => state >>> 3;

export interface SyncViews {
  readonly header: Int32Array;
  readonly data: Uint8Array;
}

export function viewsOf(buffer: SharedArrayBuffer): SyncViews {
  return { header: new Int32Array(buffer, 0, HEADER_BYTES / 4), data: new Uint8Array(buffer, HEADER_BYTES) };
}
