import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { registerInvokables } from '../../../src/index.js';
import { pageFrames } from '../../../src/hosting/server/client/outgoing.js';
import { PageReader } from '../../../src/hosting/server/page-reader.js';
import { Control, PageFeature, ServerFeature } from '../../../src/protocol/circuit-control.js';
import { BINARY_HEADER_SIZE, binaryHeader, BYTES_FOLLOW, decodeBinary, encodeBinary, MORE_PARTS } from '../../../src/protocol/framing.js';
import * as Msg from '../../../src/protocol/message-codes.js';
import { isRejected, openPage, patternBytes, RawPage, startServer } from './server-support.js';

const EVERY_FEATURE = PageFeature.CallFrames | PageFeature.SplitMessages | PageFeature.Drain | PageFeature.StreamWindow | PageFeature.ChunkFrames;
const MAX = 1024;
/** A byte array's part as the page's client sends it to a server that reads bytes frames. */
const header = (id: number, more = false): Uint8Array => binaryHeader(Msg.SendByteArray, id, BYTES_FOLLOW | (more ? MORE_PARTS : 0));
const call = (callId: string): unknown[] => [Msg.BeginInvokeDotNet, callId, 'BytesFramesTest', 'Sum', 0, '[{"__byte[]":0}]'];
const sum = (bytes: Uint8Array): number => bytes.reduce((a, b) => a + b, 0);
const answerTo = (callId: string) => (f: unknown): boolean => Array.isArray(f) && f[0] === Msg.EndInvokeDotNet && f[1] === callId;

