/*
 * The table of pending calls (src/host/call-table.ts) against a Map, the structure it replaces:
 * any sequence of adds (consecutive handles) and removals (any order, unknown handles too)
 * leaves both with the same contents, in the same order.
 */
import { describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { IN_PROCESS_ONLY, test } from '../support/hosting-models.js';
import { CallTable } from '../../src/host/call-table.js';

type Step = { add: true } | { remove: number };

/** Applies the steps to a CallTable and a Map side by side and checks they agree after each. */
function agree(steps: readonly Step[], firstHandle = 2): void {
  const table = new CallTable<{ handle: number }>();
  const map = new Map<number, { handle: number }>();
  let next = firstHandle;
  for (const step of steps) {
    if ('add' in step) {
      const value = { handle: next };
      table.set(next, value);
      map.set(next, value);
      next++;
    } else {
      // Remove a live call (by position) most of the time, else a handle that is not there.
      const live = [...map.keys()];
      const handle = live.length && step.remove % 5 !== 0 ? live[step.remove % live.length]! : next + step.remove;
      assert.equal(table.delete(handle), map.delete(handle));
    }
    assert.equal(table.size, map.size);
  }
  assert.deepEqual(table.entries(), [...map]);
  for (const [handle, value] of map) assert.equal(table.get(handle), value);
  for (const handle of [firstHandle - 1, next, next + 1, 1.5, NaN]) assert.equal(table.get(handle), undefined);
}

describe('call table', () => {
  test('behaves as a Map for any interleaving of adds and removals', IN_PROCESS_ONLY.noPage, () => {
    const step: fc.Arbitrary<Step> = fc.oneof(fc.constant<Step>({ add: true }), fc.nat(5000).map((remove): Step => ({ remove })));
    fc.assert(fc.property(fc.array(step, { maxLength: 300 }), fc.maxSafeNat(), (steps, first) => agree(steps, Math.min(first, Number.MAX_SAFE_INTEGER - 400))));
  });

  test('one-at-a-time calls, bursts settled in order and out of order', IN_PROCESS_ONLY.noPage, () => {
    const sequential: Step[] = Array.from({ length: 3000 }, (_, i) => (i % 2 ? { remove: 0 + 1 } : { add: true }));
    agree(sequential);
    const burst: Step[] = [...Array.from({ length: 3000 }, (): Step => ({ add: true })), ...Array.from({ length: 3000 }, (_, i): Step => ({ remove: (i * 7919) % 3001 + 1 }))];
    agree(burst);
  });

  test('a call that stays pending while many later calls settle does not keep their slots', IN_PROCESS_ONLY.noPage, () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    assert.ok(gc, 'run with --expose-gc (npm test does)');
    const CALLS = 400_000;
    const churn = (table: CallTable<object>): void => {
      for (let handle = 3; handle < CALLS + 3; handle++) {
        table.set(handle, {});
        table.delete(handle);
      }
    };
    // A first run on a table of its own, so that the measured one finds the code compiled: the
    // heap after a collection moved by up to about 400 KB between runs of the first one alone.
    churn(new CallTable<object>());
    const table = new CallTable<object>();
    const straggler = {};
    table.set(2, straggler);
    gc();
    const before = process.memoryUsage().heapUsed;
    churn(table);
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    // 400,000 slots kept would be 3.2 MB; the straggler moved to a Map instead, and the window stays small.
    assert.ok(grown < 1_000_000, `heap grew by ${grown} bytes`);
    assert.equal(table.size, 1);
    assert.equal(table.get(2), straggler);
    assert.deepEqual(table.entries(), [[2, straggler]]);
    assert.equal(table.delete(2), true);
    assert.equal(table.size, 0);
  });
});
