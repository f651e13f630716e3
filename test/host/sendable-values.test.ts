/*
 * Values JSON would silently change (functions, Symbols, Maps, Sets, Promises…) or reject with a
 * text naming neither the call nor the value (BigInt, cycles) are refused before anything is
 * sent (src/host/sendable-values.ts). Everything with a JSON form of its own keeps working.
 */
import { describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { HostObjectReference, pageAbortSignal, registerInvokables, type IJSObjectReference, type IJSRuntime } from '../../src/index.js';
import { createJsonCodec, type CodecContext } from '../../src/host/json-codec.js';
import { IN_PROCESS_ONLY, test } from '../support/hosting-models.js';
import { openPage, UNUSED_STATS, type Page } from '../support/page.js';

const FUNCTION_ADVICE = 'Pass a HostObjectReference (HostObjectReference.create(obj, { invokable: [...] })) so the page can call back into the host.';
const NOTHING_SENT = 'Nothing was sent to the page.';

/** Settles `promise` and returns its rejection, failing when it resolves. */
async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    (value) => assert.fail(`expected a rejection, got ${JSON.stringify(value)}`),
    (e: unknown) => e,
  );
  assert.ok(error instanceof TypeError, `expected a TypeError, got ${String(error)}`);
  return error;
}

/** Runs `fn` and returns the TypeError it threw, failing when it returns. */
function thrownBy(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof TypeError, `expected a TypeError, got ${String(error)}`);
    return error;
  }
  return assert.fail('expected a throw');
}

function cyclic(): Record<string, unknown> {
  const value: Record<string, unknown> = { name: 'loop' };
  value.self = value;
  return value;
}

function nestedCycle(): unknown {
  const list: unknown[] = [1];
  list.push({ children: [{ up: list }] });
  return { list };
}

/** Each refused kind: the arguments, and the start of the message after "Cannot call 'take': ". */
const REFUSED: readonly [what: string, args: () => unknown[], expected: string][] = [
  ['a function argument', () => [1, () => 1], `argument 1 is a function, which JSON cannot carry (it would arrive as null, or its property would be left out). ${FUNCTION_ADVICE}`],
  ['a nested function', () => [{ items: [0, 1, 2, { onClick() {} }] }], `argument 0.items[3].onClick is a function, which JSON cannot carry`],
  ['a Symbol argument', () => [Symbol('id')], 'argument 0 is a Symbol (Symbol(id)), which has no JSON form'],
  ['a nested Symbol', () => [{ tags: [Symbol.iterator] }], 'argument 0.tags[0] is a Symbol (Symbol(Symbol.iterator)), which has no JSON form'],
  ['a BigInt argument', () => ['x', 12n], 'argument 1 is a BigInt (12n), which JSON cannot represent. Convert it to a number (Number(value)) or, to keep every digit, a string (String(value)).'],
  ['a nested BigInt', () => [{ total: { cents: 5n } }], 'argument 0.total.cents is a BigInt (5n)'],
  ['a Map argument', () => [new Map([['a', 1]])], 'argument 0 is a Map, which JSON would turn into {}. Convert it to an object (Object.fromEntries(map)) or an array of entries ([...map]).'],
  ['a nested Map', () => [[{ 'by id': new Map() }]], 'argument 0[0]["by id"] is a Map'],
  ['a Set argument', () => [new Set([1])], 'argument 0 is a Set, which JSON would turn into {}. Convert it to an array ([...set]).'],
  ['a nested Set', () => [null, { seen: new Set() }], 'argument 1.seen is a Set'],
  ['a Promise (a forgotten await)', () => [{ data: Promise.resolve(1) }], 'argument 0.data is a Promise, which JSON would turn into {}. Await it and pass its value.'],
  ['a WeakMap', () => [new WeakMap()], 'argument 0 is a WeakMap, which JSON would turn into {}'],
  ['an ArrayBuffer', () => [{ buffer: new ArrayBuffer(4) }], 'argument 0.buffer is an ArrayBuffer, which JSON would turn into {}. Pass a Uint8Array over it (new Uint8Array(buffer)), which travels as bytes.'],
  ['a DataView', () => [new DataView(new ArrayBuffer(2))], 'argument 0 is a DataView, which JSON would turn into {}'],
  ['a BigInt64Array', () => [new BigInt64Array(1)], 'argument 0 is a BigInt64Array, whose BigInt elements JSON cannot represent'],
  [
    'an object that contains itself',
    () => [cyclic()],
    'argument 0.self refers back to argument 0, a circular structure, which JSON cannot represent. Pass a copy without the cycle (for example, an id in place of the back-reference).',
  ],
  ['a cycle deeper inside', () => [nestedCycle()], 'argument 0.list[1].children[0].up refers back to argument 0.list, a circular structure'],
];

