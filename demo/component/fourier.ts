/*
 * The data the host computes for the chart: a square wave approximated by the first
 * `harmonics` terms of its Fourier series. Cheap, deterministic, and it visibly changes shape
 * each time the page asks for one more term, so a redraw is easy to see (and to test).
 */

/** Points across one period. */
export const CHART_POINTS = 240;

/** The partial sum (4/π) Σ sin((2k+1)x)/(2k+1), k < harmonics, at x = 2π·t, t ∈ [0, 1). */
export function squareWave(harmonics: number, t: number): number {
  const x = 2 * Math.PI * t;
  let sum = 0;
  for (let k = 0; k < harmonics; k++) {
    const n = 2 * k + 1;
    sum += Math.sin(n * x) / n;
  }
  return (4 / Math.PI) * sum;
}

/** The chart's series, rounded to 4 decimals so the JSON sent to the page stays short. */
export function chartSeries(harmonics: number, points = CHART_POINTS): number[] {
  return Array.from({ length: points }, (_, i) => Math.round(squareWave(harmonics, i / points) * 1e4) / 1e4);
}
