import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { registerInvokables } from '../../../src/index.js';
import { pageFrames } from '../../../src/hosting/server/client/outgoing.js';
import { PageReader } from '../../../src/hosting/server/page-reader.js';
import { Control, PageFeature, ServerFeature } from '../../../src/protocol/circuit-control.js';
import { BINARY_HEADER_SIZE, binaryHeader, BYTE_ARRAY_HEADER_SIZE, byteArrayHeader, BYTES_FOLLOW, decodeBinary, MORE_PARTS } from '../../../src/protocol/framing.js';
import * as Msg from '../../../src/protocol/message-codes.js';
import { isRejected, openPage, patternBytes, RawPage, startServer } from './server-support.js';

const EVERY_FEATURE = PageFeature.CallFrames | PageFeature.SplitMessages | PageFeature.Drain | PageFeature.StreamWindow | PageFeature.ChunkFrames;
const MAX = 1024;
/** A byte array's header frame as the page's client sends it to a server that reads bytes frames. */
const header = (id: number, length: number): Uint8Array => byteArrayHeader(Msg.SendByteArray, id, length);
const lengthIn = (frame: Uint8Array): number => new DataView(frame.buffer, frame.byteOffset + BINARY_HEADER_SIZE, 8).getFloat64(0, true);
const call = (callId: string): unknown[] => [Msg.BeginInvokeDotNet, callId, 'BytesFramesTest', 'Sum', 0, '[{"__byte[]":0}]'];
const sum = (bytes: Uint8Array): number => bytes.reduce((a, b) => a + b, 0);
const answerTo = (callId: string) => (f: unknown): boolean => Array.isArray(f) && f[0] === Msg.EndInvokeDotNet && f[1] === callId;

