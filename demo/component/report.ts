/*
 * The file the host generates and streams to the page as a download: a CSV of the series at
 * high resolution. It is produced row block by row block from a pull-based ReadableStream, so
 * the host never holds the whole file, and it is deterministic, so the test can rebuild the
 * expected bytes with the same function.
 */
import { squareWave } from './fourier.js';

export const REPORT_ROWS = 20_000;
const ROWS_PER_CHUNK = 1_000;

export function reportFileName(harmonics: number): string {
  return `square-wave-${harmonics}-harmonics.csv`;
}

function rows(harmonics: number, from: number, to: number): string {
  let text = from === 0 ? 't,partial_sum,square_wave\n' : '';
  for (let i = from; i < to; i++) {
    const t = i / REPORT_ROWS;
    text += `${t.toFixed(5)},${squareWave(harmonics, t).toFixed(6)},${t < 0.5 ? 1 : -1}\n`;
  }
  return text;
}

/** The report as a stream of UTF-8 chunks, generated as the reader pulls. */
export function reportStream(harmonics: number): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let next = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const to = Math.min(next + ROWS_PER_CHUNK, REPORT_ROWS);
      controller.enqueue(encoder.encode(rows(harmonics, next, to)));
      next = to;
      if (next === REPORT_ROWS) controller.close();
    },
  });
}

/** The whole report at once (for tests). */
export function reportBytes(harmonics: number): Uint8Array {
  return new TextEncoder().encode(rows(harmonics, 0, REPORT_ROWS));
}