describe('page → host byte-array frames', () => {
  test('to a server that reads them, the page sends each part as a header frame and then a view of the array, uncopied', () => {
    const bytes = patternBytes(2500);
    const frames = pageFrames([Msg.SendByteArray, 4, bytes], 1000, 0, '', true) as Uint8Array[];
    assert.equal(frames.length, 6);
    for (let part = 0; part < 3; part++) {
      const head = decodeBinary(frames[2 * part]!, MORE_PARTS | BYTES_FOLLOW);
      assert.deepEqual(head, { type: Msg.SendByteArray, id: 4, bytes: new Uint8Array(0), more: part < 2, follows: true });
      const body = frames[2 * part + 1]!;
      assert.equal(body.buffer, bytes.buffer, 'a view of the array, not a copy');
      assert.deepEqual(body, bytes.subarray(part * 1000, part * 1000 + 1000));
    }
    assert.equal(pageFrames([Msg.SendByteArray, 4, bytes], 1000).length, 3, 'an older server gets one frame a part');
  });

  test('the server announces that it reads bytes frames only to a page that reads chunk frames', async (t) => {
    const server = await startServer(t);
    assert.equal((await RawPage.open(t, server.url, { features: EVERY_FEATURE })).started[9], ServerFeature.BytesFrames);
    assert.equal((await RawPage.open(t, server.url, { features: EVERY_FEATURE & ~PageFeature.ChunkFrames })).started[9], undefined);
  });

  test('a page that was not told may not send the flag', async (t) => {
    const server = await startServer(t, { maxMessageSize: MAX });
    const page = await RawPage.open(t, server.url, { features: EVERY_FEATURE & ~PageFeature.ChunkFrames });
    page.send(header(0));
    assert.match((await page.next(isRejected))[1], /Malformed binary frame: unknown flags 2/);
  });

  test('the official client sends a large byte array to the host as bytes frames, whole', async (t) => {
    const seen: Uint8Array[] = [];
    t.after(registerInvokables('BytesFramesTest', { Sum: (bytes: Uint8Array) => (seen.push(bytes), sum(bytes)) }));
    const server = await startServer(t, { maxMessageSize: 4096 });
    const page = await openPage(t, server);
    const binarySizes: number[] = [];
    const read = PageReader.prototype.read;
    t.mock.method(PageReader.prototype, 'read', function (this: PageReader, data: Buffer, isBinary: boolean, joined?: boolean) {
      if (isBinary) binarySizes.push(data.byteLength);
      return read.call(this, data, isBinary, joined);
    });
    const bytes = patternBytes(40_000 + 3);
    assert.equal(await page.DotNet.invokeMethodAsync('BytesFramesTest', 'Sum', bytes), sum(bytes));
    assert.deepEqual(seen[0], bytes);
    // 10 parts, each a header frame and then its bytes.
    assert.deepEqual(binarySizes, Array.from({ length: 10 }, (_, i) => [BINARY_HEADER_SIZE, i < 9 ? 4096 : 40_003 - 9 * 4096]).flat());
  });

  test('a raw page\'s header and bytes frames make one byte array, also when a reconnect falls between a header and its bytes', async (t) => {
    t.after(registerInvokables('BytesFramesTest', { Sum: (bytes: Uint8Array) => sum(bytes) }));
    const server = await startServer(t, { maxMessageSize: MAX });
    const page = await RawPage.open(t, server.url, { features: EVERY_FEATURE });
    const bytes = patternBytes(2 * MAX + 5);
    page.send(header(0, true));
    page.send(bytes.subarray(0, MAX));
    page.send(header(0, true));
    // The connection drops after the second header (the server reads frames before the close that
    // follows them): the server holds the header, and its bytes come on the new connection.
    const circuit = server.circuit(page.started[1])!;
    const down = once(server, 'connectionDown');
    page.socket.close();
    await down;
    const resumed = await RawPage.open(t, server.url, { hello: false });
    resumed.send([Control.Resume, circuit.id, page.started[2], 0]);
    assert.deepEqual(await resumed.next((f) => Array.isArray(f) && f[0] === Control.Resumed), [Control.Resumed, 3]);
    resumed.send(bytes.subarray(MAX, 2 * MAX));
    resumed.send(header(0));
    resumed.send(bytes.subarray(2 * MAX));
    resumed.send(call('1'));
    assert.deepEqual(await resumed.next(answerTo('1')), [Msg.EndInvokeDotNet, '1', true, String(sum(bytes))]);
    assert.equal(resumed.frames.filter(isRejected).length, 0);
  });

  test('a hostile page is refused with a clear error: a header carrying bytes, a bytes frame over the limit, a header of another type', async (t) => {
    const server = await startServer(t, { maxMessageSize: MAX });
    const page = await RawPage.open(t, server.url, { features: EVERY_FEATURE });
    const withBytes = encodeBinary(Msg.SendByteArray, 0, new Uint8Array(3));
    withBytes[1] = BYTES_FOLLOW;
    page.send(withBytes);
    assert.match((await page.next(isRejected))[1], /a header frame whose bytes follow \(flag 2\) carries 3 bytes of its own; it must be the 10-byte header alone/);
    let from = page.frames.length;
    page.send(header(0));
    page.send(new Uint8Array(MAX + 1));
    assert.match((await page.next(isRejected, from))[1], /A byte array part of 1025 bytes exceeds the maximum incoming message size of 1024 bytes/);
    from = page.frames.length;
    page.send(binaryHeader(Msg.StreamCredit, 0, BYTES_FOLLOW));
    assert.match((await page.next(isRejected, from))[1], /a page cannot send message type/);
    // The circuit carries on: a byte array in bytes frames still arrives.
    t.after(registerInvokables('BytesFramesTest', { Sum: (bytes: Uint8Array) => sum(bytes) }));
    page.send(header(0));
    page.send(new Uint8Array([1, 2, 3]));
    page.send(call('2'));
    assert.deepEqual(await page.next(answerTo('2')), [Msg.EndInvokeDotNet, '2', true, '6']);
  });

  test('a header followed by anything but its bytes ends the circuit, naming why', async (t) => {
    const server = await startServer(t, { maxMessageSize: MAX });
    const page = await RawPage.open(t, server.url, { features: EVERY_FEATURE });
    const ended = once(server, 'circuitEnd');
    page.send(header(0));
    page.send(call('3'));
    const [, reason] = (await ended) as [unknown, string];
    assert.match(String(reason), /text frame where the bytes of a byte array part were due/);
  });
});
