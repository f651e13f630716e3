/*
 * Idle connection cost for the server bench: one process holds a server of one kind, another
 * opens N idle connections to it; the server process reports its heap and RSS growth.
 *
 *   node --expose-gc dist/bench/support/server-idle.js host <kind>     prints {"url": …}, then on
 *                                                                     'measure' over IPC, the result
 *   node dist/bench/support/server-idle.js clients <kind> <url> <n>   opens n connections, sends 'ready'
 *
 * Kinds: raw (a ws connection with a message listener), birpc, capnweb, jsinterop (a circuit:
 * the client says Hello, as the page client does, and then stays silent).
 */
import http from 'node:http';
import { once } from 'node:events';
import { WebSocket, WebSocketServer } from 'ws';
import { createBirpc } from 'birpc';
import { newWebSocketRpcSession, RpcTarget } from 'capnweb';
import { createInteropServer } from '../../src/server.js';
import * as Msg from '../../src/protocol/message-codes.js';
import { PROTOCOL_VERSION } from '../../src/protocol/messages.js';

(globalThis as any).WebSocket ??= WebSocket;
const [role, kind, url, count] = process.argv.slice(2);

class HostApi extends RpcTarget {
  ping(): string {
    return 'pong';
  }
}

function gcTwice(): void {
  const gc = (globalThis as any).gc as () => void;
  gc();
  gc();
}

async function host(): Promise<void> {
  const server = http.createServer();
  let connections = 0;
  if (kind === 'jsinterop') {
    const interop = await createInteropServer({ server, path: '/' });
    interop.on('circuit', () => connections++);
  } else {
    const wss = new WebSocketServer({ server, clientTracking: false, perMessageDeflate: false });
    wss.on('connection', (socket) => {
      connections++;
      if (kind === 'raw') socket.on('message', (data) => socket.send(data));
      else if (kind === 'birpc') {
        createBirpc({ ping: () => 'pong' }, { post: (d) => socket.send(d), on: (fn) => void socket.on('message', (d) => fn(d.toString())), serialize: JSON.stringify, deserialize: JSON.parse });
      } else newWebSocketRpcSession(socket as any, new HostApi());
    });
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  gcTwice();
  const before = process.memoryUsage();
  const measure = once(process, 'message');
  process.send!({ url: `ws://127.0.0.1:${(server.address() as { port: number }).port}/` });
  const [n] = (await measure) as [number];
  while (connections < n) await new Promise((resolve) => setTimeout(resolve, 20));
  await new Promise((resolve) => setTimeout(resolve, 200)); // let the last handshakes settle
  gcTwice();
  const after = process.memoryUsage();
  process.send!({ connections, heapPerConnection: (after.heapUsed - before.heapUsed) / n, heapMiB: (after.heapUsed - before.heapUsed) / 2 ** 20, rssMiB: (after.rss - before.rss) / 2 ** 20, rssPerConnection: (after.rss - before.rss) / n });
}

async function clients(): Promise<void> {
  const n = Number(count);
  const sockets: WebSocket[] = [];
  for (let i = 0; i < n; i += 200) {
    const batch = Array.from({ length: Math.min(200, n - i) }, () => new WebSocket(url!, { perMessageDeflate: false }));
    await Promise.all(batch.map((s) => once(s, 'open')));
    if (kind === 'jsinterop') for (const s of batch) s.send(JSON.stringify([Msg.Hello, PROTOCOL_VERSION, 0, null]));
    sockets.push(...batch);
  }
  process.send!('ready');
  process.on('disconnect', () => process.exit(0));
}

if (role === 'host') await host();
else await clients();
