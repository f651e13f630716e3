import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ByteArrayAssembly } from '../../../src/hosting/server/byte-array-assembly.js';

describe('ByteArrayAssembly', () => {
  test('the parts, appended in any sizes, come out as one array of exactly their bytes, over memory of its own', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 50, size: 'max' }), { maxLength: 20 }), fc.integer({ min: 1, max: 64 }), (parts, capacity) => {
        const whole = Uint8Array.from(parts.flatMap((part) => [...part]));
        const assembly = new ByteArrayAssembly(capacity, Math.max(1, whole.byteLength));
        for (const part of parts) assembly.append(part);
        assert.equal(assembly.length, whole.byteLength);
        const taken = assembly.take();
        assert.deepEqual(taken, whole);
        assert.equal(taken.byteOffset, 0);
        assert.equal(taken.buffer.byteLength, whole.byteLength, 'exactly its length: nothing beyond it can be read through .buffer');
        for (const part of parts) assert.notEqual(taken.buffer, part.buffer);
      }),
      { numRuns: 300 },
    );
  });

  test('given the length up front, it takes that much once and hands it over without another copy', () => {
    const assembly = new ByteArrayAssembly(10, 100);
    assembly.append(new Uint8Array([1, 2, 3, 4, 5, 6]));
    assembly.append(new Uint8Array([7, 8, 9, 10]));
    const taken = assembly.take();
    assert.deepEqual(taken, new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
    assert.equal(taken.buffer.byteLength, 10);
  });

  test('it never grows beyond the limit, and refuses bytes past it (the caller checks first)', () => {
    const assembly = new ByteArrayAssembly(4, 10);
    assembly.append(new Uint8Array(6));
    assembly.append(new Uint8Array(4));
    assert.equal(assembly.take().byteLength, 10);
    assert.throws(() => assembly.append(new Uint8Array(1)), RangeError);
    assert.equal(new ByteArrayAssembly(1000, 10).take().buffer.byteLength, 0, 'its capacity is capped at the limit');
  });
});
