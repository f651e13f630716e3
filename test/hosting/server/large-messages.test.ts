/*
 * Beyond Blazor: JSON larger than `maxMessageSize` crosses, both ways, as parts within the
 * message size (src/protocol/splitting.ts), up to `maxCallSize`; over it, the call fails naming
 * the call, its size and the option. Parts are numbered frames, so a connection cut in the middle
 * of a split message still delivers every call once and in order. A page that leaves split
 * messages unfinished is cut off, and a page whose client predates split messages gets exactly
 * the old behaviour.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { JSException, registerInvokables } from '../../../src/index.js';
import { resolveSettings } from '../../../src/hosting/server/options.js';
import { Control, PageFeature } from '../../../src/protocol/circuit-control.js';
import { BINARY_HEADER_SIZE, decodeBinary, decodeCallFrame, encodeBinary } from '../../../src/protocol/framing.js';
import * as Msg from '../../../src/protocol/message-codes.js';
import { TEXT_PART } from '../../../src/protocol/splitting.js';
import { FaultProxy } from './fault-proxy.js';
import { definePageGlobals, isRejected, openPage, RawPage, SocketWatch, startServer, StateLog } from './server-support.js';

const MiB = 1024 * 1024;
const encoder = new TextEncoder();

/** About 1 MiB of JSON, with text outside ASCII so that UTF-8 sequences are cut between parts. */
function largeValue(tag: number): { tag: number; items: { i: number; name: string }[] } {
  const items = Array.from({ length: 28_000 }, (_, i) => ({ i, name: `élément ${i} ✓ of ${tag}` }));
  return { tag, items };
}
const jsonSize = (value: unknown): number => encoder.encode(JSON.stringify(value)).byteLength;

const answerTo = (callId: string) => (f: any) => Array.isArray(f) && f[0] === Msg.EndInvokeDotNet && f[1] === callId;
const both = (...features: number[]) => features.reduce((a, b) => a | b, 0);

