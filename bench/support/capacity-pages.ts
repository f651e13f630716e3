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
import { WebSocket } from 'ws';
import { openNodePage, type NodePage } from '../../test/support/node-page.js';

const url = process.argv[2];
if (!url) throw new Error('usage: capacity-pages.js ws://host:port/_jsinterop');
/** Mean seconds between dropped sockets, per page (env CAPACITY_RECONNECT_S, default 120). */
const reconnectEvery = Number(process.env.CAPACITY_RECONNECT_S ?? 120);

// The host → page call: a small object back.
(globalThis as any).capItem = (id: number) => ({ id, name: 'item', price: 4.5, tags: ['a', 'b'], inStock: true });

/** A page of the package and client (a NodePage), or a bare socket in raw mode. */
type Page = NodePage | WebSocket;

const pages: Page[] = [];
let calls = 0;
let failures = 0;
let drops = 0;
let firstFailure: string | undefined;
let latencies: number[] = [];
const MAX_SAMPLES = 200_000;

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
      calls++;
      if (latencies.length < MAX_SAMPLES) latencies.push(performance.now() - started);
    } catch (error) {
      failures++;
      firstFailure ??= String(error);
    }
    schedule(page, index);
  }, 500 + Math.random() * 1000);
  timer.unref();
}

let opening = 0;

/** `raw` (argv[3]): bare `ws` sockets, the counterpart of the server's raw mode (no package, no client). */
const raw = process.argv[3] === 'raw';

async function openRawPage(index: number): Promise<void> {
  const socket = new WebSocket(url!, { perMessageDeflate: false });
  const waiting = new Map<number, number>();
  socket.on('message', (data) => {
    const message = JSON.parse(data.toString());
    if (Array.isArray(message)) {
      socket.send(JSON.stringify({ id: message[0], name: 'item', price: 4.5, tags: ['a', 'b'], inStock: true }));
      return;
    }
    const started = waiting.get(message.id);
    waiting.delete(message.id);
    if (started === undefined) return;
    calls++;
    if (latencies.length < MAX_SAMPLES) latencies.push(performance.now() - started);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const tick = (): void => {
    const timer = setTimeout(() => {
      if (socket.readyState !== socket.OPEN) return;
      waiting.set(index, performance.now());
      socket.send(JSON.stringify({ p: index, at: Date.now() }));
      tick();
    }, 500 + Math.random() * 1000);
    timer.unref();
  };
  tick();
  pages.push(socket);
}

async function openPage(): Promise<void> {
  const index = opening++;
  if (raw) return openRawPage(index);
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
    calls = failures = drops = 0;
    firstFailure = undefined;
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
      calls,
      failures,
      firstFailure,
      drops,
      latencies,
      cpuUs: used.user + used.system,
      loopP99: Math.max(0, loop.percentile(99) / 1e6 - 10),
    });
  }
});
process.on('disconnect', () => process.exit(0));
process.send!({ cmd: 'ready' });
