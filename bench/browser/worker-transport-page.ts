/*
 * The page half of bench/worker-browser.ts (Chromium): answers the Worker's calls on every
 * channel, drives the cases (bench/browser/measure.ts: calibrated, interleaved rounds) and POSTs
 * the samples to /report. Outside a browser page it does nothing.
 */
import '../../src/page.js';
import { hostInWorker, transfer } from '../../src/worker.js';
import { measure, type PageCase } from './measure.js';
import { answerWithDispatcher } from '../support/sab-dispatcher.js';
import { answerSabWait } from '../support/sab-calls.js';
import type { BrowserWorkerSetup } from './worker-transport-host.js';

export const CASES: readonly (readonly [id: string, group: string, label: string])[] = [
  ['raw-seq', 'async round trip, sequential', 'raw MessagePort'],
  ['ours-seq', 'async round trip, sequential', 'jsinterop invokeAsync'],
  ['raw-pipe', 'async, 1000 calls in flight', 'raw MessagePort'],
  ['ours-pipe', 'async, 1000 calls in flight', 'jsinterop invokeAsync'],
  ['sab-wait', 'sync call', 'hand-written SAB, page woken by Atomics.waitAsync'],
  ['sab-wait-spin', 'sync call', 'hand-written SAB, waitAsync, spin 4096'],
  ['sab-wait-spin-both', 'sync call', 'hand-written SAB, waitAsync, spin 4096, page spin 1024'],
  ['sab-dispatcher', 'sync call', 'hand-written SAB + official dispatcher, no spin'],
  ['sab-dispatcher-spin-both', 'sync call', 'hand-written SAB + official dispatcher, spin 4096, page spin 1024'],
  ['ours-sync-nospin', 'sync call', 'jsinterop invoke, syncSpin 0 on both sides'],
  ['ours-sync', 'sync call', 'jsinterop invoke (defaults)'],
  ['raw-16m', '16 MiB byte array, Worker → page (moved back)', 'raw postMessage with transfer, both ways'],
  ['ours-16m-transfer', '16 MiB byte array, Worker → page (moved back)', 'jsinterop invokeAsync(transfer(bytes)), page returns transfer(bytes)'],
  ['ours-16m-copy', '16 MiB byte array, Worker → page (moved back)', 'jsinterop invokeVoidAsync(bytes): copied, not sent back'],
];

async function main(): Promise<void> {
  const g = globalThis as any;
  g.benchAdd = (a: number, b: number) => a + b;
  g.benchTakeBytes = (bytes: Uint8Array) => bytes.byteLength;
  g.benchBounce = (bytes: Uint8Array) => transfer(bytes);
  const params = new URLSearchParams(location.search);
  const channels = ['control', 'raw', 'rawBytes', 'ours', 'oursNoSpin'].map(() => new MessageChannel());
  const [control, raw, rawBytes, ours, oursNoSpin] = channels as [MessageChannel, MessageChannel, MessageChannel, MessageChannel, MessageChannel];
  raw.port1.onmessage = (e: MessageEvent<[number, number, number]>) => raw.port1.postMessage([e.data[0], e.data[1] + e.data[2]]);
  rawBytes.port1.onmessage = (e: MessageEvent<Uint8Array>) => rawBytes.port1.postMessage(e.data, [e.data.buffer as ArrayBuffer]);
  const sabWait = new SharedArrayBuffer(16);
  const sabWaitPageSpin = new SharedArrayBuffer(16);
  answerSabWait(sabWait, 0);
  answerSabWait(sabWaitPageSpin, 1024);
  const sabDispatcher = new SharedArrayBuffer(64 * 1024);
  const sabDispatcherPageSpin = new SharedArrayBuffer(64 * 1024);
  // The official dispatcher driven by hand (the same package instance; its host side is never called).
  const handDriven = (globalThis as any).DotNet.attachDispatcher({ beginInvokeDotNetFromJS() {}, endInvokeJSFromDotNet() {}, sendByteArray() {} });
  const stop = { stopped: false };
  answerWithDispatcher(sabDispatcher, handDriven, 0, stop);
  answerWithDispatcher(sabDispatcherPageSpin, handDriven, 1024, stop);
  const hosts = [hostInWorker(ours.port1), hostInWorker(oursNoSpin.port1, { syncSpin: 0 })];
  const replies: ((value: any) => void)[] = [];
  control.port1.onmessage = (e) => replies.shift()!(e.data);
  const reply = () => new Promise<any>((resolve) => replies.push(resolve));
  const worker = new Worker('/worker-transport-host.js', { type: 'module' });
  const ready = reply();
  const setup: BrowserWorkerSetup = {
    control: control.port2,
    raw: raw.port2,
    rawBytes: rawBytes.port2,
    ours: ours.port2,
    oursNoSpin: oursNoSpin.port2,
    sabWait,
    sabWaitPageSpin,
    sabDispatcher,
    sabDispatcherPageSpin,
  };
  worker.postMessage(setup, [control.port2, raw.port2, rawBytes.port2, ours.port2, oursNoSpin.port2]);
  await ready;
  await Promise.all(hosts.map((host) => host.ready));
  if (!hosts.every((host) => host.syncCalls)) throw new Error('no sync calls: the page is not cross-origin isolated');
  const cases: PageCase[] = CASES.map(([id, group, label]) => ({
    id,
    group,
    label,
    run: async (n) => {
      const done = reply();
      control.port1.postMessage({ cmd: id, n });
      return done;
    },
  }));
  const samples = await measure(cases, {
    rounds: Number(params.get('rounds') ?? 15),
    roundMs: Number(params.get('roundMs') ?? 50),
    warmupMs: Number(params.get('warmupMs') ?? 250),
  });
  await fetch('/report', { method: 'POST', body: JSON.stringify({ userAgent: navigator.userAgent, crossOriginIsolated, samples }) });
}

if (typeof document !== 'undefined') {
  main().catch((error: Error) => fetch('/report', { method: 'POST', body: JSON.stringify({ error: String(error?.stack ?? error) }) }));
}
