/*
 * Markers from the page are revived by a walk after a plain JSON.parse (src/host/json-codec.ts),
 * in place of a JSON.parse reviver. The walk must do exactly what the reviver did: the same
 * result, and the same objects offered in the same order (revival has effects: it takes byte
 * arrays and creates references).
 */
import { describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { IN_PROCESS_ONLY, test } from '../support/hosting-models.js';
import { reviveMarkers } from '../../src/host/json-codec.js';

/** A stand-in for the codec's marker reviver: replaces {"__m": n} and logs every object it is offered. */
function recordingReviver() {
  const offered: string[] = [];
  const revive = (value: any): unknown => {
    offered.push(JSON.stringify(value));
    return Object.hasOwn(value, '__m') ? { revived: value.__m } : value;
  };
  return { offered, revive };
}

function viaJsonReviver(text: string) {
  const { offered, revive } = recordingReviver();
  const value = JSON.parse(text, (_key, v) => (v === null || typeof v !== 'object' || Array.isArray(v) ? v : revive(v)));
  return { value, offered };
}

function viaWalk(text: string) {
  const { offered, revive } = recordingReviver();
  return { value: reviveMarkers(JSON.parse(text), revive), offered };
}

const marker = fc.record({ __m: fc.integer() });
const jsonWithMarkers = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, fc.jsonValue({ maxDepth: 1 }), marker, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('__m', '__proto__', 'constructor')), tie('value'), { maxKeys: 4 }),
})).value;

describe('reviving markers after a plain parse', () => {
  test('gives what a JSON.parse reviver gives, offering the same objects in the same order', IN_PROCESS_ONLY.noPage, () => {
    fc.assert(
      fc.property(jsonWithMarkers, (value) => {
        const text = JSON.stringify(value);
        assert.deepStrictEqual(viaWalk(text), viaJsonReviver(text));
      }),
      { numRuns: 2000 },
    );
  });

  test('a "__proto__" key stays an own property and never sets the prototype', IN_PROCESS_ONLY.noPage, () => {
    const { value } = viaWalk('{"__proto__":{"__m":7},"x":[{"__m":1}]}');
    const parsed = value as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(parsed), Object.prototype);
    assert.deepEqual(Object.getOwnPropertyDescriptor(parsed, '__proto__')?.value, { revived: 7 });
    assert.deepEqual(parsed.x, [{ revived: 1 }]);
  });
});
