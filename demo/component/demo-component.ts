/*
 * The demo component: host code written once against IJSRuntime and run unchanged in three
 * hosting models (in the page, in a Worker, on the server). It uses only the public API.
 *
 * Where the runtime can block on the page (`isInProcess(js)`: in-process, and a Worker with
 * SharedArrayBuffer) it makes its UI calls synchronously, as Blazor WebAssembly code does with
 * IJSInProcessRuntime; elsewhere (server) it awaits them. The panel says which path it uses.
 */
import {
  HostObjectReference,
  HostStreamReference,
  JSInvokable,
  isInProcess,
  type IJSInProcessObjectReference,
  type IJSObjectReference,
  type IJSRuntime,
  type IJSStreamReference,
} from '../../src/index.js';
import { chartSeries } from './fourier.js';
import { PAGE_GLOBAL, type HashResult, type LeakCounts, type RoundTripResult } from './page-api.js';
import { reportFileName, reportStream } from './report.js';
import { Sha256 } from './sha256.js';

/** Files above this size are refused (Blazor's default is 512,000 bytes; the demo allows bigger ones). */
const MAX_FILE_BYTES = 64 * 1024 * 1024;
/** Progress updates while hashing: at most one per this many bytes, so they do not dominate the traffic. */
const PROGRESS_STEP = 128 * 1024;
/** References the leak button creates per click, of each kind. */
const LEAK_BATCH = 10;
export const MAX_HARMONICS = 40;

/** A host object the page holds without any invokable methods: only the reference count matters. */
class LeakedHostObject {}

export class DemoComponent {
  readonly #js: IJSRuntime;
  readonly #sync: boolean;
  readonly #self: HostObjectReference<DemoComponent>;
  #panel: IJSObjectReference | undefined;
  #module: IJSObjectReference | undefined;
  #chart: IJSObjectReference | undefined;
  #harmonics = 1;
  readonly #leakedJS: IJSObjectReference[] = [];
  readonly #leakedHost: HostObjectReference<LeakedHostObject>[] = [];
  #closed = false;

  private constructor(js: IJSRuntime) {
    this.#js = js;
    this.#sync = isInProcess(js);
    this.#self = HostObjectReference.create(this);
  }

  /** Mounts the component in its panel: binds it, imports the chart module and draws. */
  static async mount(js: IJSRuntime): Promise<DemoComponent> {
    const component = new DemoComponent(js);
    await component.#start();
    return component;
  }

  get closed(): boolean {
    return this.#closed;
  }

