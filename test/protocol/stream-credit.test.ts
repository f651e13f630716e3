import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { streamCredit } from '../../src/protocol/stream-credit.js';

describe('stream credit', () => {
  test('is granted for chunks the reader took out of the queue, half a window at a time, each chunk once', () => {
    const credit = streamCredit(8);
    // 8 chunks arrived and wait in a queue of 8: none taken, nothing owed however often it is asked.
    assert.equal(credit(8, 0), 0);
    assert.equal(credit(8, 0), 0);
    // 3 taken (5 queued): under half the window.
    assert.equal(credit(8, 3), 0);
    // 4 taken: half the window, granted.
    assert.equal(credit(8, 4), 4);
    assert.equal(credit(8, 4), 0, 'the same chunks are not granted twice');
    // 4 more arrived and 5 more were taken (3 queued): 5 owed.
    assert.equal(credit(12, 5), 5);
  });

  test('a window of one or two chunks grants each chunk as it is taken', () => {
    for (const window of [1, 2]) {
      const credit = streamCredit(window);
      assert.equal(credit(1, window - 1), 0);
      assert.equal(credit(1, window), 1);
    }
  });

  test('a controller without a desired size counts as an empty queue: every chunk enqueued was taken', () => {
    assert.equal(streamCredit(4)(4, null), 4);
  });
});
