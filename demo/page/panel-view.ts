/*
 * One panel of the demo page: the DOM, the page side of every feature, and the object the host
 * holds a JS object reference to (it implements PanelApi, the methods the host calls). User
 * actions become calls on the component's DotNetObject; the host answers by calling back.
 */
import { DotNet } from '../../src/page.js';
import { MAX_HARMONICS } from '../component/demo-component.js';
import { ComponentMethods as M, type DotNetObjectLike, type DotNetStreamLike, type HashResult, type LeakCounts, type PanelApi, type RoundTripResult } from '../component/page-api.js';
import type { HostingAdapter } from './adapters/adapter.js';
import { formatBytes, h, role } from './dom.js';
import { Inspector } from './inspector.js';

/** Bytes the round-trip button sends (host → page → host). */
export const ROUND_TRIP_BYTES = 256 * 1024;

export type PanelState = 'starting' | 'open' | 'closed' | 'unavailable';

export class PanelView implements PanelApi {
  readonly element: HTMLElement;
  readonly inspector = new Inspector();
  readonly chartCanvas: HTMLCanvasElement;
  readonly #adapter: HostingAdapter;
  #component: DotNetObjectLike | undefined;
  #held: DotNetObjectLike[] = [];
  #downloadUrl: string | undefined;
  /** Counts the panel's (re)starts; see {@link start} and #run. */
  #generation = 0;

  constructor(adapter: HostingAdapter) {
    this.#adapter = adapter;
    this.chartCanvas = h('canvas', { class: 'chart', 'data-role': 'chart' });
    const button = (name: string, label: string) => h('button', { type: 'button', 'data-role': name }, label);
    const card = (title: string, ...children: (Node | string)[]) => h('div', { class: 'card' }, h('h3', {}, title), ...children);
    this.element = h(
      'section',
      { class: 'panel', 'data-model': adapter.model, 'data-state': 'starting' },
      h('header', {}, h('h2', {}, adapter.title), h('span', { class: 'badge', 'data-role': 'mode' }, '…'), h('span', { class: 'connection', 'data-role': 'connection' }, 'starting')),
      h('p', { class: 'where' }, adapter.where),
      h(
        'div',
        { class: 'features', 'data-role': 'features' },
        card(
          'JS module draws what the host computes',
          this.chartCanvas,
          h('div', { class: 'row' },
            h('input', { type: 'range', min: 1, max: MAX_HARMONICS, value: 1, 'data-role': 'harmonics-input', 'aria-label': 'harmonics' }),
            button('add-harmonic', '+1 harmonic'),
            h('output', { 'data-role': 'harmonics' }, '–')),
          h('p', { class: 'note', 'data-role': 'chart-note' }, ' '),
        ),
        card('File → host, hashed there (SHA-256)',
          h('div', { class: 'row' }, h('input', { type: 'file', 'data-role': 'file', 'aria-label': 'file to hash on the host' }), h('progress', { max: 1, value: 0, 'data-role': 'hash-progress' })),
          h('output', { class: 'mono', 'data-role': 'hash' }, ' ')),
        card('Host → file download (stream)',
          h('div', { class: 'row' }, button('make-report', 'Generate CSV on the host'), h('a', { 'data-role': 'download', hidden: true }, ''))),
        card('Byte array round trip',
          h('div', { class: 'row' }, button('round-trip', `Send ${formatBytes(ROUND_TRIP_BYTES)} there and back`)),
          h('output', { 'data-role': 'round-trip-result' }, ' ')),
      ),
      h('div', { class: 'card' },
        h('h3', {}, 'Interop inspector'),
        this.inspector.element,
        h('div', { class: 'row' }, button('leak', 'Leak 10 + 10 references'), button('dispose-leaks', 'Dispose them'), h('output', { 'data-role': 'leaks' }, ''))),
      h('footer', {},
        button('close', 'Close panel'),
        button('open', 'Open again'),
        h('output', { class: 'note', 'data-role': 'closed-note', hidden: true }, 'Closed: the component disposed every reference it made.'),
        h('output', { class: 'error', 'data-role': 'error', hidden: true }, '')),
    );
    this.#wire();
    this.#setState('starting');
  }

  // ---- lifecycle, driven by the page and the adapter ----