  async #start(): Promise<void> {
    const js = this.#js;
    this.#panel = (await js.invokeObjectReferenceAsync(`${PAGE_GLOBAL}.attach`, js.hostingModel, this.#self, this.#sync))!;
    // Blazor's "import": the page loads ./chart.js (relative to the page) and the host gets a
    // reference to the module, then to a chart object the module creates on the panel's canvas.
    this.#module = await js.import('./chart.js');
    this.#chart = (await this.#module.invokeObjectReferenceAsync('createChart', this.#panel))!;
    await this.#redraw();
  }

  /** How UI calls reach the page in this hosting model, in words the panel shows. */
  get #how(): string {
    return this.#sync ? 'invokeVoid (sync)' : 'invokeVoidAsync (async)';
  }

  /** Calls a page function for its effect: synchronously where the host can block on the page. */
  #callVoid(target: IJSObjectReference, identifier: string, ...args: unknown[]): Promise<void> {
    if (!this.#sync) return target.invokeVoidAsync(identifier, ...args);
    // References made by an in-process runtime are IJSInProcessObjectReferences.
    (target as IJSInProcessObjectReference).invokeVoid(identifier, ...args);
    return Promise.resolve();
  }

  /** Calls a page function for its result: synchronously where the host can block on the page. */
  #call<T>(target: IJSObjectReference, identifier: string, ...args: unknown[]): Promise<T> {
    if (!this.#sync) return target.invokeAsync<T>(identifier, ...args);
    return Promise.resolve((target as IJSInProcessObjectReference).invoke<T>(identifier, ...args));
  }

  #open(): { panel: IJSObjectReference; chart: IJSObjectReference } {
    if (this.#closed || !this.#panel || !this.#chart) throw new Error('The component is closed.');
    return { panel: this.#panel, chart: this.#chart };
  }

  async #redraw(): Promise<void> {
    const { panel, chart } = this.#open();
    const series = chartSeries(this.#harmonics);
    await this.#callVoid(chart, 'draw', series, `${this.#harmonics} harmonic${this.#harmonics === 1 ? '' : 's'}, computed by the ${this.#js.hostingModel} host`);
    await this.#callVoid(panel, 'showHarmonics', this.#harmonics, this.#how);
  }

  // ---- called by the page ----

  /** The slider: the page sends the number, the host recomputes the series and redraws. */
  @JSInvokable('SetHarmonics')
  async setHarmonics(harmonics: number): Promise<number> {
    if (!Number.isInteger(harmonics)) throw new TypeError('harmonics must be an integer');
    this.#harmonics = Math.min(MAX_HARMONICS, Math.max(1, harmonics));
    await this.#redraw();
    return this.#harmonics;
  }

  /** The "+1" button. */
  @JSInvokable('AddHarmonic')
  addHarmonic(): Promise<number> {
    return this.setHarmonics(this.#harmonics + 1);
  }

  /** A file the page picked, read chunk by chunk through the stream reference and hashed here. */
  @JSInvokable('HashFile')
  async hashFile(file: IJSStreamReference): Promise<HashResult> {
    const { panel } = this.#open();
    const started = performance.now();
    const hash = new Sha256();
    let read = 0;
    let reported = 0;
    try {
      const reader = file.openReadStream({ maxAllowedSize: MAX_FILE_BYTES }).getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        hash.update(value);
        read += value.byteLength;
        if (read - reported >= PROGRESS_STEP || read === file.length) {
          reported = read;
          await this.#callVoid(panel, 'hashProgress', read, file.length);
        }
      }
    } finally {
      await file.disposeAsync();
    }
    return { sha256: hash.digestHex(), bytes: read, ms: performance.now() - started };
  }

  /** Generates a CSV on the host and streams it to the page, which offers it as a download. */
  @JSInvokable('MakeReport')
  async makeReport(): Promise<number> {
    const { panel } = this.#open();
    const data = HostStreamReference.create(reportStream(this.#harmonics));
    // The page reads the stream while this call is pending, so the call is async in every model.
    return panel.invokeAsync<number>('offerDownload', reportFileName(this.#harmonics), data);
  }

  /** Sends bytes to the page and checks what comes back (the page reverses them). */
  @JSInvokable('RoundTripBytes')
  async roundTripBytes(size: number): Promise<RoundTripResult> {
    const { panel } = this.#open();
    if (!Number.isInteger(size) || size < 1 || size > 16 * 1024 * 1024) throw new RangeError('size must be 1 byte to 16 MiB');
    const sent = new Uint8Array(size);
    for (let i = 0; i < size; i++) sent[i] = (i * 31 + (i >> 9)) & 0xff;
    const started = performance.now();
    const back = await this.#call<Uint8Array>(panel, 'echoBytes', sent);
    const ms = performance.now() - started;
    let identical = back instanceof Uint8Array && back.length === size;
    for (let i = 0; identical && i < size; i++) identical = back[i] === sent[size - 1 - i];
    return { bytes: size, identical, ms, how: this.#sync ? 'invoke (sync)' : 'invokeAsync (async)' };
  }

  /** Creates references on both sides and keeps none of them tidy: the inspector's counters climb. */
  @JSInvokable('Leak')
  async leak(): Promise<LeakCounts> {
    const { panel } = this.#open();
    for (let i = 0; i < LEAK_BATCH; i++) {
      this.#leakedJS.push((await panel.invokeObjectReferenceAsync('makeLeakObject'))!);
      const hostObject = HostObjectReference.create(new LeakedHostObject());
      this.#leakedHost.push(hostObject);
      await this.#callVoid(panel, 'hold', hostObject);
    }
    return this.#leakCounts();
  }

  /** Disposes what the leak button created: the counters return to where they were. */
  @JSInvokable('DisposeLeaks')
  async disposeLeaks(): Promise<LeakCounts> {
    await this.#disposeLeaks();
    return this.#leakCounts();
  }

  /** Closes the panel: every reference this component made is disposed, its own included. */
  @JSInvokable('Close')
  async close(): Promise<void> {
    if (this.#closed) return;
    const panel = this.#panel;
    await this.#disposeLeaks();
    await this.#chart?.disposeAsync();
    await this.#module?.disposeAsync();
    this.#closed = true;
    if (panel) {
      await panel.invokeVoidAsync('closed').catch(() => {}); // the page may already be gone
      await panel.disposeAsync();
    }
    this.#self.dispose();
  }

  async #disposeLeaks(): Promise<void> {
    const jsObjects = this.#leakedJS.splice(0);
    await Promise.all(jsObjects.map((reference) => reference.disposeAsync()));
    for (const hostObject of this.#leakedHost.splice(0)) hostObject.dispose();
    if (this.#panel && !this.#closed) await this.#call<number>(this.#panel, 'releaseHeld');
  }

  #leakCounts(): LeakCounts {
    return { jsObjects: this.#leakedJS.length, hostObjects: this.#leakedHost.length };
  }
}
