import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeBinary, decodeCallFrame, encodeBinary, encodeCallFrame, encodeFrame } from '../../../src/protocol/framing.js';
import * as Msg from '../../../src/protocol/message-codes.js';
import { isBatch, textBatcher } from '../../../src/protocol/batching.js';
import { ACK_EVERY_BYTES, ACK_EVERY_FRAMES, Outbox, Receipts } from '../../../src/protocol/sequencing.js';
import { pageFrames } from '../../../src/hosting/server/client/outgoing.js';

describe('binary frames', () => {
  test('encode and decode round-trip type, id, flag and bytes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), fc.maxSafeNat(), fc.uint8Array({ maxLength: 64 }), fc.boolean(), (type, id, bytes, more) => {
        const frame = decodeBinary(encodeBinary(type, id, bytes, more));
        assert.deepEqual([frame.type, frame.id, [...frame.bytes], frame.more], [type, id, [...bytes], more]);
      }),
    );
  });

  test('messages with bytes become binary frames (header and the bytes themselves, uncopied), the others JSON text', () => {
    const bytes = new Uint8Array([1, 2]);
    const frame = encodeFrame([Msg.ReceiveByteArray, 1, bytes]) as readonly [Uint8Array, Uint8Array];
    assert.equal(frame[1], bytes);
    assert.deepEqual(decodeBinary(new Uint8Array([...frame[0], ...frame[1]])), { type: Msg.ReceiveByteArray, id: 1, bytes: new Uint8Array([1, 2]), more: false, follows: false });
    assert.equal(encodeFrame([Msg.CancelJS, 5]), '[15,5]');
  });

  test('text messages of one task travel as one batch frame; a lone message as itself', async () => {
    const frames: string[] = [];
    const batcher = textBatcher((f) => frames.push(f), 20);
    batcher.add('[1]');
    await Promise.resolve();
    for (const m of ['[0]', '[2]', '[3]', '[4444444444]', '[5]']) batcher.add(m);
    // The first message of a task goes at once; a batch that would pass maxChars goes before it does.
    assert.deepEqual(frames, ['[1]', '[0]', '[[2],[3],[4444444444]]']);
    await Promise.resolve();
    assert.deepEqual(frames, ['[1]', '[0]', '[[2],[3],[4444444444]]', '[5]']);
    assert.ok(isBatch(JSON.parse(frames[2]!)));
    assert.ok(!isBatch(JSON.parse(frames[0]!)));
  });

  test('the page cuts a byte array into parts of at most the maximum size, and keeps an empty one whole', () => {
    const frames = pageFrames([Msg.SendByteArray, 0, new Uint8Array(2500)], 1000) as Uint8Array[];
    assert.deepEqual(frames.map((f) => [decodeBinary(f).bytes.length, decodeBinary(f).more]), [[1000, true], [1000, true], [500, false]]);
    assert.equal(pageFrames([Msg.SendByteArray, 3, new Uint8Array(0)], 1000).length, 1);
  });

  test('the page measures long texts in UTF-8 bytes', () => {
    const text = 'é'.repeat(400); // 800 bytes in UTF-8, 400 UTF-16 units
    assert.throws(() => pageFrames([Msg.BeginInvokeDotNet, '1', 'A', 'M', 0, JSON.stringify([text])], 700), /exceeds the server's maximum message size of 700 bytes/);
    assert.equal(pageFrames([Msg.BeginInvokeDotNet, '1', 'A', 'M', 0, JSON.stringify([text])], 900).length, 1);
  });
});

