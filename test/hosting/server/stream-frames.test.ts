import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { Socket } from 'node:net';
import { HostStreamReference } from '../../../src/index.js';
import { resolveSettings } from '../../../src/hosting/server/options.js';
import { Control, isControl, PageFeature } from '../../../src/protocol/circuit-control.js';
import { BINARY_HEADER_SIZE, BYTES_FOLLOW, decodeBinary, MORE_PARTS } from '../../../src/protocol/framing.js';
import * as Msg from '../../../src/protocol/message-codes.js';
import { FaultProxy } from './fault-proxy.js';
import { definePageGlobals, isRejected, openPage, patternBytes, RawPage, startServer } from './server-support.js';
import type { InteropServer } from '../../../src/server.js';

/** A small window of small chunks, so a test sees every frame: 8 chunks of 1 KiB. */
const SMALL = { streamChunkSize: 1024, streamWindowBytes: 8 * 1024 };
const EVERY_FEATURE = PageFeature.CallFrames | PageFeature.SplitMessages | PageFeature.Drain | PageFeature.StreamWindow | PageFeature.ChunkFrames;

/** The numbered frames a raw page received (control frames left out), as bytes or text, in order. */
function numberedFrames(page: RawPage): (Uint8Array | string)[] {
  const frames: (Uint8Array | string)[] = [];
  page.socket.on('message', (data: Buffer, isBinary: boolean) => {
    if (isBinary) return void frames.push(new Uint8Array(data));
    const text = data.toString();
    if (!(text.startsWith('[') && isControl(JSON.parse(text)[0]))) frames.push(text);
  });
  return frames;
}

const isStreamEnd = (f: unknown): boolean => Array.isArray(f) && f[0] === Msg.StreamEnd;
const streamIdOf = (call: any[]): number => JSON.parse(call[3])[0].__dotNetStream;
const circuitOf = (server: InteropServer, page: RawPage) => server.circuit(page.started[1])!;
const binaries = (frames: (Uint8Array | string)[]): Uint8Array[] => frames.filter((f): f is Uint8Array => typeof f !== 'string');

