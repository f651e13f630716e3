/*
 * Page entry for test/page/blob-cursor-chromium.test.ts: reads Files through readBlobChunk as a
 * host reads a JS stream reference (every chunk of the read-ahead requested at once), while the
 * page collects garbage after every task (Chromium started with --expose-gc).
 */
import { readBlobChunk } from '../../../src/page/blob-cursor.js';

declare global {
  interface Window {
    readFilesUnderGc(rounds: number, size: number, chunk: number): Promise<string[]>;
  }
}

const gc = (globalThis as unknown as { gc: () => void }).gc;

window.readFilesUnderGc = async (rounds, size, chunk) => {
  const wrong: string[] = [];
  let collecting = true;
  const collect = (): void => {
    if (!collecting) return;
    gc();
    setTimeout(collect, 0);
  };
  collect();
  try {
    for (let round = 0; round < rounds; round++) {
      const bytes = Uint8Array.from({ length: size }, (_, i) => (i * 131 + (i >> 11) + round) & 0xff);
      const file = new File([bytes], `round-${round}.bin`);
      const requests: Promise<Uint8Array>[] = [];
      for (let offset = 0; offset < size; offset += chunk) requests.push(readBlobChunk(file, offset, Math.min(chunk, size - offset)));
      let offset = 0;
      for (const chunkRead of await Promise.all(requests)) {
        if (chunkRead.some((byte, i) => byte !== bytes[offset + i])) wrong.push(`round ${round}: the chunk at ${offset} differs`);
        offset += chunkRead.byteLength;
      }
      if (offset !== size) wrong.push(`round ${round}: ${offset} of ${size} bytes`);
    }
  } finally {
    collecting = false;
  }
  return wrong;
};
