/*
 * A load generator of the capacity bench (bench/capacity.ts): one process holding many pages,
 * started pinned to the core the server does not use
 * (`taskset -c 1 node dist/bench/support/capacity-pages.js ws://127.0.0.1:<port>/_jsinterop`).
 *
 * Each page is what a browser tab runs: its own instance of the official
 * @microsoft/dotnet-js-interop package (imported with `?instance=<n>`, so ids, the object table
 * and the attached dispatcher are the page's own), connected with the real client
 * (`connectToServer`) over its own `ws` socket. The host's calls reach `window.capItem` through
 * that page's dispatcher. About once a second, with jitter, every page calls the host
 * (`DotNet.invokeMethodAsync('Cap', 'Ping', {…})`) and times the round trip; now and then a page's
 * socket is dropped (`terminate()`, as a network failure) and the client reconnects and resumes.
 *
 * IPC from the parent:
 *   {cmd: 'open', count}    opens `count` more pages, answers {cmd: 'opened', pages, failures, firstFailure}
 *   {cmd: 'window-start'}   resets counters, CPU clock and event-loop delay histogram
 *   {cmd: 'window-end'}     answers {cmd: 'window', …}
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { WebSocket } from 'ws';
import { openNodePage, type NodePage } from '../../test/support/node-page.js';
import { capItem, openPeerPage, type PageCounts, type PeerKind } from './capacity-peers.js';

const url = process.argv[2];
if (!url) throw new Error('usage: capacity-pages.js ws://host:port/_jsinterop');
/** Mean seconds between dropped sockets, per page (env CAPACITY_RECONNECT_S, default 120). */
const reconnectEvery = Number(process.env.CAPACITY_RECONNECT_S ?? 120);

// The host → page call: a small object back.
(globalThis as any).capItem = capItem;

/** A page of the package and client (a NodePage), or a comparison row's bare socket. */
type Page = NodePage | WebSocket;

const pages: Page[] = [];
let drops = 0;
let latencies: number[] = [];
const MAX_SAMPLES = 200_000;
/** The page → host calls answered in the window, and those that failed. */
const counts: PageCounts = { calls: 0, failures: 0, record: (ms) => void (latencies.length < MAX_SAMPLES && latencies.push(ms)) };

function schedule(page: NodePage, index: number): void {
  const timer = setTimeout(async () => {
    if (Math.random() < 1 / reconnectEvery) {
      drops++;
      page.drop(); // the client sees a dropped connection and resumes the circuit
    }
    const started = performance.now();
    try {
      const answer = (await page.DotNet.invokeMethodAsync('Cap', 'Ping', { id: index, at: Date.now() })) as { id: number };
      if (answer.id !== index) throw new Error(`Ping(${index}) answered ${answer.id}`);
      counts.calls++;
      counts.record(performance.now() - started);
    } catch (error) {
      counts.failures++;
      counts.firstFailure ??= String(error);
    }
    schedule(page, index);
  }, 500 + Math.random() * 1000);
  timer.unref();
}

let opening = 0;

/** argv[3]: `jsinterop`, or a comparison row (bench/support/capacity-peers.ts: raw, birpc, capnweb). */
const kind = process.argv[3] ?? 'jsinterop';

async function openPage(): Promise<void> {
  const index = opening++;
  if (kind !== 'jsinterop') {
    pages.push(await openPeerPage(kind as PeerKind, url!, index, counts));
    return;
  }
  const page = await openNodePage(url!);
  pages.push(page);
  schedule(page, index);
}

const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();
let cpu = process.cpuUsage();
let windowStart = performance.now();

process.on('message', async (message: { cmd: string; count?: number }) => {
  if (message.cmd === 'open') {
    let opened = 0;
    let openFailures = 0;
    let firstOpenFailure: string | undefined;
    const target = message.count!;
    // 50 at a time: a burst of opening pages, not a connection storm.
    while (opened + openFailures < target) {
      const batch = Math.min(50, target - opened - openFailures);
      const results = await Promise.allSettled(Array.from({ length: batch }, openPage));
      for (const r of results) {
        if (r.status === 'fulfilled') opened++;
        else {
          openFailures++;
          firstOpenFailure ??= String(r.reason);
        }
      }
      if (openFailures > 0) break;
    }
    process.send!({ cmd: 'opened', pages: pages.length, failures: openFailures, firstFailure: firstOpenFailure });
  } else if (message.cmd === 'window-start') {
    counts.calls = counts.failures = drops = 0;
    counts.firstFailure = undefined;
    latencies = [];
    loop.reset();
    cpu = process.cpuUsage();
    windowStart = performance.now();
  } else if (message.cmd === 'window-end') {
    const used = process.cpuUsage(cpu);
    process.send!({
      cmd: 'window',
      ms: performance.now() - windowStart,
      pages: pages.length,
      calls: counts.calls,
      failures: counts.failures,
      firstFailure: counts.firstFailure,
      drops,
      latencies,
      cpuUs: used.user + used.system,
      loopP99: Math.max(0, loop.percentile(99) / 1e6 - 10),
    });
  }
});
process.on('disconnect', () => process.exit(0));
process.send!({ cmd: 'ready' });
