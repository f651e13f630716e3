/*
 * Server bench: the host (this process) and the page (bench/support/server-page.ts, a child
 * process) talk over loopback WebSockets. Every contender echoes:
 *
 *   raw ws      a frame echoed as-is (the floor for any protocol over ws)
 *   JSON RPC    {id, method, params} → {id, result}, the least an RPC can do (and base64 for bytes)
 *   birpc       birpc 4 over ws with JSON
 *   Cap'n Web   capnweb over ws
 *   floor       the official package's dispatcher driven by hand over a bare socket: the least any
 *               design on the package can do
 *   jsinterop   js.invokeAsync on a circuit; the page is the official package with our client
 *
 * Sequential = one call at a time; pipelined = 1,000 calls in flight. Then 1 MiB byte arrays,
 * the idle cost of a connection (separate processes, heap and RSS), and the size of the
 * browser client bundle. Targets (docs/benchmarks.md): sequential ≤ 1.05× the floor, pipelined
 * ≥ 0.8× raw echo's throughput, bytes ≥ 0.8× raw binary frames, ≤ 8 KB heap per idle circuit,
 * ≤ 8 KB min+gzip client.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket, WebSocketServer } from 'ws';
import { createBirpc } from 'birpc';
import { newWebSocketRpcSession } from 'capnweb';
import { createInteropServer, type Circuit } from '../src/server.js';
import { runSuite, type BenchCase, type BenchRow } from './support/harness.js';
import { minGzipSize } from './support/bundle-size.js';
import { pipelined, sequential } from './support/call-loops.js';
import { floorHost } from './support/dispatcher-floor.js';

(globalThis as any).WebSocket ??= WebSocket; // for Cap'n Web (see server-page.ts)

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');
const WINDOW = 1000;
const MIB = 1 << 20;
/** A small text frame, the size of an interop call message. */
const SMALL = '[10,2,"benchEcho","[42]",0,0,1]';

interface Contenders {
  raw(payload: string | Buffer): Promise<unknown>;
  jsonRpc(method: string, param: unknown): Promise<unknown>;
  floor(identifier: string, args: unknown[]): Promise<unknown>;
  birpc: { echo(x: unknown): Promise<unknown> };
  capnweb: { echo(x: unknown): Promise<unknown> };
  circuit: Circuit;
  /** Collects the page process's young garbage (before each sample: see the harness). */
  collectPageGarbage(): Promise<void>;
  close(): Promise<void>;
}