describe('page → host byte-array frames', () => {
  test('to a server that reads them, the page sends a byte array as one header frame with its length, then views of the array, uncopied', () => {
    const bytes = patternBytes(2500);
    const frames = pageFrames([Msg.SendByteArray, 4, bytes], 1000, 0, '', true) as Uint8Array[];
    assert.equal(frames.length, 4);
    assert.equal(frames[0]!.byteLength, BYTE_ARRAY_HEADER_SIZE);
    assert.deepEqual({ ...decodeBinary(frames[0]!, MORE_PARTS | BYTES_FOLLOW), bytes: undefined }, { type: Msg.SendByteArray, id: 4, bytes: undefined, more: false, follows: true });
    assert.equal(lengthIn(frames[0]!), 2500);
    for (let part = 0; part < 3; part++) {
      const body = frames[part + 1]!;
      assert.equal(body.buffer, bytes.buffer, 'a view of the array, not a copy');
      assert.deepEqual(body, bytes.subarray(part * 1000, part * 1000 + 1000));
    }
    assert.deepEqual((pageFrames([Msg.SendByteArray, 0, new Uint8Array(0)], 1000, 0, '', true) as Uint8Array[]).map(lengthIn), [0], 'an empty array is its header alone');
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
    page.send(header(0, 3));
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
    // One header frame, then the bytes in 10 frames.
    assert.deepEqual(binarySizes, [BYTE_ARRAY_HEADER_SIZE, ...Array.from({ length: 10 }, (_, i) => (i < 9 ? 4096 : 40_003 - 9 * 4096))]);
  });

  test('a raw page\'s header and bytes frames make one byte array, also when a reconnect falls between its frames', async (t) => {
    t.after(registerInvokables('BytesFramesTest', { Sum: (bytes: Uint8Array) => sum(bytes) }));
    const server = await startServer(t, { maxMessageSize: MAX });
    const page = await RawPage.open(t, server.url, { features: EVERY_FEATURE });
    const bytes = patternBytes(2 * MAX + 5);
    page.send(header(0, bytes.byteLength));
    page.send(bytes.subarray(0, MAX));
    // The connection drops after the first bytes frame (the server reads frames before the close that
    // follows them): the server holds the array begun, and the rest of its bytes come on the new connection.
    const circuit = server.circuit(page.started[1])!;
    const down = once(server, 'connectionDown');
    page.socket.close();
    await down;
    const resumed = await RawPage.open(t, server.url, { hello: false });
    resumed.send([Control.Resume, circuit.id, page.started[2], 0]);
    assert.deepEqual(await resumed.next((f) => Array.isArray(f) && f[0] === Control.Resumed), [Control.Resumed, 2]);
    resumed.send(bytes.subarray(MAX, 2 * MAX));
    resumed.send(bytes.subarray(2 * MAX));
    resumed.send(call('1'));
    assert.deepEqual(await resumed.next(answerTo('1')), [Msg.EndInvokeDotNet, '1', true, String(sum(bytes))]);
    assert.equal(resumed.frames.filter(isRejected).length, 0);
  });

  test('a hostile page is refused with a clear error: a header of the wrong size or type, a length that is no count, bytes frames over the limit or past the length', async (t) => {
    t.after(registerInvokables('BytesFramesTest', { Sum: (bytes: Uint8Array) => sum(bytes) }));
    const server = await startServer(t, { maxMessageSize: MAX });
    const page = await RawPage.open(t, server.url, { features: EVERY_FEATURE });
    const refused = async (send: () => void, expected: RegExp): Promise<void> => {
      const from = page.frames.length;
      send();
      assert.match((await page.next(isRejected, from))[1], expected);
    };
    await refused(() => page.send(binaryHeader(Msg.SendByteArray, 0, BYTES_FOLLOW)), /a byte array header whose bytes follow \(flag 2\) must be 18 bytes, the header and the array's length, without flag 1; it is 10 bytes/);
    await refused(() => page.send(binaryHeader(Msg.StreamCredit, 0, BYTES_FOLLOW)), /a page cannot send message type/);
    await refused(() => page.send(header(0, 2.5)), /the byte array length 2.5 is not a non-negative integer/);
    await refused(() => (page.send(header(0, 2 * MAX)), page.send(new Uint8Array(MAX + 1))), /A byte array part of 1025 bytes exceeds the maximum incoming message size of 1024 bytes/);
    // The refused array's last frame is dropped by count; the page then goes past a length.
    page.send(new Uint8Array(MAX - 1));
    await refused(() => (page.send(header(0, 3)), page.send(new Uint8Array(4))), /a frame of 4 bytes came where 3 more bytes of byte array 0 were due/);
    // The circuit carries on: a byte array in bytes frames still arrives, id 0 again.
    page.send(header(0, 3));
    page.send(new Uint8Array([1, 2, 3]));
    page.send(call('2'));
    assert.deepEqual(await page.next(answerTo('2')), [Msg.EndInvokeDotNet, '2', true, '6']);
    assert.equal(page.frames.filter(isRejected).length, 5);
  });

  test('an array over the per-call limit is refused by its header: its bytes and the message\'s later arrays are dropped as they come, the call fails with Blazor\'s text, the next message arrives', async (t) => {
    const seen: Uint8Array[] = [];
    t.after(registerInvokables('BytesFramesTest', { Sum: (bytes: Uint8Array) => (seen.push(bytes), sum(bytes)) }));
    const server = await startServer(t, { maxMessageSize: MAX, maxByteArrayBytes: 4 * MAX });
    const page = await RawPage.open(t, server.url, { features: EVERY_FEATURE });
    const parts = [0, 1, 2, 3, 4].map((i) => patternBytes(MAX).map((b) => b ^ i));
    page.send(header(0, 5 * MAX));
    for (const part of parts) page.send(part);
    // Two more arrays of the same message, one in each form.
    page.send(header(1, 3));
    page.send(new Uint8Array([1, 2, 3]));
    page.send(new Uint8Array([...binaryHeader(Msg.SendByteArray, 2), 7, 8]));
    page.send(call('4'));
    assert.deepEqual(await page.next(answerTo('4')), [Msg.EndInvokeDotNet, '4', false, 'Exceeded the maximum byte array transfer limit for a call. (limit 4096 bytes)']);
    assert.equal(page.frames.filter(isRejected).length, 1, 'refused once a message, by its first array\'s header; no frame after it is read as a frame of its own');
    page.send(header(0, 3));
    page.send(new Uint8Array([4, 5, 6]));
    page.send(call('5'));
    assert.deepEqual(await page.next(answerTo('5')), [Msg.EndInvokeDotNet, '5', true, '15']);
    assert.deepEqual(seen, [new Uint8Array([4, 5, 6])]);
  });

  test('a header followed by anything but its bytes ends the circuit, naming why', async (t) => {
    const server = await startServer(t, { maxMessageSize: MAX });
    const page = await RawPage.open(t, server.url, { features: EVERY_FEATURE });
    const ended = once(server, 'circuitEnd');
    page.send(header(0, 3));
    page.send(call('3'));
    const [, reason] = (await ended) as [unknown, string];
    assert.match(String(reason), /text frame where the bytes of a byte array were due/);
  });
});
