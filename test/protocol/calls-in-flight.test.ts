/*
 * The page's calls in flight (src/protocol/calls-in-flight.ts): the newest call in fields of its
 * own, older ones in a Map, and the same answers as one Map whatever the order calls settle in.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { callsInFlight } from '../../src/protocol/calls-in-flight.js';

describe('CallsInFlight', () => {
  test('one call at a time: each is taken once, then is gone', () => {
    const calls = callsInFlight<number, string>();
    for (let handle = 2; handle < 6; handle++) {
      calls.set(handle, `f${handle}`);
      assert.deepEqual(calls.keys(), [handle]);
      assert.equal(calls.take(handle), `f${handle}`);
      assert.equal(calls.take(handle), undefined, 'a second answer finds nothing');
      assert.deepEqual(calls.keys(), []);
    }
  });

  test('overlapping calls settle in any order; keys() lists them oldest first; clear() forgets them', () => {
    const calls = callsInFlight<string, true>();
    calls.set('1', true);
    calls.set('2', true);
    calls.set('3', true);
    assert.deepEqual(calls.keys(), ['1', '2', '3']);
    assert.equal(calls.take('2'), true);
    assert.equal(calls.take('3'), true);
    calls.set('4', true);
    assert.deepEqual(calls.keys(), ['1', '4']);
    calls.clear();
    assert.equal(calls.take('1'), undefined);
    assert.deepEqual(calls.keys(), []);
  });

  test('agrees with a Map for any sequence of adds and takes', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.nat(20))), (ops) => {
        const calls = callsInFlight<number, string>();
        const model = new Map<number, string>();
        let next = 100;
        for (const [add, pick] of ops) {
          if (add) {
            calls.set(next, `f${next}`);
            model.set(next, `f${next}`);
            next++;
          } else {
            const key = [...model.keys()][pick % Math.max(1, model.size)] ?? next;
            const expected = model.get(key);
            model.delete(key);
            assert.equal(calls.take(key), expected);
          }
          assert.deepEqual(calls.keys(), [...model.keys()]);
        }
      }),
    );
  });
});