/** Asserts the message names the call, starts with `expected` after it, and ends by saying nothing was sent. */
function assertRefusal(error: Error, identifier: string, expected: string): void {
  const prefix = `Cannot call '${identifier}': `;
  assert.ok(error.message.startsWith(prefix + expected), `message:\n  ${error.message}\nexpected to start with:\n  ${prefix + expected}`);
  assert.ok(error.message.endsWith(NOTHING_SENT), `message should end with "${NOTHING_SENT}": ${error.message}`);
}

/** Defines a page function that records whether it ran. */
function takeOnPage(page: Page, name = 'take'): { called: boolean } {
  const record = { called: false };
  page.define(name, () => {
    record.called = true;
  });
  return record;
}

describe('arguments JSON would change are refused before anything is sent', () => {
  for (const [what, args, expected] of REFUSED) {
    test(`${what}: "${expected.slice(0, 60)}…"`, async (t) => {
      const page = await openPage(t);
      const take = takeOnPage(page);
      assertRefusal(await rejectionOf(page.js.invokeVoidAsync('take', ...args())), 'take', expected);
      assert.equal(take.called, false);
      assert.equal(page.wire.length, 0);
      assert.deepEqual(page.js.stats(), UNUSED_STATS);
    });
  }

  test('sync calls throw the same errors', IN_PROCESS_ONLY.syncCalls, async (t) => {
    const page = await openPage(t);
    const take = takeOnPage(page);
    for (const [, args, expected] of REFUSED) assertRefusal(thrownBy(() => page.js.invokeVoid('take', ...args())), 'take', expected);
    assert.equal(take.called, false);
    assert.equal(page.wire.length, 0);
    assert.deepEqual(page.js.stats(), UNUSED_STATS);
  });

  test('byte arrays and host objects before the refused value are not sent or tracked either', async (t) => {
    const page = await openPage(t);
    const take = takeOnPage(page);
    using ref = HostObjectReference.create({ ping: () => 'pong' }, { invokable: ['ping'] });
    const args = [new Uint8Array([1, 2]), { bytes: new Uint8Array(3), ref, signal: pageAbortSignal }, { handler: () => 1 }];
    assertRefusal(await rejectionOf(page.js.invokeVoidAsync('take', ...args)), 'take', 'argument 2.handler is a function');
    assert.equal(take.called, false);
    assert.equal(ref.id, 0, 'the host object was not tracked');
    assert.deepEqual(page.wire, [], 'no byte array, no call');
    assert.deepEqual(page.js.stats(), UNUSED_STATS);
    // The byte array ids were not used up: the next call's first array is still 1.
    page.define('count', (...values: unknown[]) => values.length);
    await page.js.invokeAsync('count', new Uint8Array(1));
    assert.deepEqual(page.calls('receiveByteArray').map(([id]) => id), [1]);
  });

  /** Every async call kind of `target`, each given a function where JSON would send null. */
  function asyncCallsOf(target: IJSRuntime | IJSObjectReference): [string, () => Promise<unknown>][] {
    const f = () => 1;
    return [
      ['invokeAsync', () => target.invokeAsync('take', f)],
      ['invokeVoidAsync', () => target.invokeVoidAsync('take', f)],
      ['invokeConstructorAsync', () => target.invokeConstructorAsync('take', f)],
      ['invokeObjectReferenceAsync', () => target.invokeObjectReferenceAsync('take', f)],
      ['invokeStreamReferenceAsync', () => target.invokeStreamReferenceAsync('take', f)],
      ['setValueAsync', () => target.setValueAsync('take', f)],
    ];
  }

  test('every async call kind, on the runtime and on a JS object reference', async (t) => {
    const page = await openPage(t);
    const take = takeOnPage(page);
    page.define('makeTarget', () => ({ take: () => (take.called = true) }));
    const target = (await page.js.invokeObjectReferenceAsync('makeTarget'))!;
    const sent = page.wire.length;
    const stats = page.js.stats();
    for (const [kind, call] of [...asyncCallsOf(page.js), ...asyncCallsOf(target)]) {
      assertRefusal(await rejectionOf(call()), 'take', 'argument 0 is a function');
      assert.equal(page.wire.length, sent, `${kind} sent something`);
    }
    assert.equal(take.called, false);
    assert.deepEqual(page.js.stats(), stats);
  });

  test('every sync call kind, on the runtime and on a JS object reference', IN_PROCESS_ONLY.syncCalls, async (t) => {
    const page = await openPage(t);
    const take = takeOnPage(page);
    page.define('makeTarget', () => ({ take: () => (take.called = true) }));
    const target = page.js.invokeObjectReference('makeTarget')!;
    const sent = page.wire.length;
    const stats = page.js.stats();
    const f = () => 1;
    for (const on of [page.js, target]) {
      for (const call of [
        () => on.invoke('take', f),
        () => on.invokeVoid('take', f),
        () => on.invokeConstructor('take', f),
        () => on.invokeObjectReference('take', f),
        () => on.invokeStreamReference('take', f),
        () => on.setValue('take', f),
      ]) {
        assertRefusal(thrownBy(call), 'take', 'argument 0 is a function');
      }
    }
    assert.equal(page.wire.length, sent);
    assert.equal(take.called, false);
    assert.deepEqual(page.js.stats(), stats);
  });

  test('the message names the identifier of the call, whatever it is', async (t) => {
    const page = await openPage(t);
    const error = await rejectionOf(page.js.invokeVoidAsync('app.render', { rows: [[1, 2n]] }));
    assert.equal(
      error.message,
      "Cannot call 'app.render': argument 0.rows[0][1] is a BigInt (2n), which JSON cannot represent. Convert it to a number (Number(value)) or, to keep every digit, a string (String(value)). Nothing was sent to the page.",
    );
  });
});

