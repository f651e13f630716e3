import { readAheadFor } from '../../../src/host/js-stream-reference.js';
import { readAheadOf } from '../../../src/page/blob-cursor.js';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { HostObjectReference, HostStreamReference, JSException, registerInvokables } from '../../../src/index.js';
import { Control, PageFeature } from '../../../src/protocol/circuit-control.js';
import { DEFAULT_STREAM_WINDOW } from '../../../src/protocol/messages.js';
import { resolveSettings } from '../../../src/hosting/server/options.js';
import { encodeBinary } from '../../../src/protocol/framing.js';
import * as Msg from '../../../src/protocol/message-codes.js';
import { definePageGlobals, deferred, isRejected, openPage, RawPage, startServer } from './server-support.js';

const call = (callId: string, method: string, argsJson = '[]') => [Msg.BeginInvokeDotNet, callId, 'LimitsTest', method, 0, argsJson];
const answerTo = (callId: string) => (f: any) => Array.isArray(f) && f[0] === Msg.EndInvokeDotNet && f[1] === callId;

describe('message size', () => {
  test('a text frame over maxMessageSize is refused with a clear error, failing its call; the circuit carries on', async (t) => {
    t.after(registerInvokables('LimitsTest', { Echo: (x: unknown) => x }));
    const server = await startServer(t, { maxMessageSize: 1024 });
    const page = await RawPage.open(t, server.url);
    page.send(call('1', 'Echo', JSON.stringify(['x'.repeat(2000)])));
    const failed = await page.next(answerTo('1'));
    assert.equal(failed[2], false);
    assert.match(failed[3], /exceeds the maximum incoming message size of 1024 bytes/);
    assert.match((await page.next(isRejected))[1], /exceeds the maximum incoming message size/);
    page.send(call('2', 'Echo', '["small"]'));
    assert.deepEqual(await page.next(answerTo('2')), [Msg.EndInvokeDotNet, '2', true, '"small"']);
  });

  // Messages over maxMessageSize cross in parts up to maxCallSize (large-messages.test.ts); beyond it the client refuses.
  test('the page client refuses to send a call that is too large, and fails a JS result that is too large', async (t) => {
    t.after(registerInvokables('LimitsTest', { Echo: (x: unknown) => x }));
    const server = await startServer(t, { maxMessageSize: 1024, maxCallSize: 2048 });
    definePageGlobals(t, { limitsBigResult: () => 'y'.repeat(5000) });
    const page = await openPage(t, server);
    await assert.rejects(page.DotNet.invokeMethodAsync('LimitsTest', 'Echo', 'x'.repeat(5000)), /more than the server's maxCallSize of 2048 bytes/);
    await assert.rejects(page.circuit.js.invokeAsync('limitsBigResult'), (error: unknown) => error instanceof JSException && /more than the server's maxCallSize/.test(error.message));
    assert.equal(await page.DotNet.invokeMethodAsync('LimitsTest', 'Echo', 'fine'), 'fine');
  });

  test('a frame far beyond the limit is a protocol violation: the connection is closed and the circuit ended', async (t) => {
    const server = await startServer(t, { maxMessageSize: 1024 });
    const page = await RawPage.open(t, server.url);
    const circuit = server.circuit(page.started[1])!;
    page.send('x'.repeat(10 * 1024));
    assert.equal((await page.closed).code, 1009);
    assert.match(await circuit.ended, /larger than the server accepts/);
  });
});

describe('byte arrays', () => {
  test('a byte array larger than a message travels in parts; one over maxByteArrayBytes fails its call only, saying why', async (t) => {
    const sizes: number[] = [];
    t.after(registerInvokables('LimitsTest', { Size: (bytes: Uint8Array) => (sizes.push(bytes.length), bytes.length) }));
    // detailedErrors stays off: the limit is the page's own doing, so its call is told, not given a redacted error.
    const server = await startServer(t, { maxMessageSize: 4096, maxByteArrayBytes: 50_000 });
    const page = await openPage(t, server);
    assert.equal(await page.DotNet.invokeMethodAsync('LimitsTest', 'Size', new Uint8Array(40_000)), 40_000);
    await assert.rejects(page.DotNet.invokeMethodAsync('LimitsTest', 'Size', new Uint8Array(60_000)), /Exceeded the maximum byte array transfer limit for a call. \(limit 50000 bytes\)/);
    assert.equal(await page.DotNet.invokeMethodAsync('LimitsTest', 'Size', new Uint8Array(10)), 10);
    assert.deepEqual(sizes, [40_000, 10]);

    // The same limit on a JS result: the host's call fails with it, and the next one is answered.
    definePageGlobals(t, { limitsBytes: (n: number) => new Uint8Array(n) });
    await assert.rejects(page.circuit.js.invokeAsync('limitsBytes', 60_000), (error: Error) => error instanceof JSException && /Exceeded the maximum byte array transfer limit/.test(error.message));
    assert.equal(((await page.circuit.js.invokeAsync('limitsBytes', 10)) as Uint8Array).length, 10);
  });

  test('the server answers the page that went over the byte-array limit, and out-of-order parts', async (t) => {
    const server = await startServer(t, { maxMessageSize: 1024, maxByteArrayBytes: 2048 });
    const page = await RawPage.open(t, server.url);
    for (let part = 0; part < 3; part++) page.send(encodeBinary(Msg.SendByteArray, 0, new Uint8Array(1024), part < 2));
    assert.match((await page.next(isRejected))[1], /Exceeded the maximum byte array transfer limit for a call/);
    const from = page.frames.length;
    page.send(encodeBinary(Msg.SendByteArray, 0, new Uint8Array(1024), true));
    page.send(encodeBinary(Msg.SendByteArray, 1, new Uint8Array(10), false));
    assert.match((await page.next(isRejected, from))[1], /Out of sequence byte array part received: expected more of byte array 0, but received byte array 1/);
  });
});

describe('calls and references', () => {
  test('maxPendingCallsFromPage refuses calls beyond the limit while others run', async (t) => {
    const release = deferred<void>();
    t.after(registerInvokables('LimitsTest', { Wait: () => release.promise.then(() => 'done') }));
    const server = await startServer(t, { maxPendingCallsFromPage: 2 });
    const page = await openPage(t, server);
    const running = [page.DotNet.invokeMethodAsync('LimitsTest', 'Wait'), page.DotNet.invokeMethodAsync('LimitsTest', 'Wait')];
    await assert.rejects(page.DotNet.invokeMethodAsync('LimitsTest', 'Wait'), /2 calls from the page in progress/);
    release.resolve();
    assert.deepEqual(await Promise.all(running), ['done', 'done']);
    assert.equal(await page.DotNet.invokeMethodAsync('LimitsTest', 'Wait'), 'done');
  });

  test('maxPendingCalls rejects host calls beyond the limit at once', async (t) => {
    const server = await startServer(t, { maxPendingCalls: 2 });
    const release = deferred<void>();
    definePageGlobals(t, { limitsWait: () => release.promise });
    const page = await openPage(t, server);
    const running = [page.circuit.js.invokeVoidAsync('limitsWait'), page.circuit.js.invokeVoidAsync('limitsWait')];
    await assert.rejects(page.circuit.js.invokeVoidAsync('limitsWait'), { name: 'RangeError', message: /Too many calls to JavaScript/ });
    release.resolve();
    await Promise.all(running);
    assert.equal(page.circuit.stats().pendingCalls, 0);
  });

  test('maxHostObjectReferences fails the call that would exceed it', async (t) => {
    const server = await startServer(t, { maxHostObjectReferences: 1 });
    definePageGlobals(t, { limitsKeep: () => {} });
    const page = await openPage(t, server);
    const first = HostObjectReference.create({});
    await page.circuit.js.invokeVoidAsync('limitsKeep', first);
    const second = HostObjectReference.create({});
    await assert.rejects(page.circuit.js.invokeVoidAsync('limitsKeep', second), /already holds 1 host object references/);
    first.dispose();
    await page.circuit.js.invokeVoidAsync('limitsKeep', second);
    assert.equal(page.circuit.stats().hostObjectReferences, 1);
  });

  test('a page that never acknowledges cannot make the server buffer without bound', async (t) => {
    const server = await startServer(t, { maxUnacknowledgedBytes: 100_000 });
    const page = await RawPage.open(t, server.url);
    const circuit = server.circuit(page.started[1])!;
    const calls = Array.from({ length: 5 }, () => circuit.js.invokeVoidAsync('x', new Uint8Array(30_000)));
    for (const c of calls) c.catch(() => {});
    assert.match(await circuit.ended, /did not acknowledge/);
    assert.equal((await page.next((f) => Array.isArray(f) && f[0] === Control.End))[0], Control.End);
  });
});

const pick = ({ streamChunkSize, streamWindow }: ReturnType<typeof resolveSettings>) => ({ streamChunkSize, streamWindow });

describe('streams', () => {
  test('openReadStream refuses data over maxAllowedSize (512,000 by default)', async (t) => {
    const server = await startServer(t);
    definePageGlobals(t, { limitsBlob: () => new Blob([new Uint8Array(600_000)]) });
    const page = await openPage(t, server);
    const reference = await page.circuit.js.invokeStreamReferenceAsync('limitsBlob');
    assert.throws(() => reference.openReadStream(), /The incoming data stream of length 600000 exceeds the maximum allowed length 512000/);
    await reference.disposeAsync();
  });

  // The default window (4 MiB: 16 chunks of 256 KiB) and a small one (512 KiB: 16 chunks of 32 KiB).
  for (const options of [{}, { streamWindowBytes: 512 * 1024, streamChunkSize: 32 * 1024 }]) {
    const window = resolveSettings(options).streamWindow;

    test(`a host stream is read only as fast as the page consumes it (window of ${window} chunks)`, async (t) => {
      const server = await startServer(t, options);
      let pulls = 0;
      const source = new ReadableStream<Uint8Array>({ pull: (controller) => void (++pulls <= 1000 ? controller.enqueue(new Uint8Array(32 * 1024)) : controller.close()) }, { highWaterMark: 0 });
      let held: unknown;
      definePageGlobals(t, { limitsHold: (stream: unknown) => void (held = stream) });
      const page = await openPage(t, server);
      await page.circuit.js.invokeVoidAsync('limitsHold', HostStreamReference.create(source));
      for (let i = 0; i < 20; i++) await page.circuit.js.invokeAsync('Math.max', i);
      assert.ok(held);
      // The page has not read anything: the host stops at its credit (the window, plus one pending read).
      assert.ok(pulls <= window + 1, `the host read ${pulls} chunks ahead of a page that read none (window ${window})`);
    });

    test(`a host stream read by a page that keeps reading stays within the window (${window} chunks): the page credits chunks it took, not pulls`, async (t) => {
      const server = await startServer(t, options);
      // 32 MiB in one source chunk: sent in pieces of the chunk size, one per credit.
      const bytes = new Uint8Array(32 * 1024 * 1024);
      let inFlight = 0;
      let pieces = 0;
      const settings = resolveSettings(options);
      const page = await openPage(t, server);
      definePageGlobals(t, {
        limitsReadAll: async (stream: { stream(): Promise<ReadableStream<Uint8Array>> }) => {
          const reader = (await stream.stream()).getReader();
          let length = 0;
          for (;;) {
            const { done, value } = await reader.read();
            if (done) return length;
            length += value.byteLength;
            if (++pieces % 16 === 0) inFlight = Math.max(inFlight, page.circuit.stats().unacknowledgedBytes);
          }
        },
      });
      assert.equal(await page.circuit.js.invokeAsync('limitsReadAll', HostStreamReference.create(bytes)), bytes.byteLength);
      // Counting pulls granted about two credits per chunk read, and the host ran ahead without bound
      // (hundreds of frames held for replay, past the default maxUnacknowledgedBytes on longer streams).
      // Held: the window, what arrived since the page's last acknowledgement (with its credit, or
      // every pageAckBytes), and the chunk read ahead.
      const bound = (window + 1) * settings.streamChunkSize + settings.pageAckBytes + 64 * 1024;
      assert.ok(inFlight <= bound, `${inFlight} bytes unacknowledged during the stream (window ${window} chunks, bound ${bound})`);
    });
  }

  test('the server tells a page that can take it its stream window when the circuit starts; other pages keep the default window', async (t) => {
    const server = await startServer(t, { streamWindowBytes: 1024 * 1024, streamChunkSize: 32 * 1024 });
    const page = await RawPage.open(t, server.url, { features: PageFeature.CallFrames | PageFeature.SplitMessages | PageFeature.StreamWindow });
    assert.equal(page.started[7], 32); // 1 MiB in chunks of 32 KiB
    const older = await RawPage.open(t, server.url, { features: PageFeature.CallFrames | PageFeature.SplitMessages });
    assert.equal(older.started.length, 7);
    // An older page (which credits nothing here) is sent at most the 16 chunks it buffers.
    const circuit = server.circuit(older.started[1])!;
    void circuit.js.invokeVoidAsync('x', HostStreamReference.create(new Uint8Array(100 * 32 * 1024))).catch(() => {});
    for (let i = 0; i < 20; i++) {
      void circuit.js.invokeVoidAsync(`y${i}`).catch(() => {});
      await older.next((f) => Array.isArray(f) && f[2] === `y${i}`);
    }
    const chunks = older.frames.filter((f) => (f as { binary?: Uint8Array }).binary).length;
    assert.equal(chunks, DEFAULT_STREAM_WINDOW, `the host sent ${chunks} chunks to a page that buffers ${DEFAULT_STREAM_WINDOW}`);
  });

  test('streamWindowBytes must fit in the replay buffer, and hold two chunks; the default follows a smaller one down', () => {
    assert.equal(resolveSettings({}).streamWindow, 16);
    assert.equal(resolveSettings({ streamChunkSize: 32 * 1024 }).streamWindow, 128);
    assert.deepEqual(pick(resolveSettings({ maxUnacknowledgedBytes: 1024 * 1024 })), { streamChunkSize: 128 * 1024, streamWindow: 2 });
    assert.deepEqual(pick(resolveSettings({ streamWindowBytes: 64 * 1024 })), { streamChunkSize: 32 * 1024, streamWindow: 2 });
    assert.throws(() => resolveSettings({ streamWindowBytes: 9 * 1024 * 1024 }), /'streamWindowBytes' must be at most half of 'maxUnacknowledgedBytes' \(8388608\), got 9437184/);
  });

  test('a page stream is read only as fast as the host consumes it', async (t) => {
    const server = await startServer(t, { streamChunkSize: 1024 });
    // Bytes the page took out of the Blob, by slices or through its stream.
    let taken = 0;
    class CountingBlob extends Blob {
      override slice(...args: Parameters<Blob['slice']>): Blob {
        const slice = super.slice(...args);
        taken += slice.size;
        return slice;
      }
      override stream(): ReturnType<Blob['stream']> {
        const reader = super.stream().getReader();
        return new ReadableStream({
          async pull(controller) {
            const { done, value } = await reader.read();
            if (done) return controller.close();
            taken += value.byteLength;
            controller.enqueue(value);
          },
        }, { highWaterMark: 0 }) as ReturnType<Blob['stream']>;
      }
    }
    definePageGlobals(t, { limitsCountingBlob: () => new CountingBlob([new Uint8Array(1024 * 1024)]) });
    const page = await openPage(t, server);
    const reference = await page.circuit.js.invokeStreamReferenceAsync('limitsCountingBlob');
    const reader = reference.openReadStream({ maxAllowedSize: 2 * 1024 * 1024 }).getReader();
    await reader.read();
    for (let i = 0; i < 20; i++) await page.circuit.js.invokeAsync('Math.max', i);
    // One chunk read, the read-ahead (the default 4 MiB in chunks of 1 KiB: 256 calls, of the 1,024
    // chunks) in flight, the page's Blob cursor's own read-ahead (8 chunks) and the rest of the
    // segment it reads the Blob in (8 chunks): nothing more.
    const bound = (readAheadFor(1024, resolveSettings({}).streamReadAheadBytes) + 1 + 8) * 1024 + readAheadOf(1024);
    assert.ok(taken <= bound, `the page took ${taken} bytes of its Blob for a host that read 1,024 (bound ${bound})`);
    await reader.cancel();
    await reference.disposeAsync();
  });
});