describe('call frames', () => {
  test('encode and decode round-trip every call: any identifier (commas, "?", non-ASCII) and any arguments text', () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), fc.nat(3), fc.maxSafeNat(), fc.nat(4), (handle, identifier, argsJson, resultType, target, callType) => {
        const message = [Msg.BeginInvokeJS, handle, identifier, argsJson, resultType, target, callType] as const;
        assert.deepEqual(decodeCallFrame(encodeCallFrame([...message])), message);
      }),
    );
  });

  test('a call frame is the header, the identifier and the arguments as they are', () => {
    assert.equal(encodeCallFrame([Msg.BeginInvokeJS, 2, 'benchEcho', '[42]', 0, 0, 1]), '?2,0,0,1,9,benchEcho[42]');
    assert.deepEqual(decodeCallFrame('?7,3,12,2,4,a,b?["x"]'), [Msg.BeginInvokeJS, 7, 'a,b?', '["x"]', 3, 12, 2]);
    assert.deepEqual(decodeCallFrame('?7,0,0,1,0,'), [Msg.BeginInvokeJS, 7, '', '', 0, 0, 1]);
  });

  test('a malformed call frame is refused with an error naming what is wrong', () => {
    const cases: [frame: string, error: RegExp][] = [
      ['[10,2,"f","[]",0,0,1]', /does not start with "\?"/],
      ['', /does not start with "\?"/],
      ['?', /asyncHandle is not a non-negative integer/],
      ['?,0,0,1,1,f[]', /asyncHandle is not a non-negative integer/],
      ['?-2,0,0,1,1,f[]', /asyncHandle is not a non-negative integer/],
      ['?2e3,0,0,1,1,f[]', /asyncHandle is not a non-negative integer/],
      ['? 2,0,0,1,1,f[]', /asyncHandle is not a non-negative integer/],
      ['?99999999999999999,0,0,1,1,f[]', /asyncHandle is not a non-negative integer/],
      ['?2,x,0,1,1,f[]', /resultType is not a non-negative integer/],
      ['?2,0,1.5,1,1,f[]', /targetInstanceId is not a non-negative integer/],
      ['?2,0,0', /targetInstanceId is not a non-negative integer followed by ","/],
      ['?2,0,0,,1,f[]', /callType is not a non-negative integer/],
      ['?2,0,0,1,', /identifierLength is not a non-negative integer/],
      ['?2,0,0,1,f,f[]', /identifierLength is not a non-negative integer/],
      ['?2,0,0,1,10,f[]', /the identifier of 10 characters runs past the end of the frame/],
    ];
    for (const [frame, error] of cases) assert.throws(() => decodeCallFrame(frame), (e: unknown) => e instanceof TypeError && /^Malformed call frame: /.test(e.message) && error.test(e.message), frame);
  });
});

describe('sequencing', () => {
  test('an outbox keeps frames until acknowledged and refuses impossible acks', () => {
    const outbox = new Outbox();
    for (const frame of ['a', 'bb', 'ccc']) outbox.push(frame);
    assert.deepEqual([outbox.sent, outbox.size, outbox.bytes], [3, 3, 6]);
    assert.equal(outbox.ack(4), false);
    assert.equal(outbox.ack(1), true);
    assert.deepEqual(outbox.pending(), ['bb', 'ccc']);
    assert.equal(outbox.ack(0), false, 'an ack cannot go backwards');
    assert.equal(outbox.ack(1.5), false);
    assert.equal(outbox.ack(3), true);
    assert.deepEqual([outbox.size, outbox.bytes, outbox.acknowledged], [0, 0, 3]);
  });

  test('replay after any ack resends exactly the frames after it, in order', () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { maxLength: 50 }), fc.nat(), fc.nat(), (frames, a, b) => {
        const outbox = new Outbox<string>();
        frames.forEach((f) => outbox.push(f));
        const first = Math.min(a, frames.length);
        const second = Math.min(first + b, frames.length);
        assert.ok(outbox.ack(first));
        assert.ok(outbox.ack(second));
        assert.deepEqual(outbox.pending(), frames.slice(second));
      }),
    );
  });

  test('receipts ask for an ack every so many frames or bytes', () => {
    const receipts = new Receipts();
    let acks = 0;
    for (let i = 0; i < ACK_EVERY_FRAMES * 3; i++) if (receipts.count(10)) (receipts.acking(), acks++);
    assert.equal(acks, 3);
    assert.equal(receipts.count(ACK_EVERY_BYTES), true);
    assert.equal(receipts.acking(), ACK_EVERY_FRAMES * 3 + 1);
    assert.equal(receipts.behind, false);
    // A larger byte interval (the server's pageAckBytes): frames still ack every ACK_EVERY_FRAMES.
    const sparse = new Receipts(4 * ACK_EVERY_BYTES);
    assert.equal(sparse.count(3 * ACK_EVERY_BYTES), false);
    assert.equal(sparse.count(ACK_EVERY_BYTES), true);
    sparse.acking();
    let frames = 0;
    while (!sparse.count(1)) frames++;
    assert.equal(frames + 1, ACK_EVERY_FRAMES);
  });
});