describe('host stream frames', () => {
  test('a page that reads chunk frames gets each chunk as a header frame and then its bytes as they are; an older page gets one frame per chunk', async (t) => {
    const server = await startServer(t, SMALL);
    const bytes = patternBytes(2560);
    for (const features of [EVERY_FEATURE, EVERY_FEATURE & ~PageFeature.ChunkFrames]) {
      const page = await RawPage.open(t, server.url, { features });
      const frames = numberedFrames(page);
      void circuitOf(server, page).js.invokeVoidAsync('take', HostStreamReference.create(bytes)).catch(() => {});
      const id = streamIdOf(await page.next((f) => Array.isArray(f) && f[0] === Msg.BeginInvokeJS));
      await page.next(isStreamEnd);
      const received = binaries(frames);
      if (features & PageFeature.ChunkFrames) {
        assert.equal(received.length, 6);
        for (let i = 0; i < 6; i += 2) {
          assert.deepEqual(decodeBinary(received[i]!, MORE_PARTS | BYTES_FOLLOW), { type: Msg.StreamChunk, id, bytes: new Uint8Array(0), more: false, follows: true });
          assert.deepEqual(received[i + 1], bytes.subarray(i * 512, Math.min(i * 512 + 1024, bytes.byteLength)));
        }
      } else {
        assert.deepEqual(received.map((f) => decodeBinary(f)), [0, 1024, 2048].map((at) => ({ type: Msg.StreamChunk, id, bytes: bytes.subarray(at, at + 1024), more: false, follows: false })));
      }
    }
  });

  test('the frames of one turn leave in one write: a burst of chunks costs a system call, not one a frame', async (t) => {
    const server = await startServer(t, SMALL);
    let serverSide: Socket | undefined;
    server.httpServer.prependListener('upgrade', (_request, socket: Socket) => void (serverSide = socket));
    const page = await RawPage.open(t, server.url, { features: EVERY_FEATURE });
    const frames = numberedFrames(page);
    // The socket's two ways to hand the OS what was written (stream implementers' methods, not in its type).
    const stream = serverSide as unknown as { _writev(...args: unknown[]): void; _write(...args: unknown[]): void };
    const writev = t.mock.method(stream, '_writev');
    const write = t.mock.method(stream, '_write');
    const bytes = patternBytes(6 * 1024); // 6 chunks, within the window of 8: sent at once
    void circuitOf(server, page).js.invokeVoidAsync('take', HostStreamReference.create(bytes)).catch(() => {});
    await page.next(isStreamEnd);
    assert.equal(binaries(frames).length, 12, 'a header frame and a bytes frame a chunk');
    // The call, the chunks, the end: a write for each turn that sent something, not one for each of the 14 frames.
    assert.ok(writev.mock.callCount() + write.mock.callCount() <= 3, `${writev.mock.callCount()} + ${write.mock.callCount()} writes`);
  });

  test('the host refuses the flag of chunk frames from a page', () => {
    const header = new Uint8Array(BINARY_HEADER_SIZE);
    header[0] = Msg.SendByteArray;
    header[1] = BYTES_FOLLOW;
    assert.throws(() => decodeBinary(header), /Malformed binary frame: unknown flags 2/);
  });

  test('a page that resumes between a chunk header and its bytes is sent the bytes first, then the rest, exactly once', async (t) => {
    const server = await startServer(t, SMALL);
    const page = await RawPage.open(t, server.url, { features: EVERY_FEATURE });
    const frames = numberedFrames(page);
    const circuit = circuitOf(server, page);
    const bytes = patternBytes(2048);
    void circuit.js.invokeVoidAsync('take', HostStreamReference.create(bytes)).catch(() => {});
    await page.next(isStreamEnd);
    const down = once(server, 'connectionDown');
    circuit.dropConnection();
    await down;

    // The page received the call and the first chunk's header, and lost everything after it.
    const header = frames.findIndex((f) => typeof f !== 'string' && f.byteLength === BINARY_HEADER_SIZE);
    const resumed = await RawPage.open(t, server.url, { hello: false });
    const replayed = numberedFrames(resumed);
    resumed.send([Control.Resume, circuit.id, page.started[2], header + 1]);
    await resumed.next(isStreamEnd);
    assert.deepEqual(replayed, frames.slice(header + 1));
    assert.deepEqual(replayed[0], bytes.subarray(0, 1024));
  });

  test('the server tells the page how often to acknowledge; a page acknowledges with its stream credit, and an acknowledgement replayed in a credit is no error', async (t) => {
    const server = await startServer(t, SMALL);
    const page = await RawPage.open(t, server.url, { features: EVERY_FEATURE });
    assert.equal(page.started[8], resolveSettings(SMALL).pageAckBytes);
    const frames = numberedFrames(page);
    const circuit = circuitOf(server, page);
    void circuit.js.invokeVoidAsync('take', HostStreamReference.create(patternBytes(64 * 1024))).catch(() => {});
    const id = streamIdOf(await page.next((f) => Array.isArray(f) && f[0] === Msg.BeginInvokeJS));
    const chunksReceived = async (chunks: number): Promise<void> => {
      while (binaries(frames).length < 2 * chunks) await page.next((f) => (f as { binary?: unknown }).binary !== undefined, page.frames.length);
    };
    await chunksReceived(8); // the window
    const received = frames.length;
    page.send([Msg.StreamCredit, id, 4, received]);
    await chunksReceived(12);
    // Acknowledged up to the credit; sent since: the 4 chunks it granted, as 8 frames.
    assert.equal(circuit.stats().unacknowledgedFrames, 8);
    // A count behind what was acknowledged (a credit replayed after a reconnect) only grants its credit.
    page.send([Msg.StreamCredit, id, 4, 1]);
    await chunksReceived(16);
    assert.equal(circuit.stats().unacknowledgedFrames, 16);
    assert.equal(page.frames.filter(isRejected).length, 0);
  });

  test('the official client that lost a chunk\'s bytes after its header reads the stream whole once they are replayed', async (t) => {
    const server = await startServer(t, { streamChunkSize: 64 * 1024 });
    const proxy = await FaultProxy.start(t, server.port);
    const page = await openPage(t, server, { url: proxy.url(server.path), reconnectDelay: 1 });
    const bytes = patternBytes(200 * 1024 + 7);
    definePageGlobals(t, {
      framesReadAll: async (stream: { stream(): Promise<ReadableStream<Uint8Array>> }) => {
        const reader = (await stream.stream()).getReader();
        const parts: Uint8Array[] = [];
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return Buffer.concat(parts).toString('base64');
          parts.push(value);
        }
      },
    });
    // The call frame (about a hundred bytes) and the first chunk's header (12 bytes on the wire)
    // arrive whole; the connection dies inside the 64 KiB frame of its bytes.
    const cut = proxy.cutAfter(2000, true);
    const read = page.circuit.js.invokeAsync<string>('framesReadAll', HostStreamReference.create(bytes));
    await cut;
    assert.equal(await read, Buffer.from(bytes).toString('base64'));
    assert.equal(proxy.connections, 2);
  });
});
