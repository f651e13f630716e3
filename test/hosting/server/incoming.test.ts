/*
 * IncomingFrames (src/hosting/server/incoming.ts) on its own: what a page's binary frames turn
 * into, for byte arrays sent either way a page may send them (parts that each carry a header, or
 * one header frame with the length and then the bytes as bare frames), and what it does with
 * frames no page should send. The properties run on small limits so that every case crosses them.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { byteArrayHeader, encodeBinary } from '../../../src/protocol/framing.js';
import * as Msg from '../../../src/protocol/message-codes.js';
import { BYTE_ARRAY_LIMIT_TEXT, FrameError, IncomingFrames } from '../../../src/hosting/server/incoming.js';

const LIMITS = { maxMessageSize: 16, maxByteArrayBytes: 100 };

type Received = [number, Uint8Array];

/** One byte array as the page sends it: its id in its message, its bytes, the form, and where its parts end. */
interface SentArray {
  readonly id: number;
  readonly bytes: Uint8Array;
  readonly follows: boolean;
  /** Part sizes, each 1..maxMessageSize, summing to the array's length (none for an empty array). */
  readonly parts: number[];
}

/** Part sizes for `length` bytes, each between 1 and `max`, from fast-check's choices. */
const partsOf = (length: number, max: number): fc.Arbitrary<number[]> =>
  length === 0
    ? fc.constant([])
    : fc.array(fc.integer({ min: 1, max }), { minLength: length, maxLength: length }).map((sizes) => {
        const parts: number[] = [];
        let left = length;
        for (const size of sizes) {
          if (left === 0) break;
          const part = Math.min(size, left);
          parts.push(part);
          left -= part;
        }
        return parts;
      });

/** The cut the page's client makes: parts of maxMessageSize, the last one the rest. */
const clientCut = (length: number): number[] =>
  Array.from({ length: Math.ceil(length / LIMITS.maxMessageSize) }, (_, i) => Math.min(LIMITS.maxMessageSize, length - i * LIMITS.maxMessageSize));

/** A byte array `id` of up to `maxLength` bytes, in either form, cut as the client cuts. */
const arrayOf = (id: number, maxLength: number): fc.Arbitrary<SentArray> =>
  fc.tuple(fc.uint8Array({ maxLength, size: 'max' }), fc.boolean()).map(([bytes, follows]) => ({ id, bytes, follows, parts: clientCut(bytes.byteLength) }));

/** The same, cut some other way: at least one part but the last is not of maxMessageSize. */
const miscutArrayOf = (id: number, maxLength: number): fc.Arbitrary<SentArray> =>
  fc
    .tuple(fc.uint8Array({ minLength: 2, maxLength, size: 'max' }), fc.boolean())
    .chain(([bytes, follows]) => partsOf(bytes.byteLength, LIMITS.maxMessageSize).map((parts) => ({ id, bytes, follows, parts })))
    .filter(({ parts }) => parts.slice(0, -1).some((size) => size !== LIMITS.maxMessageSize));

/** The frames a page sends for `array`. */
function framesOf({ id, bytes, follows, parts }: SentArray): Buffer[] {
  const frames: Buffer[] = [];
  if (follows) frames.push(Buffer.from(byteArrayHeader(Msg.SendByteArray, id, bytes.byteLength)));
  else if (parts.length === 0) frames.push(Buffer.from(encodeBinary(Msg.SendByteArray, id, bytes)));
  let offset = 0;
  parts.forEach((size, i) => {
    const part = bytes.subarray(offset, (offset += size));
    frames.push(Buffer.from(follows ? part : encodeBinary(Msg.SendByteArray, id, part, i < parts.length - 1)));
  });
  return frames;
}

/** Blazor counts at least 4 bytes for each byte array of a message. */
const counted = (arrays: readonly SentArray[]): number => arrays.reduce((sum, a) => sum + Math.max(4, a.bytes.byteLength), 0);

/** Feeds `frames` one by one; what came out, and each refusal's message. */
function feed(incoming: IncomingFrames, frames: Buffer[]): { received: Received[]; refusals: string[] } {
  const received: Received[] = [];
  const refusals: string[] = [];
  for (const frame of frames) {
    try {
      const message = incoming.binary(frame);
      if (message) received.push([message[1], message[2]]);
    } catch (error) {
      assert.ok(error instanceof FrameError, `only FrameError, got ${String(error)}`);
      refusals.push(error.message);
    }
  }
  return { received, refusals };
}

