/*
 * The JS module the component imports (`js.import('./chart.js')`), as Blazor components import
 * their collocated modules. It is its own bundle, loaded by the page only when a host asks.
 * `createChart` returns an object the host keeps a reference to and draws through; the host
 * disposes that reference (and the module's) when its panel closes.
 */

export interface Chart {
  draw(series: number[], caption: string): void;
  /** How many times the host drew (the test reads it to see redraws). */
  readonly draws: number;
}

const INK = '#2563eb';
const GRID = '#e5e7eb';
const TEXT = '#4b5563';

export function createChart(panel: { chartCanvas: HTMLCanvasElement }): Chart {
  const canvas = panel.chartCanvas;
  let draws = 0;
  return {
    get draws() {
      return draws;
    },
    draw(series, caption) {
      draws++;
      canvas.dataset.draws = String(draws);
      const ratio = globalThis.devicePixelRatio || 1;
      const width = canvas.clientWidth;
      const height = canvas.clientHeight;
      canvas.width = Math.round(width * ratio);
      canvas.height = Math.round(height * ratio);
      const g = canvas.getContext('2d')!;
      g.scale(ratio, ratio);
      g.clearRect(0, 0, width, height);
      const top = 8;
      const bottom = height - 22;
      const y = (v: number) => top + ((1.3 - v) / 2.6) * (bottom - top);
      g.strokeStyle = GRID;
      g.lineWidth = 1;
      for (const v of [-1, 0, 1]) {
        g.beginPath();
        g.moveTo(0, Math.round(y(v)) + 0.5);
        g.lineTo(width, Math.round(y(v)) + 0.5);
        g.stroke();
      }
      g.strokeStyle = INK;
      g.lineWidth = 2;
      g.lineJoin = 'round';
      g.beginPath();
      series.forEach((v, i) => {
        const x = (i / (series.length - 1)) * width;
        if (i === 0) g.moveTo(x, y(v));
        else g.lineTo(x, y(v));
      });
      g.stroke();
      g.fillStyle = TEXT;
      g.font = '12px system-ui, sans-serif';
      g.fillText(caption, 4, height - 6);
    },
  };
}