describe('values with a JSON form of their own keep working', () => {
  test('Date, Buffer, Uint8Array, references, pageAbortSignal, undefined, typed arrays and shared objects', async (t) => {
    const page = await openPage(t);
    page.define('makeTarget', () => ({ kind: 'target' }));
    const target = (await page.js.invokeObjectReferenceAsync('makeTarget'))!;
    let received: any[] = [];
    page.define('take', (...args: unknown[]) => {
      received = args;
    });
    using ref = HostObjectReference.create({ ping: () => 'pong' }, { invokable: ['ping'] });
    const shared = { id: 1 };
    class Point {
      constructor(
        readonly x: number,
        readonly y: number,
      ) {}
    }
    const bare = Object.assign(Object.create(null), { k: 'v' });
    const when = new Date(Date.UTC(2024, 0, 2));
    const args = [
      { when, buffer: Buffer.from('hi'), bytes: new Uint8Array([7]), target, ref, signal: pageAbortSignal },
      [1, undefined, 3],
      { kept: 1, dropped: undefined },
      undefined,
      new Float32Array([1.5]),
      { a: shared, b: [shared] },
      new Point(1, 2),
      bare,
      { toJSON: () => 'custom' },
    ];
    await page.js.invokeVoidAsync('take', ...args);
    const [handle, , json] = page.calls('beginInvokeJSFromDotNet').at(-1)!;
    assert.equal(
      json,
      `[{"when":"2024-01-02T00:00:00.000Z","buffer":{"__byte[]":1},"bytes":{"__byte[]":2},"target":{"__jsObjectId":${target.id}},"ref":{"__dotNetObject":1},"signal":{"__jsinteropAbortSignal":${handle}}},` +
        '[1,null,3],{"kept":1},null,{"0":1.5},{"a":{"id":1},"b":[{"id":1}]},{"x":1,"y":2},{"k":"v"},"custom"]',
    );
    assert.deepEqual([...received[0].buffer], [104, 105]);
    assert.deepEqual(received[0].target, { kind: 'target' });
    assert.ok(received[0].ref instanceof page.DotNet.DotNetObject);
    assert.deepEqual(received.slice(1, 4), [[1, null, 3], { kept: 1 }, null]);
  });

  test('a host result with a Date, bytes and a host object reaches the page', async (t) => {
    const page = await openPage(t);
    using ref = HostObjectReference.create({ ping: () => 'pong' }, { invokable: ['ping'] });
    t.after(registerInvokables('Sendable.A', { Make: () => ({ when: new Date(0), bytes: new Uint8Array([1]), ref, none: undefined }) }));
    const result: any = await page.DotNet.invokeMethodAsync('Sendable.A', 'Make');
    assert.equal(result.when, '1970-01-01T00:00:00.000Z');
    assert.deepEqual([...result.bytes], [1]);
    assert.equal(await result.ref.invokeMethodAsync('ping'), 'pong');
    assert.ok(!('none' in result));
  });
});

