/*
 * The interop inspector of one panel: live references and pending calls as numbers, and the
 * last seconds of references, calls per second and round-trip latency as a small live chart.
 * It only displays what the host reports (see demo/component/stats-reporter.ts).
 */
import type { StatsReport } from '../component/page-api.js';
import { h, role } from './dom.js';

/** History kept and plotted. */
const WINDOW_MS = 20_000;
/** The shortest time span the chart's width stands for. */
const MIN_SPAN_MS = 3_000;

interface Sample {
  readonly at: number;
  readonly jsRefs: number;
  readonly hostRefs: number;
  readonly pending: number;
  readonly callsPerSecond: number;
  readonly roundTripMs: number | null;
}

/** The strips of the chart: what each plots and in which colour. */
const STRIPS: { label: string; unit: string; series: { color: string; value: (s: Sample) => number | null }[] }[] = [
  { label: 'refs', unit: '', series: [{ color: '#2563eb', value: (s) => s.jsRefs }, { color: '#ea580c', value: (s) => s.hostRefs }] },
  { label: 'calls/s', unit: '', series: [{ color: '#16a34a', value: (s) => s.callsPerSecond }] },
  { label: 'round trip', unit: ' ms', series: [{ color: '#9333ea', value: (s) => s.roundTripMs }] },
];

export class Inspector {
  readonly element: HTMLElement;
  readonly #canvas: HTMLCanvasElement;
  #samples: Sample[] = [];
  #previous: { at: number; calls: number } | undefined;
  #drawScheduled = false;

  constructor() {
    const readout = (name: string, label: string, color?: string) =>
      h('div', { class: 'readout' }, h('span', { class: 'readout-label', ...(color ? { style: `color:${color}` } : {}) }, label), h('output', { 'data-role': name }, '–'));
    this.#canvas = h('canvas', { class: 'inspector-chart', 'data-role': 'inspector-chart' });
    this.element = h(
      'div',
      { class: 'inspector' },
      h(
        'div',
        { class: 'readouts' },
        readout('js-refs', 'JS refs', '#2563eb'),
        readout('host-refs', 'host refs', '#ea580c'),
        readout('pending', 'pending'),
        readout('calls-per-second', 'calls/s', '#16a34a'),
        readout('latency', 'round trip', '#9333ea'),
      ),
      this.#canvas,
    );
  }

  /**
   * Forgets the history and blanks the readouts (a new component, maybe a new host whose counters
   * start again from zero): until its first sample arrives, no number of the previous one shows.
   */
  reset(): void {
    this.#samples = [];
    this.#previous = undefined;
    for (const output of this.element.querySelectorAll('output')) output.textContent = '–';
    this.#draw(performance.now());
  }

  add(report: StatsReport): void {
    const at = performance.now();
    const calls = report.callsToJS + report.callsFromJS - report.reportCalls;
    let callsPerSecond = 0;
    if (this.#previous && calls >= this.#previous.calls && at > this.#previous.at) {
      callsPerSecond = ((calls - this.#previous.calls) * 1000) / (at - this.#previous.at);
    }
    this.#previous = { at, calls };
    const sample: Sample = {
      at,
      jsRefs: report.jsObjectReferences,
      hostRefs: report.hostObjectReferences,
      pending: report.pendingCalls + report.pendingCallsFromJS,
      callsPerSecond,
      roundTripMs: report.roundTripMs,
    };
    this.#samples.push(sample);
    while (this.#samples.length > 0 && this.#samples[0]!.at < at - WINDOW_MS) this.#samples.shift();
    this.#show(sample);
    // Drawing waits for the next frame: the report is an interop call whose round trip the
    // inspector plots, and painting inside it would be measured as interop latency.
    if (!this.#drawScheduled) {
      this.#drawScheduled = true;
      requestAnimationFrame(() => {
        this.#drawScheduled = false;
        this.#draw(performance.now());
      });
    }
  }

  #show(s: Sample): void {
    role(this.element, 'js-refs').textContent = String(s.jsRefs);
    role(this.element, 'host-refs').textContent = String(s.hostRefs);
    role(this.element, 'pending').textContent = String(s.pending);
    role(this.element, 'calls-per-second').textContent = s.callsPerSecond.toFixed(s.callsPerSecond < 10 ? 1 : 0);
    role(this.element, 'latency').textContent = s.roundTripMs === null ? '–' : `${s.roundTripMs.toFixed(s.roundTripMs < 10 ? 2 : 0)} ms`;
  }

  #draw(now: number): void {
    const canvas = this.#canvas;
    const ratio = globalThis.devicePixelRatio || 1;
    const width = canvas.clientWidth;
    const height = canvas.clientHeight;
    if (width === 0 || height === 0) return;
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    const g = canvas.getContext('2d')!;
    g.scale(ratio, ratio);
    g.font = '10px system-ui, sans-serif';
    const stripHeight = height / STRIPS.length;
    const left = 64;
    // Until a full window of history exists, the history fills the width instead of a corner of it.
    const span = Math.min(WINDOW_MS, Math.max(MIN_SPAN_MS, now - (this.#samples[0]?.at ?? now)));
    const x = (at: number) => left + ((at - (now - span)) / span) * (width - left);
    STRIPS.forEach((strip, index) => {
      const top = index * stripHeight + 3;
      const bottom = (index + 1) * stripHeight - 3;
      const values = this.#samples.flatMap((s) => strip.series.map((series) => series.value(s) ?? 0));
      const max = Math.max(1, ...values);
      const scale = niceCeiling(max);
      const y = (v: number) => bottom - (v / scale) * (bottom - top);
      g.fillStyle = '#f8fafc';
      g.fillRect(left, top, width - left, bottom - top);
      g.fillStyle = '#6b7280';
      g.fillText(strip.label, 0, top + 10);
      g.fillText(`max ${formatScale(scale)}${strip.unit}`, 0, bottom);
      for (const series of strip.series) {
        g.strokeStyle = series.color;
        g.lineWidth = 1.5;
        g.beginPath();
        let started = false;
        for (const s of this.#samples) {
          const v = series.value(s);
          if (v === null) continue;
          if (started) g.lineTo(x(s.at), y(v));
          else g.moveTo(x(s.at), y(v));
          started = true;
        }
        g.stroke();
      }
    });
  }
}

function niceCeiling(value: number): number {
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (value <= step * power) return step * power;
  return 10 * power;
}

function formatScale(value: number): string {
  return value >= 1000 ? `${value / 1000}k` : value < 1 ? value.toFixed(2) : String(value);
}
