/*
 * The shared sending schedule (src/protocol/turns.ts): one "first" per turn, and one end-of-turn
 * callback, queued as a microtask behind those pending when the first message left.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { textBatcher } from '../../src/protocol/batching.js';
import { trackTurns } from '../../src/protocol/turns.js';

describe('turns', () => {
  test('the first begin of a turn is the only first; the end runs once, after the microtasks pending at the first', async () => {
    const log: string[] = [];
    const turns = trackTurns(() => log.push(`end busy=${turns.busy}`));
    void Promise.resolve().then(() => log.push('pending before the first message'));
    assert.equal(turns.busy, false);
    assert.equal(turns.begin(), true);
    assert.equal(turns.begin(), false);
    assert.equal(turns.busy, true);
    void Promise.resolve().then(() => log.push('queued after it'));
    await new Promise<void>((resolve) => setImmediate(resolve));
    assert.deepEqual(log, ['pending before the first message', 'end busy=false', 'queued after it']);
    assert.equal(turns.begin(), true, 'a new turn has a first again');
  });

  test('busy is a data property of the turns and of a text batcher, and follows the turn', async () => {
    // Not a getter: a getter per object (one per circuit on a server) defeats V8's inline caches.
    const turns = trackTurns(() => {});
    const frames: string[] = [];
    const batcher = textBatcher((frame) => frames.push(frame), 100);
    for (const object of [turns, batcher]) assert.equal(Object.getOwnPropertyDescriptor(object, 'busy')?.get, undefined);
    turns.begin();
    batcher.add('[1]');
    batcher.add('[2]');
    assert.equal(turns.busy, true);
    assert.equal(batcher.busy, true);
    await Promise.resolve();
    assert.equal(turns.busy, false);
    assert.equal(batcher.busy, false);
    assert.deepEqual(frames, ['[1]', '[2]']);
  });
});
