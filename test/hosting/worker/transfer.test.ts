/*
 * transfer() marks (src/hosting/worker/transfer.ts): which arrays move and which are copied when
 * the outbox prepares them. The last array marked is held apart from the others; every mark
 * must still hold, whatever the order of marking and sending.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { prepareBytes, transfer } from '../../../src/hosting/worker/transfer.js';

describe('transfer() marks', () => {
  test('arrays marked before any is sent all move, in any order', () => {
    const [a, b, c] = [transfer(new Uint8Array(4)), transfer(new Uint8Array(4)), transfer(new Uint8Array(4))];
    for (const bytes of [a, c, b]) {
      const transferList: ArrayBuffer[] = [];
      assert.equal(prepareBytes(bytes, transferList), bytes, 'moved, not copied');
      assert.deepEqual(transferList, [bytes.buffer]);
    }
  });

  test('an array sent twice in one message moves once; an unmarked one is copied each time', () => {
    const moved = transfer(new Uint8Array(4));
    const kept = new Uint8Array(4);
    const transferList: ArrayBuffer[] = [];
    assert.equal(prepareBytes(moved, transferList), moved);
    assert.equal(prepareBytes(moved, transferList), moved);
    const copy = prepareBytes(kept, transferList);
    assert.notEqual(copy, kept);
    assert.deepEqual(transferList, [moved.buffer, copy.buffer]);
  });

  test('a marked view is copied every time it is sent, before and after other marks', () => {
    const view = transfer(new Uint8Array(8).subarray(2, 6));
    for (let i = 0; i < 2; i++) {
      const transferList: ArrayBuffer[] = [];
      const sent = prepareBytes(view, transferList);
      assert.notEqual(sent, view);
      assert.equal(sent.byteLength, 4);
      assert.deepEqual(transferList, [sent.buffer]);
      transfer(new Uint8Array(1)); // another mark takes the last-marked place
    }
  });
});
