/*
 * Split messages (src/protocol/splitting.ts): a text frame's UTF-8 cut into parts within the
 * message size, and joined back by a receiver that holds one partial text at most and refuses
 * parts that cannot belong together or a text over its limit.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeBinary, type BinaryFrame } from '../../src/protocol/framing.js';
import { SplitTooLarge, SplitViolation, TEXT_PART, TextJoiner, textParts } from '../../src/protocol/splitting.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The parts as a receiver decodes them off the wire. */
const wireParts = (utf8: Uint8Array, max: number): BinaryFrame[] => textParts(utf8, max).map(([header, bytes]) => decodeBinary(new Uint8Array([...header, ...bytes])));

const part = (size: number, bytes: number, more: boolean): BinaryFrame => ({ type: TEXT_PART, id: size, bytes: new Uint8Array(bytes).fill(0x61), more });

describe('split messages', () => {
  test('any text, cut at any size, comes back whole from its parts, each within the size, only the last without "more"', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 1, maxLength: 2000 }), fc.integer({ min: 1, max: 300 }), (text, max) => {
        const utf8 = encoder.encode(text);
        const parts = wireParts(utf8, max);
        assert.ok(parts.every((p) => p.type === TEXT_PART && p.id === utf8.byteLength && p.bytes.byteLength <= max && p.bytes.byteLength > 0));
        assert.deepEqual(parts.map((p) => p.more), parts.map((_, i) => i < parts.length - 1));
        const joiner = new TextJoiner(utf8.byteLength);
        const results = parts.map((p) => joiner.add(p));
        assert.ok(results.slice(0, -1).every((r) => r === undefined));
        // Cut anywhere, even inside a UTF-8 sequence: the text is decoded only once whole.
        assert.equal(decoder.decode(results.at(-1)), text);
        assert.equal(joiner.busy, false);
        assert.equal(joiner.held, 0);
      }),
    );
  });

  test('texts follow one another through one joiner, which holds only the one under way', () => {
    const joiner = new TextJoiner();
    for (const text of ['a'.repeat(100), 'é'.repeat(70), '{"x":1}']) {
      const parts = wireParts(encoder.encode(text), 16);
      let whole: Uint8Array | undefined;
      for (const [i, p] of parts.entries()) {
        whole = joiner.add(p);
        if (i < parts.length - 1) assert.equal(joiner.held, 16 * (i + 1));
      }
      assert.equal(decoder.decode(whole), text);
    }
  });

  test('a text over the limit is refused at its first part, with its size and first bytes; its other parts are dropped', () => {
    const joiner = new TextJoiner(1000);
    const parts = wireParts(encoder.encode('[20,"7","A","M",0,"' + 'x'.repeat(2000) + '"]'), 512);
    assert.throws(
      () => joiner.add(parts[0]!),
      (error: unknown) => error instanceof SplitTooLarge && error.size === 2021 && decoder.decode(error.head).startsWith('[20,"7","A","M"'),
    );
    for (const p of parts.slice(1)) assert.equal(joiner.add(p), undefined);
    assert.equal(joiner.held, 0);
    assert.equal(joiner.busy, false);
    assert.equal(decoder.decode(wireParts(encoder.encode('ok'), 8).map((p) => joiner.add(p)).at(-1)), 'ok');
  });

  test('parts that cannot belong together are a violation, and the joiner starts afresh', () => {
    const cases: [string, BinaryFrame[]][] = [
      ['another text starts before the last ended', [part(100, 10, true), part(200, 10, true)]],
      ['more bytes than declared', [part(15, 10, true), part(15, 10, false)]],
      ['the last part comes short', [part(30, 10, true), part(30, 10, false)]],
      ['"more" after the last byte', [part(20, 10, true), part(20, 10, true)]],
      ['an empty part', [part(20, 10, true), part(20, 0, true)]],
      ['a declared length of 0', [part(0, 0, false)]],
    ];
    for (const [what, parts] of cases) {
      const joiner = new TextJoiner();
      assert.throws(() => parts.forEach((p) => joiner.add(p)), SplitViolation, what);
      assert.equal(joiner.busy, false, what);
      assert.equal(joiner.held, 0, what);
    }
  });
});
