/*
 * The capacity bench's comparison rows (bench/capacity.ts): the same traffic as jsinterop's
 * circuits over bare `ws` sockets (`raw`: the transport's share, no RPC) and through two RPC
 * peers over `ws` (birpc with JSON, Cap'n Web), each with its defaults. Each connection: about once a second, with
 * jitter, the server calls the page's `capItem(i)` (a 5-field object comes back) and, on its own
 * schedule, the page calls the server's `ping({id, at})` (`{id, ok}` comes back). No reconnects:
 * none of them resumes a session. The server half runs in bench/support/capacity-server.ts, the
 * page half in bench/support/capacity-pages.ts.
 */
import { createBirpc } from 'birpc';
import { newWebSocketRpcSession, RpcTarget } from 'capnweb';
import { WebSocket, WebSocketServer } from 'ws';

export type PeerKind = 'raw' | 'birpc' | 'capnweb';
export const PEER_KINDS: readonly PeerKind[] = ['raw', 'birpc', 'capnweb'];

// Cap'n Web reads WebSocket.CONNECTING from the global scope, which Node 20 does not have.
(globalThis as any).WebSocket ??= WebSocket;

/** What the server counts (the server process reports it per window). */
export interface ServerCounts {
  hostCalls: number;
  pageCalls: number;
  hostFailures: number;
  firstFailure?: string;
  circuits: number;
  record(ms: number): void;
}

/** The page's answer to `capItem`. */
export const capItem = (id: number) => ({ id, name: 'item', price: 4.5, tags: ['a', 'b'], inStock: true });

/** 0.5–1.5 s: one call a second on average, spread so that connections opened together drift apart. */
export function everySecondOrSo(socket: WebSocket, tick: () => void): void {
  const timer = setTimeout(() => {
    if (socket.readyState !== socket.OPEN) return;
    tick();
    everySecondOrSo(socket, tick);
  }, 500 + Math.random() * 1000);
  timer.unref();
}

/** One server→page call a second or so, timed; `call` resolves with the page's item. */
function callPageEverySecond(socket: WebSocket, index: number, counts: ServerCounts, call: (index: number) => Promise<{ id: number }>): void {
  everySecondOrSo(socket, () => {
    const started = performance.now();
    call(index).then(
      (item) => {
        if (item.id !== index) throw new Error(`capItem(${index}) answered ${item.id}`);
        counts.hostCalls++;
        counts.record(performance.now() - started);
      },
      (error) => {
        if (socket.readyState !== socket.OPEN) return;
        counts.hostFailures++;
        counts.firstFailure ??= String(error);
      },
    );
  });
}

class CapnwebServerApi extends RpcTarget {
  constructor(private readonly counts: ServerCounts) {
    super();
  }
  ping(item: { id: number }) {
    this.counts.pageCalls++;
    return { id: item.id, ok: true };
  }
}

class CapnwebPageApi extends RpcTarget {
  capItem(id: number) {
    return capItem(id);
  }
}

const json = { serialize: JSON.stringify, deserialize: JSON.parse };
const birpcOver = (socket: WebSocket) => ({ post: (data: string) => socket.send(data), on: (fn: (data: string) => void) => void socket.on('message', (data) => fn(data.toString())), ...json });

/** The server half: listens on loopback and serves every connection the `kind` way; resolves with its URL. */
export async function servePeer(kind: PeerKind, counts: ServerCounts): Promise<string> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', clientTracking: false, perMessageDeflate: false });
  await new Promise((resolve) => wss.once('listening', resolve));
  let opened = 0;
  wss.on('connection', (socket) => {
    counts.circuits++;
    socket.on('close', () => counts.circuits--);
    const index = ++opened;
    if (kind === 'birpc') {
      const page = createBirpc<{ capItem(id: number): { id: number } }>({ ping: (item: { id: number }) => (counts.pageCalls++, { id: item.id, ok: true }) }, birpcOver(socket));
      return callPageEverySecond(socket, index, counts, (i) => page.capItem(i));
    }
    if (kind === 'capnweb') {
      const page = newWebSocketRpcSession<{ capItem(id: number): { id: number } }>(socket as any, new CapnwebServerApi(counts)) as any;
      return callPageEverySecond(socket, index, counts, (i) => page.capItem(i));
    }
    // raw: the server sends `[id]`, the page answers the item as JSON; the page sends `{"p":id,…}`, the server answers `{"id":…,"ok":true}`.
    const waiting = new Map<number, (item: { id: number }) => void>();
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString());
      if ('p' in message) {
        counts.pageCalls++;
        socket.send(JSON.stringify({ id: message.p, ok: true }));
      } else {
        waiting.get(message.id)?.(message);
        waiting.delete(message.id);
      }
    });
    callPageEverySecond(socket, index, counts, (i) => new Promise((resolve) => {
      waiting.set(i, resolve);
      socket.send(`[${i}]`);
    }));
  });
  return `ws://127.0.0.1:${(wss.address() as { port: number }).port}/`;
}

/** What a page's ping reports. */
export interface PageCounts {
  calls: number;
  failures: number;
  firstFailure?: string;
  record(ms: number): void;
}

/**
 * env CAPACITY_PEER_PAGE_US: µs of CPU a comparison row's page spends on each message it receives
 * and each call it starts (default 0). A jsinterop page (a whole instance of the official package
 * and the client) costs its generator more than these pages do, and a server woken by slower
 * pages finds fewer frames per wake-up, which costs it CPU per call; this evens the generators'
 * load so that the servers compare on the same arrivals.
 */
const PEER_PAGE_US = Number(process.env.CAPACITY_PEER_PAGE_US ?? 0);

function pageWork(): void {
  if (!PEER_PAGE_US) return;
  const end = performance.now() + PEER_PAGE_US / 1000;
  while (performance.now() < end);
}

/** The page half: opens one connection the `kind` way and pings the server a second or so, timed. */
export async function openPeerPage(kind: PeerKind, url: string, index: number, counts: PageCounts): Promise<WebSocket> {
  const socket = new WebSocket(url, { perMessageDeflate: false });
  if (PEER_PAGE_US) socket.on('message', pageWork);
  let ping: (item: { id: number; at: number }) => Promise<{ id: number }>;
  if (kind === 'birpc') {
    const server = createBirpc<{ ping(item: { id: number; at: number }): { id: number } }>({ capItem }, birpcOver(socket));
    ping = (item) => server.ping(item);
  } else if (kind === 'capnweb') {
    const server = newWebSocketRpcSession<{ ping(item: { id: number; at: number }): { id: number } }>(socket as any, new CapnwebPageApi()) as any;
    ping = (item) => server.ping(item);
  } else {
    const waiting = new Map<number, (answer: { id: number }) => void>();
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString());
      if (Array.isArray(message)) return socket.send(JSON.stringify(capItem(message[0])));
      waiting.get(message.id)?.(message);
      waiting.delete(message.id);
    });
    ping = (item) => new Promise((resolve) => {
      waiting.set(item.id, resolve);
      socket.send(JSON.stringify({ p: item.id, at: item.at }));
    });
  }
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  everySecondOrSo(socket, () => {
    pageWork();
    const started = performance.now();
    ping({ id: index, at: Date.now() }).then(
      (answer) => {
        if (answer.id !== index) throw new Error(`ping(${index}) answered ${answer.id}`);
        counts.calls++;
        counts.record(performance.now() - started);
      },
      (error) => {
        counts.failures++;
        counts.firstFailure ??= String(error);
      },
    );
  });
  return socket;
}