describe('IncomingFrames: byte arrays from the page', () => {
  test('every byte array within the limits arrives whole, in order, in either form', () => {
    const message = fc
      .integer({ min: 1, max: 3 })
      .chain((count) => fc.tuple(...Array.from({ length: count }, (_, id) => arrayOf(id, 40))))
      .filter((arrays) => counted(arrays) <= LIMITS.maxByteArrayBytes);
    fc.assert(
      fc.property(fc.array(message, { minLength: 1, maxLength: 4 }), (messages) => {
        const incoming = new IncomingFrames(LIMITS, true);
        const { received, refusals } = feed(incoming, messages.flat().flatMap(framesOf));
        assert.deepEqual(refusals, []);
        assert.deepEqual(received, messages.flat().map((a): Received => [a.id, new Uint8Array(a.bytes)]));
        for (const [, bytes] of received) assert.equal(Object.getPrototypeOf(bytes), Uint8Array.prototype, 'a plain Uint8Array, not a Buffer over the socket');
        assert.equal(incoming.awaitingBytes, false);
        assert.equal(incoming.midByteArray, false);
      }),
      { numRuns: 300 },
    );
  });

  test('a message over the per-call limit is refused once, with Blazor\'s text; its frames are dropped and the next message arrives whole', () => {
    const over = fc
      .tuple(fc.integer({ min: 101, max: 160 }), fc.boolean())
      .map(([length, follows]): SentArray => ({ id: 1, bytes: new Uint8Array(length).fill(7), follows, parts: clientCut(length) }));
    // The arrays of the same message after the one over the limit: dropped too, without another refusal.
    const later = fc.integer({ min: 0, max: 3 }).chain((count) => fc.tuple(...Array.from({ length: count }, (_, i) => arrayOf(2 + i, 20))));
    fc.assert(
      fc.property(arrayOf(0, 30), over, later, arrayOf(0, 30), (before, refusedArray, rest, after) => {
        const incoming = new IncomingFrames(LIMITS, true);
        const first = feed(incoming, framesOf(before));
        const refused = feed(incoming, [refusedArray, ...rest].flatMap(framesOf));
        assert.deepEqual(refused.refusals, [`${BYTE_ARRAY_LIMIT_TEXT} (limit 100 bytes)`], 'refused once');
        assert.deepEqual(refused.received, []);
        assert.equal(incoming.takeRefusal(), `${BYTE_ARRAY_LIMIT_TEXT} (limit 100 bytes)`);
        assert.equal(incoming.takeRefusal(), undefined, 'each refusal is taken once');
        assert.deepEqual(first.received, [[0, new Uint8Array(before.bytes)]]);
        assert.deepEqual(feed(incoming, framesOf(after)), { received: [[0, new Uint8Array(after.bytes)]], refusals: [] });
      }),
      { numRuns: 300 },
    );
  });

  test('frames no page sends are refused with a FrameError naming what was wrong; nothing else is ever thrown or held beyond the limit', () => {
    const junk = fc.oneof(
      fc.uint8Array({ maxLength: 40 }),
      // A header frame with any length, id and flags, right or wrong.
      fc.tuple(fc.nat(255), fc.oneof(fc.nat(3), fc.double()), fc.oneof(fc.nat(300), fc.double())).map(([flags, id, length]) => {
        const frame = byteArrayHeader(Msg.SendByteArray, 0, 0);
        frame[1] = flags;
        new DataView(frame.buffer).setFloat64(2, id, true);
        new DataView(frame.buffer).setFloat64(10, length, true);
        return frame;
      }),
      fc.tuple(fc.nat(3), fc.uint8Array({ maxLength: 20 }), fc.boolean()).map(([id, bytes, more]) => encodeBinary(Msg.SendByteArray, id, bytes, more)),
    );
    fc.assert(
      fc.property(fc.array(junk.map((b) => Buffer.from(b)), { maxLength: 30 }), (frames) => {
        const incoming = new IncomingFrames(LIMITS, true);
        for (const frame of frames) {
          try {
            const message = incoming.binary(frame);
            if (!message) continue;
            assert.equal(message[0], Msg.SendByteArray);
            assert.ok(Number.isSafeInteger(message[1]) && message[1] >= 0);
            assert.ok(message[2].byteLength <= LIMITS.maxByteArrayBytes, `an array of ${message[2].byteLength} bytes came through`);
          } catch (error) {
            assert.ok(error instanceof FrameError, `only FrameError, got ${String(error)}`);
            assert.ok(error.message.length > 20 && !/undefined|NaN bytes/.test(error.message), error.message);
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  test('a frame past a following array\'s length, or an empty one, is refused and the array dropped', () => {
    const incoming = new IncomingFrames(LIMITS, true);
    assert.equal(incoming.binary(Buffer.from(byteArrayHeader(Msg.SendByteArray, 0, 5))), undefined);
    assert.equal(incoming.awaitingBytes, true);
    assert.throws(() => incoming.binary(Buffer.alloc(6)), /a frame of 6 bytes came where 5 more bytes of byte array 0 were due/);
    assert.equal(incoming.awaitingBytes, false);
    assert.equal(incoming.binary(Buffer.from(byteArrayHeader(Msg.SendByteArray, 0, 5))), undefined);
    assert.throws(() => incoming.binary(Buffer.alloc(0)), /a frame of 0 bytes came where 5 more bytes/);
    assert.deepEqual(incoming.binary(Buffer.from(encodeBinary(Msg.SendByteArray, 0, new Uint8Array([1, 2])))), [Msg.SendByteArray, 0, new Uint8Array([1, 2])]);
  });

  test('an array cut finer than the client cuts is refused once, at its first short part; its other frames are dropped and the next message arrives whole', () => {
    fc.assert(
      fc.property(miscutArrayOf(0, 60), arrayOf(0, 30), (miscut, after) => {
        const incoming = new IncomingFrames(LIMITS, true);
        const refused = feed(incoming, framesOf(miscut));
        assert.deepEqual(refused.received, []);
        assert.equal(refused.refusals.length, 1, JSON.stringify(refused.refusals));
        assert.match(refused.refusals[0]!, /every part of a byte array but the last carries maxMessageSize \(16\) bytes/);
        assert.deepEqual(feed(incoming, framesOf(after)), { received: [[0, new Uint8Array(after.bytes)]], refusals: [] });
      }),
      { numRuns: 300 },
    );
  });

  test('no part of a refused array is held: a page cannot make the server keep an object a byte', async () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    assert.ok(gc, 'run with --expose-gc (npm test does)');
    for (const follows of [true, false]) {
      const incoming = new IncomingFrames(LIMITS, true);
      const seen: WeakRef<object>[] = [];
      let refusals = 0;
      // Each frame over memory of its own, as ws hands over a frame it assembled (Buffer.from([…]) would use Node's shared pool).
      const send = (bytes: Uint8Array): void => {
        const frame = Buffer.from(bytes.slice().buffer);
        seen.push(new WeakRef(frame.buffer));
        try {
          incoming.binary(frame);
        } catch (error) {
          assert.ok(error instanceof FrameError);
          refusals++;
        }
      };
      if (follows) send(byteArrayHeader(Msg.SendByteArray, 0, 60));
      for (let i = 0; i < 50; i++) send(follows ? new Uint8Array([i]) : encodeBinary(Msg.SendByteArray, 0, new Uint8Array([i]), true));
      assert.equal(refusals, 1, 'refused at the first short part');
      // WeakRefs hold their targets until the current job ends.
      await new Promise((resolve) => setImmediate(resolve));
      gc();
      assert.equal(seen.filter((ref) => ref.deref() !== undefined).length, 0, `${follows ? 'bytes frames' : 'parts'} held after they were read`);
    }
  });

  test('a page not told it may send header frames has them refused', () => {
    const incoming = new IncomingFrames(LIMITS, false);
    assert.throws(() => incoming.binary(Buffer.from(byteArrayHeader(Msg.SendByteArray, 0, 5))), FrameError);
    assert.equal(incoming.awaitingBytes, false);
  });
});
