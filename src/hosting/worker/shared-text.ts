/*
 * UTF-8 straight into and out of shared memory, for the host's side of sync calls (the page
 * side always goes through private buffers). The Encoding spec allows shared memory in
 * TextEncoder.encodeInto and TextDecoder.decode, but some engines refuse it; there we go
 * through a private copy.
 */
const encoder = new TextEncoder();
const decoder = new TextDecoder();

let sharedCodecWorks: boolean | undefined;
function canCodeShared(): boolean {
  if (sharedCodecWorks === undefined) {
    try {
      const probe = new Uint8Array(new SharedArrayBuffer(8));
      encoder.encodeInto('ok', probe);
      sharedCodecWorks = decoder.decode(probe.subarray(0, 2)) === 'ok';
    } catch {
      sharedCodecWorks = false;
    }
  }
  return sharedCodecWorks;
}

/** UTF-8 of `text` into `target`; `read` < text.length when it did not all fit. */
export function encodeInto(text: string, target: Uint8Array): { read: number; written: number } {
  if (canCodeShared()) {
    const { read = 0, written = 0 } = encoder.encodeInto(text, target);
    return { read, written };
  }
  const bytes = encoder.encode(text);
  if (bytes.byteLength > target.byteLength) return { read: 0, written: 0 };
  target.set(bytes);
  return { read: text.length, written: bytes.byteLength };
}

export function encode(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Text from UTF-8 bytes that may sit in shared memory. */
export function decode(bytes: Uint8Array): string {
  return decoder.decode(bytes.buffer instanceof ArrayBuffer || canCodeShared() ? bytes : bytes.slice());
}