describe('large messages', () => {
  test('1 MiB of JSON crosses every way: host call arguments and page results, page call arguments and host results, in frames within maxMessageSize', async (t) => {
    t.after(registerInvokables('LargeTest', { Echo: (x: unknown) => x }));
    definePageGlobals(t, { largeEcho: (x: unknown) => x });
    const server = await startServer(t);
    const watch = new SocketWatch();
    const page = await openPage(t, server, { WebSocket: watch.WebSocket });
    const received: number[] = [];
    watch.sockets[0]!.on('message', (data: Buffer) => received.push(data.byteLength));
    const big = largeValue(1);
    assert.ok(jsonSize(big) > MiB);

    // Host → page arguments, page → host result.
    assert.deepEqual(await page.circuit.js.invokeAsync('largeEcho', big), big);
    // Page → host arguments, host → page result.
    assert.deepEqual(await page.DotNet.invokeMethodAsync('LargeTest', 'Echo', big), big);

    assert.ok(received.length > 2 * 32, `the page received ${received.length} frames`);
    assert.ok(Math.max(...received) <= 32_768 + BINARY_HEADER_SIZE, `the server sent a frame of ${Math.max(...received)} bytes`);
    assert.equal(page.circuit.stats().splitMessageBytes, 0);
  });

  for (const toClient of [true, false]) {
    test(`a connection cut in the middle of a split message ${toClient ? 'to the page' : 'to the server'} still delivers every call once, in order`, async (t) => {
      const host: number[] = [];
      const js: number[] = [];
      t.after(registerInvokables('LargeTest', { Record: (n: number, value: { tag: number }) => (host.push(n), value.tag) }));
      definePageGlobals(t, { largeRecord: (n: number, value: { tag: number }) => (js.push(n), value.tag) });
      const server = await startServer(t);
      const proxy = await FaultProxy.start(t, server.port);
      const log = new StateLog();
      const watch = new SocketWatch();
      const page = await openPage(t, server, { url: proxy.url(server.path), onStateChange: log.onStateChange, WebSocket: watch.WebSocket });
      const values = [{ tag: 1 }, largeValue(2), { tag: 3 }, largeValue(4), { tag: 5 }];
      let partsBeforeCut = 0;
      // The client reads binary frames as ArrayBuffers.
      watch.sockets[0]!.on('message', (data: ArrayBuffer, isBinary: boolean) => void (isBinary && new Uint8Array(data)[0] === TEXT_PART && partsBeforeCut++));

      // The cut falls after 400 KB: inside the parts of the first 1 MiB message.
      const cut = proxy.cutAfter(400_000, toClient);
      const calls = values.map((value, i) =>
        toClient ? page.circuit.js.invokeAsync('largeRecord', i + 1, value) : page.DotNet.invokeMethodAsync('LargeTest', 'Record', i + 1, value),
      );
      await cut;
      assert.deepEqual(await Promise.all(calls), [1, 2, 3, 4, 5]);
      assert.deepEqual(toClient ? js : host, [1, 2, 3, 4, 5]);
      assert.ok(log.states.includes('reconnecting'));
      assert.equal(proxy.connections, 2);
      // The premise: the page had some parts of the first large message, not all, when its connection died.
      if (toClient) assert.ok(partsBeforeCut > 0 && partsBeforeCut * 32_768 < jsonSize(values[1]), `${partsBeforeCut} parts arrived before the cut`);
      assert.equal(page.circuit.stats().splitMessageBytes, 0);
    });
  }

  test('over maxCallSize a call fails, every way, with an error naming the call, its size and the option; the circuit carries on', async (t) => {
    t.after(registerInvokables('LargeTest', { Echo: (x: unknown) => x, Make: (n: number) => 'z'.repeat(n) }));
    let ran = 0;
    definePageGlobals(t, { largeEcho: (x: unknown) => (ran++, x), largeMake: (n: number) => 'y'.repeat(n) });
    const server = await startServer(t, { maxCallSize: 100_000 });
    const page = await openPage(t, server);
    const size = /is (\d+) bytes of JSON, more than the server's maxCallSize of 100000 bytes/;

    await assert.rejects(page.circuit.js.invokeAsync('largeEcho', 'x'.repeat(200_000)), (error: Error) => {
      assert.ok(error instanceof RangeError);
      assert.match(error.message, /^The call to 'largeEcho' is 200\d\d\d bytes of JSON, more than the server's maxCallSize of 100000 bytes/);
      return true;
    });
    await assert.rejects(page.circuit.js.invokeAsync('largeMake', 200_000), (error: Error) => {
      assert.ok(error instanceof JSException);
      assert.match(error.message, /^The result of 'largeMake' is 200\d\d\d bytes of JSON/);
      assert.match(error.message, size);
      return true;
    });
    await assert.rejects(page.DotNet.invokeMethodAsync('LargeTest', 'Echo', 'x'.repeat(200_000)), /^Error: The call to 'Echo' on assembly 'LargeTest' is 200\d\d\d bytes of JSON, more than the server's maxCallSize of 100000 bytes/);
    await assert.rejects(page.DotNet.invokeMethodAsync('LargeTest', 'Make', 200_000), /The call to 'Make' on assembly 'LargeTest': The result is 200\d\d\d bytes of JSON, more than the server's maxCallSize of 100000 bytes/);
    assert.equal(ran, 0);

    // Under the cap, over the message size: it crosses, every way.
    const medium = 'm'.repeat(90_000);
    assert.equal(await page.circuit.js.invokeAsync('largeEcho', medium), medium);
    assert.equal(await page.DotNet.invokeMethodAsync('LargeTest', 'Echo', medium), medium);
    assert.equal(((await page.circuit.js.invokeAsync('largeMake', 90_000)) as string).length, 90_000);
    assert.equal(((await page.DotNet.invokeMethodAsync('LargeTest', 'Make', 90_000)) as string).length, 90_000);
    assert.equal(page.connection.state, 'connected');
  });

  test('maxCallSize lies between maxMessageSize and maxUnacknowledgedBytes; its default, 4 MiB, follows a smaller replay buffer', () => {
    assert.equal(resolveSettings({}).maxCallSize, 4 * MiB);
    assert.equal(resolveSettings({ maxUnacknowledgedBytes: MiB }).maxCallSize, MiB);
    assert.throws(() => resolveSettings({ maxCallSize: 1000 }), /'maxCallSize' must be between 'maxMessageSize' \(32768\) and 'maxUnacknowledgedBytes' \(16777216\), got 1000/);
    assert.throws(() => resolveSettings({ maxCallSize: 17 * MiB }), /'maxCallSize' must be between/);
  });
});

describe('split messages from a hostile page', () => {
  const parts = (text: string, max: number): Uint8Array[] => {
    const utf8 = encoder.encode(text);
    const frames: Uint8Array[] = [];
    for (let at = 0; at < utf8.byteLength; at += max) frames.push(encodeBinary(TEXT_PART, utf8.byteLength, utf8.subarray(at, at + max), at + max < utf8.byteLength));
    return frames;
  };

  test('a split call over maxCallSize fails by its call id, naming the call, size and option; its other parts are dropped', async (t) => {
    t.after(registerInvokables('LargeTest', { Echo: (x: unknown) => x, Length: (x: string) => x.length }));
    const server = await startServer(t, { maxMessageSize: 1024, maxCallSize: 10_000 });
    const page = await RawPage.open(t, server.url, { features: both(PageFeature.CallFrames, PageFeature.SplitMessages) });
    const text = JSON.stringify([Msg.BeginInvokeDotNet, '1', 'LargeTest', 'Echo', 0, JSON.stringify(['x'.repeat(20_000)])]);
    for (const frame of parts(text, 1024)) page.send(frame);
    // The answer comes first: the call fails, then the frame is refused.
    const first = await page.next((f) => answerTo('1')(f) || isRejected(f));
    assert.deepEqual(first.slice(0, 3), [Msg.EndInvokeDotNet, '1', false]);
    assert.match(first[3], new RegExp(`^The call to 'Echo' on assembly 'LargeTest' is ${encoder.encode(text).byteLength} bytes of JSON, more than the server's maxCallSize of 10000 bytes`));
    // Under the cap, split: answered.
    const fine = JSON.stringify([Msg.BeginInvokeDotNet, '2', 'LargeTest', 'Length', 0, JSON.stringify(['é'.repeat(3000)])]);
    for (const frame of parts(fine, 1024)) page.send(frame);
    assert.deepEqual(await page.next(answerTo('2')), [Msg.EndInvokeDotNet, '2', true, '3000']);
  });

  test('a page that starts split messages and does not finish them is cut off with the reason, having held one partial message', async (t) => {
    const server = await startServer(t, { maxMessageSize: 1024, maxCallSize: 10_000 });
    const features = both(PageFeature.CallFrames, PageFeature.SplitMessages);
    for (const next of ['another split message', 'a text frame', 'a byte array']) {
      const page = await RawPage.open(t, server.url, { features });
      const circuit = server.circuit(page.started[1])!;
      page.send(encodeBinary(TEXT_PART, 5000, new Uint8Array(1024).fill(0x20), true));
      // A control frame is no interop frame, so it may come between parts; its answer shows the part was taken.
      page.send([Control.Resume, 'x', 'y', 0]);
      await page.next(isRejected);
      assert.equal(circuit.stats().splitMessageBytes, 1024);
      if (next === 'another split message') for (let i = 1; i <= 100; i++) page.send(encodeBinary(TEXT_PART, 5000 + i, new Uint8Array(1024), true));
      else if (next === 'a text frame') page.send([Msg.StreamCredit, 1, 1]);
      else page.send(encodeBinary(Msg.SendByteArray, 0, new Uint8Array(10)));
      const reason = await circuit.ended;
      assert.match(reason, next === 'another split message' ? /split message started before the previous one ended \(1024 of 5000 bytes received\)/ : /broke off a split message \(1024 bytes received\)/, next);
      assert.equal((await page.closed).code, 1000);
    }
  });

  test('a page whose client predates split messages gets whole frames and its old Started; parts from it are refused', async (t) => {
    const server = await startServer(t, { maxMessageSize: 1024 });
    const old = await RawPage.open(t, server.url, { features: PageFeature.CallFrames });
    const current = await RawPage.open(t, server.url, { features: both(PageFeature.CallFrames, PageFeature.SplitMessages) });
    assert.equal(old.started.length, 6);
    assert.deepEqual(current.started.slice(3), [1024, 15_000, 180_000, 4 * MiB]);

    const argument = 'x'.repeat(5000);
    for (const page of [old, current]) void server.circuit(page.started[1])!.js.invokeVoidAsync('largeAnything', argument).catch(() => {});

    // The old client: one text frame, as before split messages.
    const call = await old.next((f) => Array.isArray(f) && f[0] === Msg.BeginInvokeJS);
    assert.equal(call[3], JSON.stringify([argument]));
    assert.ok(old.texts.some((text) => text.length > 5000));
    // The current one: parts within the message size, joined into the call frame.
    const isPart = (f: any) => f?.binary instanceof Uint8Array && decodeBinary(f.binary).type === TEXT_PART;
    await current.next((f) => isPart(f) && !decodeBinary(f.binary).more);
    const received = current.frames.filter(isPart).map((f: any) => decodeBinary(f.binary).bytes);
    assert.ok(received.length >= 5 && received.every((bytes) => bytes.byteLength <= 1024));
    const joined = new TextDecoder().decode(new Uint8Array(received.flatMap((bytes) => [...bytes])));
    assert.equal(decodeCallFrame(joined)[3], JSON.stringify([argument]));

    // Parts from the old client are refused, as any binary frame of an unknown type was.
    old.send(encodeBinary(TEXT_PART, 10, new Uint8Array(10), false));
    assert.match((await old.next(isRejected))[1], /a page cannot send message type 29 as binary/);
  });
});
