/*
 * IncomingSplits (src/hosting/server/split-incoming.ts) on its own: a page's text parts joined
 * within maxCallSize, and the parts no page's client sends.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodeBinary } from '../../../src/protocol/framing.js';
import * as Msg from '../../../src/protocol/message-codes.js';
import { SplitViolation, TEXT_PART, textParts } from '../../../src/protocol/splitting.js';
import { FrameError } from '../../../src/hosting/server/incoming.js';
import { IncomingSplits } from '../../../src/hosting/server/split-incoming.js';

const LIMITS = { maxMessageSize: 16, maxCallSize: 200 };
const frame = ([header, bytes]: [Uint8Array, Uint8Array]): Buffer => Buffer.concat([header, bytes]);

describe('IncomingSplits', () => {
  test('a text cut as the client cuts it comes back whole', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 60, unit: 'binary' }), (text) => {
        const utf8 = new TextEncoder().encode(text);
        fc.pre(utf8.byteLength <= LIMITS.maxCallSize);
        const splits = new IncomingSplits(LIMITS);
        const parts = textParts(utf8, LIMITS.maxMessageSize).map(frame);
        parts.slice(0, -1).forEach((part) => assert.equal(splits.part(part), undefined));
        assert.equal(splits.part(parts.at(-1)!)!.toString('utf8'), text);
        assert.equal(splits.busy, false);
      }),
    );
  });

  test('a part shorter than maxMessageSize with more to follow breaks the protocol, and nothing is held', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: LIMITS.maxMessageSize - 1 }), fc.integer({ min: 0, max: 3 }), (short, fullBefore) => {
        const splits = new IncomingSplits(LIMITS);
        const size = (fullBefore + 2) * LIMITS.maxMessageSize;
        for (let i = 0; i < fullBefore; i++) splits.part(Buffer.from(encodeBinary(TEXT_PART, size, new Uint8Array(LIMITS.maxMessageSize).fill(0x61), true)));
        assert.throws(
          () => splits.part(Buffer.from(encodeBinary(TEXT_PART, size, new Uint8Array(short).fill(0x61), true))),
          (error: unknown) => error instanceof SplitViolation && /every part of a split message but the last carries maxMessageSize \(16\) bytes/.test(error.message),
        );
        assert.equal(splits.busy, false);
        assert.equal(splits.held, 0);
      }),
    );
  });

  test('a text over maxCallSize is refused at its first part, naming the call, and its other parts are dropped', () => {
    // Parts of 64 bytes, so that the first holds the call's assembly and method.
    const limits = { maxMessageSize: 64, maxCallSize: 200 };
    const text = JSON.stringify([Msg.BeginInvokeDotNet, '7', 'Asm', 'Big', 0, 'x'.repeat(300)]);
    const splits = new IncomingSplits(limits);
    const [first, ...rest] = textParts(new TextEncoder().encode(text), limits.maxMessageSize).map(frame);
    assert.throws(() => splits.part(first!), (error: unknown) => error instanceof FrameError && /^The call to 'Big' on assembly 'Asm' is \d+ bytes of JSON, more than the server's maxCallSize of 200 bytes\.$/.test(error.message));
    for (const part of rest) assert.equal(splits.part(part), undefined);
    assert.equal(splits.busy, false);
  });
});