  /** Starts (or restarts) the host; the host then calls `jsinteropDemo.attach`, which lands in {@link bind}. */
  async start(): Promise<void> {
    // A reopened panel shows a new component: nothing the previous one produced may stay on
    // screen, and an answer still in flight from it must not land here later (see #run).
    this.#generation++;
    this.#setState('starting');
    this.#error('');
    this.#clearResults();
    // Synchronously before the adapter replaces the host, so no sample of the old one follows.
    this.inspector.reset();
    try {
      await this.#adapter.start({
        connection: (text, ok) => this.setConnection(text, ok),
        ended: (reason) => {
          this.closed();
          this.setConnection('ended', false);
          this.#error(reason);
        },
      });
    } catch (error) {
      this.#setState('unavailable');
      this.setConnection('not available', false);
      this.#error(`not available: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** The host mounted its component: from now on the panel's controls talk to it. */
  bind(component: DotNetObjectLike, sync: boolean): this {
    this.#component = component;
    const mode = role(this.element, 'mode');
    mode.textContent = sync ? 'sync calls' : 'async calls';
    mode.title = sync
      ? 'isInProcess(js) is true: the host calls the page with IJSInProcessRuntime.invoke and blocks until it answers'
      : 'isInProcess(js) is false: the host calls the page with IJSRuntime.invokeAsync and awaits the answer';
    mode.dataset.sync = String(sync);
    this.#setState('open');
    return this;
  }

  setConnection(text: string, ok: boolean): void {
    const connection = role(this.element, 'connection');
    connection.textContent = text;
    connection.dataset.ok = String(ok);
  }

  #setState(state: PanelState): void {
    this.element.dataset.state = state;
    const open = state === 'open';
    for (const control of this.element.querySelectorAll<HTMLButtonElement | HTMLInputElement>('button, input')) control.disabled = !open;
    role<HTMLButtonElement>(this.element, 'open').disabled = state !== 'closed';
    role(this.element, 'open').hidden = state !== 'closed';
    role(this.element, 'close').hidden = state === 'closed';
    role(this.element, 'closed-note').hidden = state !== 'closed';
  }

  #error(text: string): void {
    const error = role(this.element, 'error');
    error.textContent = text;
    error.hidden = text === '';
  }

  /** Empties what the features showed: hash, progress, download link, round trip, leaks. */
  #clearResults(): void {
    const hash = role(this.element, 'hash');
    hash.textContent = ' ';
    delete hash.dataset.sha256;
    role<HTMLProgressElement>(this.element, 'hash-progress').value = 0;
    role<HTMLInputElement>(this.element, 'file').value = '';
    const link = role<HTMLAnchorElement>(this.element, 'download');
    link.hidden = true;
    link.textContent = '';
    link.removeAttribute('href');
    link.removeAttribute('download');
    delete link.dataset.bytes;
    if (this.#downloadUrl) URL.revokeObjectURL(this.#downloadUrl);
    this.#downloadUrl = undefined;
    role(this.element, 'round-trip-result').textContent = ' ';
    role(this.element, 'leaks').textContent = '';
  }

  // ---- user actions → host ----

  #wire(): void {
    const on = (name: string, event: string, action: (target: HTMLElement, stale: () => boolean) => Promise<void>) =>
      role(this.element, name).addEventListener(event, (e) => void this.#run((stale) => action(e.currentTarget as HTMLElement, stale)));
    on('harmonics-input', 'change', (input) => this.#invoke(M.SetHarmonics, Number((input as HTMLInputElement).value)).then(() => {}));
    on('add-harmonic', 'click', () => this.#invoke(M.AddHarmonic).then(() => {}));
    on('file', 'change', (input, stale) => this.#hash(input as HTMLInputElement, stale));
    // Both clear their previous result first, so that what shows next is this click's answer.
    on('make-report', 'click', () => {
      delete role(this.element, 'download').dataset.bytes;
      return this.#invoke(M.MakeReport).then(() => {});
    });
    on('round-trip', 'click', (_, stale) => this.#roundTrip(stale));
    on('leak', 'click', async (_, stale) => this.#showLeaks(await this.#invoke<LeakCounts>(M.Leak), stale));
    on('dispose-leaks', 'click', async (_, stale) => this.#showLeaks(await this.#invoke<LeakCounts>(M.DisposeLeaks), stale));
    on('close', 'click', () => this.#invoke(M.Close));
    on('open', 'click', () => this.start());
  }

  /**
   * Runs a user action; its failure is shown as the panel's error. `action` gets a function that
   * tells whether the panel was restarted since the action began: a late answer of the previous
   * component is then dropped instead of overwriting the reopened panel.
   */
  async #run(action: (stale: () => boolean) => Promise<void>): Promise<void> {
    const generation = this.#generation;
    const stale = () => generation !== this.#generation;
    this.#error('');
    try {
      await action(stale);
    } catch (error) {
      if (!stale()) this.#error(error instanceof Error ? error.message : String(error));
    }
  }

  #invoke<T>(method: string, ...args: unknown[]): Promise<T> {
    if (!this.#component) return Promise.reject(new Error('The component is not mounted.'));
    return this.#component.invokeMethodAsync<T>(method, ...args);
  }

  async #hash(input: HTMLInputElement, stale: () => boolean): Promise<void> {
    const file = input.files?.[0];
    if (!file) return;
    const output = role(this.element, 'hash');
    output.textContent = `hashing ${file.name}…`;
    delete output.dataset.sha256;
    role<HTMLProgressElement>(this.element, 'hash-progress').value = 0;
    // The host reads the file in chunks through this reference, at its own pace.
    const result = await this.#invoke<HashResult>(M.HashFile, DotNet.createJSStreamReference(file));
    if (stale()) return;
    output.dataset.sha256 = result.sha256;
    output.textContent = `${result.sha256}  (${file.name}, ${formatBytes(result.bytes)} in ${result.ms.toFixed(0)} ms)`;
    input.value = '';
  }

  async #roundTrip(stale: () => boolean): Promise<void> {
    const output = role(this.element, 'round-trip-result');
    output.textContent = 'sending…';
    let r: RoundTripResult;
    try {
      r = await this.#invoke<RoundTripResult>(M.RoundTripBytes, ROUND_TRIP_BYTES);
    } catch (error) {
      if (!stale()) output.textContent = ' '; // the panel's error says why
      throw error;
    }
    if (stale()) return;
    output.textContent = `${r.identical ? '✓ identical' : '✗ different'}: ${formatBytes(r.bytes)} host → page → host with ${r.how} in ${r.ms.toFixed(1)} ms`;
  }

  #showLeaks(counts: LeakCounts, stale: () => boolean): void {
    if (stale()) return;
    role(this.element, 'leaks').textContent = counts.jsObjects + counts.hostObjects === 0 ? 'none leaked' : `leaked ${counts.jsObjects} JS + ${counts.hostObjects} host`;
  }

  // ---- PanelApi: called by the host ----

  showHarmonics(harmonics: number, how: string): void {
    role(this.element, 'harmonics').textContent = `${harmonics} harmonic${harmonics === 1 ? '' : 's'}`;
    role<HTMLInputElement>(this.element, 'harmonics-input').value = String(harmonics);
    role(this.element, 'chart-note').textContent = `The host imported ./chart.js and draws through a reference to its chart with ${how}.`;
  }

  hashProgress(read: number, total: number): void {
    role<HTMLProgressElement>(this.element, 'hash-progress').value = total > 0 ? read / total : 1;
    role(this.element, 'hash').textContent = `hashing… ${formatBytes(read)} of ${formatBytes(total)} read by the host`;
  }

  async offerDownload(fileName: string, data: DotNetStreamLike): Promise<number> {
    const link = role<HTMLAnchorElement>(this.element, 'download');
    const generation = this.#generation;
    const chunks: Uint8Array[] = [];
    let received = 0;
    const reader = (await data.stream()).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      received += value.byteLength;
      // The panel was reopened meanwhile: this download belongs to the closed component.
      if (generation !== this.#generation) continue;
      link.hidden = false;
      link.textContent = `receiving… ${formatBytes(received)}`;
    }
    if (generation !== this.#generation) return received;
    if (this.#downloadUrl) URL.revokeObjectURL(this.#downloadUrl);
    this.#downloadUrl = URL.createObjectURL(new Blob(chunks as BlobPart[], { type: 'text/csv' }));
    link.href = this.#downloadUrl;
    link.download = fileName;
    link.dataset.bytes = String(received);
    link.textContent = `Download ${fileName} (${formatBytes(received)})`;
    return received;
  }

  echoBytes(bytes: Uint8Array): Uint8Array {
    return bytes.slice().reverse();
  }

  makeLeakObject(): object {
    return { createdAt: Date.now() };
  }

  hold(hostObject: DotNetObjectLike): void {
    this.#held.push(hostObject);
  }

  releaseHeld(): number {
    const count = this.#held.length;
    this.#held = [];
    return count;
  }

  closed(): void {
    this.#component = undefined;
    this.#held = [];
    role(this.element, 'leaks').textContent = '';
    this.#setState('closed');
  }
}
