/*
 * Page-side helpers the host calls through ordinary interop calls. The host reaches them
 * through a JS object reference the glue creates at attach time, so nothing is added to
 * the page's global object.
 */
import { elementReference, type ElementReferenceJson } from './element-references.js';

function viewOf(source: unknown): Uint8Array | undefined {
  if (source instanceof Uint8Array) return source;
  if (ArrayBuffer.isView(source)) return new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  return undefined;
}

/** Whether `source` is bytes in memory (a typed array or ArrayBuffer), whose chunks are views of it. */
export function holdsBytes(source: unknown): boolean {
  return viewOf(source) !== undefined;
}

/** Whether `source` is a Blob (a File too), read through the Blob cursor. */
function isBlob(source: unknown): source is Blob {
  return typeof Blob !== 'undefined' && source instanceof Blob;
}

/** Whether a JS stream reference to `source` can be read: a Blob, ArrayBuffer or typed array. */
export function isStreamSource(source: unknown): boolean {
  return holdsBytes(source) || isBlob(source);
}

/** Why reading a JS stream reference that holds no Blob, ArrayBuffer or typed array fails. */
export const NOT_A_STREAM_SOURCE = 'The JS stream reference does not hold a Blob, ArrayBuffer or typed array.';

/**
 * The Blob cursor, a chunk of its own for bundlers: only pages whose host reads a Blob need it. The
 * requests of one read all wait on this one import, so they reach the cursor in the order they
 * were made; a chunk that cannot load fails the read with the loader's error (the next read loads it again).
 */
let blobCursor: Promise<typeof import('./blob-cursor.js')> | undefined;

function checkChunkRequest(offset: number, count: number): boolean {
  return Number.isSafeInteger(offset) && Number.isSafeInteger(count) && offset >= 0 && count > 0;
}

/**
 * What `pageHelpers.readStreamChunk` returns for a source whose bytes are in memory (a view of
 * them), for a host in the page's realm that can take it without a call; undefined when the call
 * is needed (a Blob, a request the helper refuses).
 */
export function streamChunkAtOnce(source: unknown, offset: number, count: number): Uint8Array | undefined {
  return checkChunkRequest(offset, count) ? viewOf(source)?.subarray(offset, offset + count) : undefined;
}

export const pageHelpers = {
  /**
   * ElementReference.capture: the element `target` names (a selector, or the element a JS object
   * reference held), marked with `_bl_<id>`, in Blazor's JSON form, which the host revives as an
   * ElementReference; null when the selector matches nothing.
   */
  captureElement(target: unknown): ElementReferenceJson | null {
    if (typeof Element !== 'function') throw new TypeError('ElementReference.capture needs a page with a DOM: this one has no elements.');
    const element = typeof target === 'string' ? document.querySelector(target) : target;
    if (element === null) return null;
    if (!(element instanceof Element)) {
      throw new TypeError('ElementReference.capture needs a CSS selector or a JS object reference to an element of the page.');
    }
    return elementReference(element);
  },

  /** One chunk of a JS stream reference's data (a Blob, ArrayBuffer or typed array). */
  readStreamChunk(source: unknown, offset: number, count: number): Uint8Array | Promise<Uint8Array> {
    if (!checkChunkRequest(offset, count)) {
      throw new RangeError(`Invalid stream chunk request: offset ${offset}, count ${count}.`);
    }
    const view = viewOf(source);
    if (view) return view.subarray(offset, offset + count);
    if (isBlob(source)) {
      blobCursor ??= import('./blob-cursor.js').catch((error: unknown) => {
        blobCursor = undefined; // the next read tries again
        throw error;
      });
      return blobCursor.then(({ readBlobChunk }) => readBlobChunk(source, offset, count));
    }
    throw new TypeError(NOT_A_STREAM_SOURCE);
  },
};

export type PageHelpers = typeof pageHelpers;