describe('results JSON would change fail the page’s call', () => {
  const cases: [string, () => unknown, string][] = [
    ['a function', () => () => 1, `result is a function, which JSON cannot carry (it would arrive as null, or its property would be left out). ${FUNCTION_ADVICE}`],
    ['a nested Map', () => ({ items: [new Map()] }), 'result.items[0] is a Map, which JSON would turn into {}. Convert it to an object (Object.fromEntries(map)) or an array of entries ([...map]).'],
    ['a BigInt', () => ({ n: 1n }), 'result.n is a BigInt (1n), which JSON cannot represent.'],
    ['a cycle', () => cyclic(), 'result.self refers back to result, a circular structure'],
  ];
  for (const [what, make, expected] of cases) {
    test(`${what}: "${expected.slice(0, 60)}…"`, async (t) => {
      const page = await openPage(t);
      t.after(registerInvokables('Sendable.B', { Make: make }));
      const error = await page.DotNet.invokeMethodAsync('Sendable.B', 'Make').then(
        () => assert.fail('should reject'),
        (e: Error) => e,
      );
      const first = `TypeError: Cannot send the result of 'Make' to the page: ${expected}`;
      assert.ok(error.message.startsWith(first), `page's message:\n  ${error.message}\nexpected to start with:\n  ${first}`);
      assert.equal(page.js.stats().pendingCallsFromJS, 0);
    });
  }

  test('a sync page call throws the same text', IN_PROCESS_ONLY.pageSyncCalls, async (t) => {
    const page = await openPage(t);
    t.after(registerInvokables('Sendable.C', { Make: () => new Set([1]) }));
    assert.throws(() => page.DotNet.invokeMethod('Sendable.C', 'Make'), {
      name: 'TypeError',
      message: "Cannot send the result of 'Make' to the page: result is a Set, which JSON would turn into {}. Convert it to an array ([...set]).",
    });
  });

  test('without detailed errors the page gets Blazor’s redacted text', async (t) => {
    const page = await openPage(t, { detailedErrors: false });
    t.after(registerInvokables('Sendable.D', { Make: () => new Map() }));
    await assert.rejects(page.DotNet.invokeMethodAsync('Sendable.D', 'Make'), {
      message: "There was an exception invoking 'Make' on assembly 'Sendable.D'. For more details turn on detailed exceptions in 'CircuitOptions.DetailedErrors'",
    });
  });
});

describe('properties of the check', () => {
  /** A codec whose context fails if used: JSON-safe values need no marker. */
  const codec = createJsonCodec(
    new Proxy({} as CodecContext, {
      get: (_target, name) => (name === 'serializingHandle' ? 0 : () => assert.fail(`the codec used ${String(name)} for JSON-safe values`)),
    }),
  );

  test('JSON-safe values are written exactly as JSON.stringify writes them', IN_PROCESS_ONLY.noPage, () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue(), { maxLength: 4 }), (args) => {
        assert.equal(codec.stringifyArgs('f', args), JSON.stringify(args));
        assert.equal(codec.stringifyValue('F', args), JSON.stringify(args));
      }),
      { numRuns: 500 },
    );
  });

  const forbidden = fc.constantFrom<[string, () => unknown]>(
    ['is a function', () => () => 1],
    ['is a Symbol', () => Symbol('s')],
    ['is a BigInt', () => 3n],
    ['is a Map', () => new Map()],
    ['is a Set', () => new Set()],
    ['is a Promise', () => Promise.resolve()],
  );
  const step = fc.oneof(
    fc.record({ kind: fc.constant('array' as const), before: fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }), after: fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }) }),
    fc.record({ kind: fc.constant('object' as const), key: fc.string({ maxLength: 6 }), siblings: fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }) }),
  );
  const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

  test('a forbidden value anywhere in JSON-safe data is refused, naming its path', IN_PROCESS_ONLY.noPage, () => {
    fc.assert(
      fc.property(forbidden, fc.array(step, { maxLength: 5 }), fc.nat(3), ([description, make], steps, argumentIndex) => {
        // Built from the inside out: each step wraps the value so far in an array or an object.
        let value: unknown = make();
        let path = '';
        for (const s of steps) {
          if (s.kind === 'array') {
            value = [...s.before, value, ...s.after];
            path = `[${s.before.length}]${path}`;
          } else {
            const siblings = Object.entries(s.siblings).filter(([key]) => key !== s.key);
            // Object.fromEntries defines own properties, so a "__proto__" key stays a key.
            value = Object.fromEntries([...siblings, [s.key, value]]);
            path = `${IDENTIFIER.test(s.key) ? `.${s.key}` : `[${JSON.stringify(s.key)}]`}${path}`;
          }
        }
        const args = [...Array.from({ length: argumentIndex }, (_, i) => ({ i })), value];
        const error = thrownBy(() => codec.stringifyArgs('f', args));
        assert.ok(error.message.startsWith(`Cannot call 'f': argument ${argumentIndex}${path} ${description}`), error.message);
      }),
      { numRuns: 500 },
    );
  });
});
