/*
 * The page's polling after a sync answer (src/hosting/worker/page-spin.ts): it grows while the
 * host's next calls arrive just after the polls run out, shrinks while they arrive late, and
 * stays between the configured count and 32 times it; a count of 0 (polling off) stays 0.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { adaptPolls, MAX_GROWTH, SOON_MS } from '../../../src/hosting/worker/page-spin.js';

describe('adaptive page polling', () => {
  test('doubles when the next call came soon after the polls ran out, up to 32 times the configured count', () => {
    assert.equal(adaptPolls(1024, 1024, 0.007, 0.02), 2048);
    assert.equal(adaptPolls(2048, 1024, 0.5, 0.4), 4096, 'within as long again as it polled');
    assert.equal(adaptPolls(1024 * MAX_GROWTH, 1024, 0.2, 0.01), 1024 * MAX_GROWTH);
  });

  test('halves back towards the configured count when the next call came late', () => {
    assert.equal(adaptPolls(8192, 1024, 0.05, 5), 4096);
    assert.equal(adaptPolls(1024, 1024, 0.007, 5), 1024);
  });

  test('stays within [configured, 32 × configured] whatever the timings, and off stays off', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1 << 16 }), fc.array(fc.tuple(fc.double({ min: 0, max: 10, noNaN: true }), fc.double({ min: 0, max: 10, noNaN: true }))), (base, timings) => {
        let polls = base;
        for (const [polledMs, lateMs] of timings) {
          polls = adaptPolls(polls, base, polledMs, lateMs);
          assert.ok(polls >= base && polls <= base * MAX_GROWTH, `${polls} outside [${base}, ${base * MAX_GROWTH}]`);
        }
        if (base === 0) assert.equal(polls, 0);
      }),
    );
    assert.ok(SOON_MS > 0);
  });
});