/** Starts the host side, forks the page process and waits until every contender is connected. */
async function connect(): Promise<Contenders> {
  const server = http.createServer();
  const sockets = new Map<string, (socket: WebSocket) => void>();
  const accepted = (p: string) => new Promise<WebSocket>((resolve) => sockets.set(p, resolve));
  const wss = new WebSocketServer({ noServer: true, clientTracking: false, perMessageDeflate: false });
  server.on('upgrade', (req, socket, head) => {
    const take = sockets.get(req.url ?? '');
    if (take) wss.handleUpgrade(req, socket, head, take);
  });
  const interop = await createInteropServer({ server });
  const circuitOpened = once(interop, 'circuit');
  const rawSocket = accepted('/raw');
  const rpcSocket = accepted('/json-rpc');
  const birpcSocket = accepted('/birpc');
  const capnSocket = accepted('/capnweb');
  const floorSocket = accepted('/floor');
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const page: ChildProcess = fork(path.join(here, 'support', 'server-page.js'), [`ws://127.0.0.1:${(server.address() as { port: number }).port}`]);
  const [ready] = await Promise.race([once(page, 'message'), once(page, 'exit').then(() => { throw new Error('the page process exited'); })]);
  if (ready !== 'ready') throw new Error(`unexpected message from the page process: ${ready}`);

  const raw = await rawSocket;
  const rawWaiting: (() => void)[] = [];
  raw.on('message', () => rawWaiting.shift()!());

  const rpc = await rpcSocket;
  const rpcWaiting = new Map<number, (value: unknown) => void>();
  let rpcId = 0;
  rpc.on('message', (data) => {
    const { id, result } = JSON.parse(data.toString());
    rpcWaiting.get(id)!(result);
    rpcWaiting.delete(id);
  });

  const birpcWs = await birpcSocket;
  const birpc = createBirpc<{ echo(x: unknown): unknown }>(
    {},
    { post: (d) => birpcWs.send(d), on: (fn) => void birpcWs.on('message', (d) => fn(d.toString())), serialize: JSON.stringify, deserialize: JSON.parse },
  );
  const floorWs = await floorSocket;
  const floor = floorHost((call) => floorWs.send(JSON.stringify(call)));
  floorWs.on('message', (data) => floor.receive(data.toString()));

  const capnweb = newWebSocketRpcSession<{ echo(x: unknown): unknown }>((await capnSocket) as any) as unknown as Contenders['capnweb'];
  const [circuit] = (await circuitOpened) as [Circuit];

  return {
    raw: (payload) => new Promise<void>((resolve) => {
      rawWaiting.push(resolve);
      raw.send(payload);
    }),
    jsonRpc: (method, param) => new Promise((resolve) => {
      const id = ++rpcId;
      rpcWaiting.set(id, resolve);
      rpc.send(JSON.stringify({ id, method, params: [param] }));
    }),
    floor: floor.call,
    birpc: birpc as unknown as Contenders['birpc'],
    capnweb,
    circuit,
    collectPageGarbage: async () => {
      const collected = once(page, 'message');
      page.send('collect-young-garbage');
      await collected;
    },
    async close() {
      page.kill();
      await interop.close();
      for (const s of [raw, rpc, birpcWs, floorWs]) s.terminate();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function callCases(c: Contenders, kind: 'seq' | 'pipe'): BenchCase[] {
  const js = c.circuit.js;
  const contenders: [id: string, label: string, call: () => Promise<unknown>][] = [
    ['raw', 'raw ws echo', () => c.raw(SMALL)],
    // The same echo again: how far two identical contenders drift apart in one run (the bench's resolution).
    ['raw-again', 'raw ws echo again (A/A control)', () => c.raw(SMALL)],
    ['json-rpc', 'minimal JSON RPC', () => c.jsonRpc('echo', 42)],
    ['birpc', 'birpc', () => c.birpc.echo(42)],
    ['capnweb', "Cap'n Web", () => c.capnweb.echo(42)],
    ['floor', 'official dispatcher over a bare socket (the floor)', () => c.floor('benchEcho', [42])],
    ['jsinterop', 'jsinterop js.invokeAsync', () => js.invokeAsync('benchEcho', 42)],
  ];
  if (kind === 'seq') {
    return contenders.map(([id, label, call]): BenchCase => ({
      id: `${id}-seq`,
      label: `${label}, sequential`,
      group: 'sequential round trip (one in flight)',
      run: (n) => sequential(n, call),
      // Target: within 1.05× of the floor (issue 16); the ratio to raw is the suite's 'vs raw-seq' column.
      ...(id === 'jsinterop' ? { baseline: 'floor-seq', target: 1.05 } : {}),
    }));
  }
  return contenders.map(([id, label, call]): BenchCase => ({
    id: `${id}-pipe`,
    label: `${label}, ${WINDOW} in flight`,
    group: `pipelined (${WINDOW} in flight)`,
    run: (n) => pipelined(n, WINDOW, call),
    // ≥ 0.8× raw echo's calls per second is ≤ 1.25× its time per call.
    ...(id === 'jsinterop' ? { baseline: 'raw-pipe', target: 1.25 } : {}),
  }));
}

function byteCases(c: Contenders): BenchCase[] {
  const bytes = new Uint8Array(MIB).map((_, i) => (i * 31) & 0xff);
  const buffer = Buffer.from(bytes);
  return [
    { id: 'raw-bytes', label: '1 MiB, raw binary frame echo', group: '1 MiB byte array round trip', run: (n) => sequential(n, () => c.raw(buffer)) },
    {
      id: 'json-base64',
      label: '1 MiB as base64 in JSON RPC',
      group: '1 MiB byte array round trip',
      run: (n) => sequential(n, async () => Buffer.from((await c.jsonRpc('bytes', buffer.toString('base64'))) as string, 'base64')),
    },
    {
      id: 'jsinterop-bytes',
      label: '1 MiB, jsinterop Uint8Array echo',
      group: '1 MiB byte array round trip',
      run: (n) => sequential(n, () => c.circuit.js.invokeAsync('benchEchoBytes', bytes)),
      baseline: 'raw-bytes',
      target: 1.25,
    },
  ];
}

// ---- idle connections ----

export interface IdleCost {
  readonly kind: string;
  readonly connections: number;
  readonly heapPerConnection: number;
  readonly heapMiB: number;
  readonly rssMiB: number;
  readonly rssPerConnection: number;
}

/** Opens `n` idle connections of `kind` from a client process to a fresh host process. */
async function idleCost(kind: string, n: number): Promise<IdleCost> {
  const script = path.join(here, 'support', 'server-idle.js');
  const host = fork(script, ['host', kind], { execArgv: ['--expose-gc'] });
  const [{ url }] = (await once(host, 'message')) as [{ url: string }];
  const clients = fork(script, ['clients', kind, url, String(n)]);
  await once(clients, 'message');
  const result = once(host, 'message');
  host.send(n);
  const [measured] = (await result) as [Omit<IdleCost, 'kind'>];
  clients.kill();
  host.kill();
  return { kind, ...measured };
}

// ---- client bundle ----

/** min+gzip size of a page that imports the official package and connects with our client. */
async function clientBundleSize(): Promise<{ minified: number; gzipped: number; packageOnly: number }> {
  const build = (contents: string) => minGzipSize(contents, repoRoot);
  const full = await build(
    "import { DotNet } from '@microsoft/dotnet-js-interop';\nimport { connectToServer } from './src/server-client.ts';\nexport const connection = connectToServer(new URL('/_jsinterop', location.href.replace(/^http/, 'ws')), { DotNet });",
  );
  const packageOnly = await build("import { DotNet } from '@microsoft/dotnet-js-interop';\nexport { DotNet };");
  return { ...full, packageOnly: packageOnly.gzipped };
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(2)} KB`;

/** env SERVER_BENCH=seq,pipe,bytes,idle,size runs only those parts (default: all). */
const parts = new Set((process.env.SERVER_BENCH ?? 'seq,pipe,bytes,idle,size').split(','));

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  if (parts.has('seq') || parts.has('pipe') || parts.has('bytes')) {
    const contenders = await connect();
    // The page process answers every case: its garbage is collected before each sample too.
    const beforeSample = contenders.collectPageGarbage;
    try {
      if (parts.has('seq')) {
        rows.push(...(await runSuite({ suite: 'server: sequential calls (host and page in separate processes, loopback)', cases: callCases(contenders, 'seq'), references: ['raw-seq'], beforeSample })));
      }
      if (parts.has('pipe')) {
        // Rounds long enough that a round is many windows, not mostly ramp-up and drain.
        rows.push(...(await runSuite({ suite: 'server: pipelined calls', cases: callCases(contenders, 'pipe'), references: ['raw-pipe'], roundMs: 200, rounds: 15, beforeSample })));
      }
      if (parts.has('bytes')) {
        rows.push(...(await runSuite({ suite: 'server: byte arrays', cases: byteCases(contenders), references: ['raw-bytes'], roundMs: 150, rounds: 25, beforeSample })));
      }
    } finally {
      await contenders.close();
    }
  }
  if (parts.has('idle')) await reportIdle();
  if (parts.has('size')) await reportSize();
  return rows;
}

async function reportIdle(): Promise<void> {
  const idle: IdleCost[] = [];
  for (const kind of ['raw', 'birpc', 'capnweb', 'jsinterop']) idle.push(await idleCost(kind, 1000));
  idle.push(await idleCost('jsinterop', 10_000));
  console.log('\nserver: idle connections (server process, after GC)');
  console.log('kind        connections  heap/conn   heap total  RSS total  RSS/conn');
  for (const i of idle) {
    console.log(`${i.kind.padEnd(11)} ${String(i.connections).padStart(11)}  ${kb(i.heapPerConnection).padStart(9)}  ${`${i.heapMiB.toFixed(1)} MiB`.padStart(10)}  ${`${i.rssMiB.toFixed(1)} MiB`.padStart(9)}  ${kb(i.rssPerConnection).padStart(8)}`);
  }
  const ours = idle.find((i) => i.kind === 'jsinterop' && i.connections === 1000)!;
  console.log(`target ≤ 8 KB heap per idle circuit: ${ours.heapPerConnection <= 8 * 1024 ? 'met' : 'MISSED'} (${kb(ours.heapPerConnection)})`);
}

async function reportSize(): Promise<void> {
  const size = await clientBundleSize();
  console.log(`\nserver: browser client bundle (official package + jsinterop/server/client), minified ${kb(size.minified)}, min+gzip ${kb(size.gzipped)} (the official package alone: ${kb(size.packageOnly)})`);
  console.log(`target ≤ 8 KB min+gzip: ${size.gzipped <= 8 * 1024 ? 'met' : 'MISSED'}`);
}

// Run on its own: node dist/bench/server.js
if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) await run();
