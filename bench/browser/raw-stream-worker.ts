/*
 * The raw side of the Chromium stream bench's Worker cases: counts the pieces the page posts and
 * answers 'received' once the payload is in; on ['send', size, piece], posts the payload back in
 * pieces, each copied once and moved (transfer list), as the Worker hosting model moves chunks.
 */
import { payload } from '../support/stream-bytes.js';

/** This Worker's global scope; the DOM typings describe the page's. */
const scope = self as unknown as Worker;
let received = 0;
let expected = 0;
let bytes = new Uint8Array(0);
scope.onmessage = (event: MessageEvent<Uint8Array | ['expect' | 'send', number, number]>) => {
  const message = event.data;
  if (message instanceof Uint8Array) {
    received += message.byteLength;
    if (received >= expected) {
      received = 0;
      scope.postMessage('received');
    }
    return;
  }
  const [what, size, piece] = message;
  if (what === 'expect') return void (expected = size);
  if (bytes.byteLength !== size) bytes = payload(size);
  for (let offset = 0; offset < size; offset += piece) {
    const chunk = bytes.slice(offset, offset + piece);
    scope.postMessage(chunk, [chunk.buffer]);
  }
};
