/*
 * The page process of the server bench (bench/server.ts): connects to the host process over
 * loopback once per contender and answers it. Every contender echoes its argument, so the
 * bench measures transport and dispatch, not work.
 *
 *   node dist/bench/support/server-page.js ws://127.0.0.1:<port>
 *
 * Tells the parent 'ready' over IPC once every connection is up.
 */
import '../../src/page/node-globals.js';
import { once } from 'node:events';
import { WebSocket } from 'ws';
import { createBirpc } from 'birpc';
import { newWebSocketRpcSession, RpcTarget } from 'capnweb';
import { connectToServer } from '../../src/server-client.js';
import { floorPage, type FloorCall } from './dispatcher-floor.js';
import { collectYoungGarbage } from './harness.js';
import type { DotNetNamespace } from '../../src/page/official-package.js';

// Cap'n Web reads WebSocket.CONNECTING from the global scope, which Node 20 does not have.
(globalThis as any).WebSocket ??= WebSocket;

const base = process.argv[2];
if (!base) throw new Error('usage: server-page.js ws://host:port');

async function open(path: string): Promise<WebSocket> {
  const socket = new WebSocket(base + path);
  await once(socket, 'open');
  return socket;
}

// Raw ws: echo every frame as it came (text stays text, binary stays binary).
const raw = await open('/raw');
raw.on('message', (data, isBinary) => raw.send(data, { binary: isBinary }));

// A minimal JSON RPC: {id, method, params} → {id, result}; 'bytes' carries base64 both ways.
const rpc = await open('/json-rpc');
rpc.on('message', (data) => {
  const { id, method, params } = JSON.parse(data.toString());
  const result = method === 'bytes' ? Buffer.from(Buffer.from(params[0], 'base64')).toString('base64') : params[0];
  rpc.send(JSON.stringify({ id, result }));
});

// birpc with JSON.
const birpcSocket = await open('/birpc');
createBirpc(
  { echo: (x: unknown) => x },
  {
    post: (data) => birpcSocket.send(data),
    on: (fn) => void birpcSocket.on('message', (data) => fn(data.toString())),
    serialize: JSON.stringify,
    deserialize: JSON.parse,
  },
);

// Cap'n Web: the page's main object is an RpcTarget the host calls through its session stub.
class PageApi extends RpcTarget {
  echo(x: unknown): unknown {
    return x;
  }
}
newWebSocketRpcSession((await open('/capnweb')) as any, new PageApi());

// The floor for any design on the official package: its dispatcher over a bare socket, driven by hand
// (bench/support/dispatcher-floor.ts: [asyncHandle, identifier, argsJson] in as JSON text, the completion JSON
// out; a package instance of its own).
const floorSocket = await open('/floor');
const floorPackage = (await import(`${import.meta.resolve('@microsoft/dotnet-js-interop')}?instance=floor`)) as { DotNet: DotNetNamespace };
// Byte arrays are not part of the server floor: every completion is the package's JSON text.
const runFloorCall = floorPage(floorPackage.DotNet, (completion) => floorSocket.send(completion as string));
floorSocket.on('message', (data) => runFloorCall(JSON.parse(data.toString()) as FloorCall));

// jsinterop: the official package, connected with the real client; the host calls window functions.
const g = globalThis as any;
g.benchEcho = (x: unknown) => x;
g.benchEchoBytes = (bytes: Uint8Array) => bytes;
const { DotNet } = (await import(`${import.meta.resolve('@microsoft/dotnet-js-interop')}?instance=bench`)) as { DotNet: DotNetNamespace };
await connectToServer(base + '/_jsinterop', { DotNet, WebSocket: WebSocket as any });

process.on('message', (message) => {
  if (message === 'collect-young-garbage') {
    collectYoungGarbage();
    process.send!('collected');
  }
});
process.send!('ready');
process.on('disconnect', () => process.exit(0));
