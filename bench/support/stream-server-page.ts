/*
 * The page process of the server part of bench/streams.ts: the official package connected with
 * our client, and a raw ws socket that sends the payload (or the Blob of it, read with its own
 * stream()) in binary frames when asked and acks what the host sends. Reports this process's
 * memory peak and CPU time between 'start' and 'stop' (IPC).
 *
 *   node dist/bench/support/stream-server-page.js ws://127.0.0.1:<port> <chunk bytes>
 */
import '../../src/page/node-globals.js';
import { once } from 'node:events';
import { WebSocket } from 'ws';
import { connectToServer } from '../../src/server-client.js';
import type { DotNetNamespace } from '../../src/page/official-package.js';
import { definePageFunctions, payload, rawSink, sampleMemory } from './stream-common.js';
import { eachChunkOf } from './stream-bytes.js';

const base = process.argv[2]!;
const chunk = Number(process.argv[3]);
const source = payload();
let sample: () => void = () => {};
definePageFunctions(source, () => sample());

const raw = new WebSocket(base + '/raw');
await once(raw, 'open');
const sink = rawSink(() => sample(), () => raw.send('received'));
raw.on('message', (data, isBinary) => {
  if (isBinary) sink.bytes(data as Buffer);
  else if (String(data) === 'buffer') sink.buffer();
  else if (String(data) === 'send blob') void eachChunkOf((globalThis as any).benchBlobSource() as Blob, sendInFrames);
  else sendInFrames(source);
});

/** Sends `bytes` in binary frames of at most `chunk` bytes. */
function sendInFrames(bytes: Uint8Array): void {
  for (let offset = 0; offset < bytes.byteLength; offset += chunk) raw.send(bytes.subarray(offset, offset + chunk), { binary: true });
}

const { DotNet } = (await import(`${import.meta.resolve('@microsoft/dotnet-js-interop')}?instance=streams`)) as { DotNet: DotNetNamespace };
(globalThis as any).DotNet = DotNet; // Blazor's disposal identifier resolves through window.DotNet
await connectToServer(base + '/_jsinterop', { DotNet, WebSocket: WebSocket as any }); // the stream window comes with the circuit's start

let memory: ReturnType<typeof sampleMemory> | undefined;
let cpu: NodeJS.CpuUsage | undefined;
process.on('message', (message) => {
  if (message === 'ready?') process.send!('ready');
  else if (message === 'start') {
    memory = sampleMemory();
    sample = memory.sample;
    cpu = process.cpuUsage();
    process.send!('started');
  } else if (message === 'stop') {
    const { user, system } = process.cpuUsage(cpu);
    sample = () => {};
    process.send!({ ...memory!.stop(), cpuMs: (user + system) / 1000 });
  }
});
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0)); // lets --cpu-prof write its profile
