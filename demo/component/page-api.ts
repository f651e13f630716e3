/*
 * The contract between the component (host code) and the demo page, in one place: the page
 * objects and globals the host calls by identifier, and the host methods the page calls on
 * the component's DotNetObject. Both sides are type-checked against these declarations; the
 * strings still cross the wire exactly as they would from Blazor.
 */
import type { HostingModel, InteropStats } from '../../src/index.js';

/** The page global the host starts from (`jsinteropDemo.attach(...)`, `jsinteropDemo.reportStats(...)`). */
export const PAGE_GLOBAL = 'jsinteropDemo';

/** What the page receives for a `HostStreamReference` (the package's DotNetStream, not exported by it). */
export interface DotNetStreamLike {
  arrayBuffer(): Promise<ArrayBuffer>;
  stream(): Promise<ReadableStream<Uint8Array>>;
}

/** The page's view of one host object (the package's DotNetObject). */
export interface DotNetObjectLike {
  invokeMethodAsync<T>(methodIdentifier: string, ...args: unknown[]): Promise<T>;
  dispose(): void;
}

/** One inspector sample, shipped by the host because only the host can read `js.stats()`. */
export interface StatsReport extends InteropStats {
  /** Calls made by the reports themselves, so the page can leave them out of calls per second. */
  readonly reportCalls: number;
  /** Round trip of the previous report call, in milliseconds (host-measured); null for the first. */
  readonly roundTripMs: number | null;
}

/** The page globals under {@link PAGE_GLOBAL}. */
export interface PageGlobal {
  /** Binds a freshly mounted component to its panel; returns the panel for the host to hold. */
  attach(model: HostingModel, component: DotNetObjectLike, sync: boolean): PanelApi;
  /** One inspector sample for the panel of `model`. */
  reportStats(model: HostingModel, report: StatsReport): void;
}

/** The panel, as the host sees it through a JS object reference. All members are plain calls. */
export interface PanelApi {
  /** The canvas the chart module draws on. */
  readonly chartCanvas: HTMLCanvasElement;
  showHarmonics(harmonics: number, how: string): void;
  hashProgress(read: number, total: number): void;
  offerDownload(fileName: string, data: DotNetStreamLike): Promise<number>;
  /** Returns the bytes reversed, so the host can tell the page really handled them. */
  echoBytes(bytes: Uint8Array): Uint8Array;
  /** A fresh page object, referenced by the host's leak button. */
  makeLeakObject(): object;
  /** Keeps a host object alive on the page (the leak button's host-side half). */
  hold(hostObject: DotNetObjectLike): void;
  /** Forgets the held host objects; returns how many there were. */
  releaseHeld(): number;
  /** The component closed: the panel forgets its DotNetObject. */
  closed(): void;
}

/** The host methods the page calls on the component (`component.invokeMethodAsync(name, ...)`). */
export const ComponentMethods = {
  SetHarmonics: 'SetHarmonics',
  AddHarmonic: 'AddHarmonic',
  HashFile: 'HashFile',
  MakeReport: 'MakeReport',
  RoundTripBytes: 'RoundTripBytes',
  Leak: 'Leak',
  DisposeLeaks: 'DisposeLeaks',
  Close: 'Close',
} as const;

export interface HashResult {
  readonly sha256: string;
  readonly bytes: number;
  readonly ms: number;
}

export interface RoundTripResult {
  readonly bytes: number;
  readonly identical: boolean;
  readonly ms: number;
  readonly how: string;
}

export interface LeakCounts {
  readonly jsObjects: number;
  readonly hostObjects: number;
}
