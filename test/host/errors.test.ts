import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { JSException } from '../../src/index.js';
import { IN_PROCESS_ONLY, test } from '../support/hosting-models.js';
import { openPage, UNUSED_STATS } from '../support/page.js';

/** Settles `promise` and returns its rejection, failing when it resolves. */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => assert.fail(`expected a rejection, got ${JSON.stringify(value)}`),
    (error: unknown) => error,
  );
}

/** Runs `fn` and returns what it threw, failing when it returns. */
function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return assert.fail('expected a throw');
}

describe('JSException', () => {
  test('an async call that throws rejects with a JSException whose message and JS stack are separate', async (t) => {
    const { js, define } = await openPage(t);
    define('explode', function explode() {
      throw new Error('kaput');
    });
    const error = await rejectionOf(js.invokeAsync('explode'));
    assert.ok(error instanceof JSException);
    assert.ok(error instanceof Error);
    assert.equal(error.name, 'JSException');
    assert.equal(error.message, 'kaput');
    assert.match(error.jsStack ?? '', /^Error: kaput\n {4}at explode /);
  });

  test('a rejected promise is reported the same way', async (t) => {
    const { js, define } = await openPage(t);
    define('rejectLater', async function rejectLater() {
      await Promise.resolve();
      throw new TypeError('bad type');
    });
    const error = await rejectionOf(js.invokeAsync('rejectLater'));
    assert.ok(error instanceof JSException);
    assert.equal(error.message, 'bad type');
    assert.match(error.jsStack ?? '', /^TypeError: bad type\n {4}at rejectLater /);
  });

  test('a multi-line error message is kept whole, apart from the stack', async (t) => {
    const { js, define } = await openPage(t);
    define('explodeLines', () => {
      throw new Error('first line\nsecond line');
    });
    const error = await rejectionOf(js.invokeAsync('explodeLines'));
    assert.ok(error instanceof JSException);
    assert.equal(error.message, 'first line\nsecond line');
    assert.match(error.jsStack ?? '', /^Error: first line\nsecond line\n {4}at /);
  });

  test('a multi-line error message of a sync call is kept whole', IN_PROCESS_ONLY.syncCalls, async (t) => {
    const { js, define } = await openPage(t);
    define('explodeLines', () => {
      throw new Error('first line\nsecond line');
    });
    const syncError = thrownBy(() => js.invoke('explodeLines'));
    assert.ok(syncError instanceof JSException);
    assert.equal(syncError.message, 'first line\nsecond line');
  });

  test('a sync call that throws throws a JSException whose cause is the page’s own error', IN_PROCESS_ONLY.syncCalls, async (t) => {
    const { js, define } = await openPage(t);
    const original = new RangeError('too far');
    define('explode', () => {
      throw original;
    });
    const error = thrownBy(() => js.invoke('explode'));
    assert.ok(error instanceof JSException);
    assert.equal(error.message, 'too far');
    assert.equal(error.jsStack, original.stack);
    assert.equal(error.cause, original);
  });

  const nonErrors: [string, unknown, string][] = [
    ['a string', 'plain string', 'plain string'],
    ['null', null, 'null'],
    ['an object', { a: 1 }, '[object Object]'],
  ];
  for (const [what, thrown, message] of nonErrors) {
    test(`throwing ${what} gives the message ${JSON.stringify(message)} and no stack`, async (t) => {
      const { js, define } = await openPage(t);
      define('throwIt', () => {
        throw thrown;
      });
      const error = await rejectionOf(js.invokeAsync('throwIt'));
      assert.ok(error instanceof JSException);
      assert.equal(error.message, message);
      assert.equal(error.jsStack, undefined);
    });
  }

  test('a failed call does not disturb the calls around it', async (t) => {
    const { js, define } = await openPage(t);
    define('explode', () => {
      throw new Error('kaput');
    });
    define('fine', (x: number) => x);
    const results = await Promise.allSettled([js.invokeAsync('fine', 1), js.invokeAsync('explode'), js.invokeAsync('fine', 2)]);
    assert.deepEqual(
      results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message)),
      [1, 'kaput', 2],
    );
    assert.equal(js.stats().pendingCalls, 0);
  });
});

describe('the page’s error texts', () => {
  const cases: [string, string, 'invoke' | 'invokeConstructor' | 'getValue' | 'setValue', string][] = [
    ['a missing intermediate object', 'nope.fn', 'invoke', "Could not find 'nope.fn' ('nope' was undefined)."],
    ['a function used as an intermediate segment', 'Fn.ns.f', 'invoke', "Could not find 'Fn.ns.f' ('ns' was undefined)."],
    ['calling a value that is not a function', 'holder.value', 'invoke', "The value 'holder.value' is not a function."],
    ['calling a missing function', 'holder.missing', 'invoke', "The value 'holder.missing' is not a function."],
    ['constructing a value that is not a function', 'holder.value', 'invokeConstructor', "The value 'holder.value' is not a function."],
    ['reading a missing property', 'holder.missing', 'getValue', "The property 'holder.missing' is not defined or is not readable."],
    ['reading a setter-only property', 'holder.writeOnly', 'getValue', "The property 'holder.writeOnly' is not defined or is not readable."],
    ['writing a getter-only property', 'holder.readOnly', 'setValue', "The property 'holder.readOnly' is not writable."],
    ['writing a property of a frozen object', 'frozen.value', 'setValue', "The property 'frozen.value' is not writable."],
    ['adding a property to a frozen object', 'frozen.added', 'setValue', "The property 'frozen.added' is not writable."],
  ];

  function definePage(define: (name: string, value: unknown) => void): void {
    const Fn = Object.assign(function Fn() {}, { ns: { f: () => 1 } });
    define('Fn', Fn);
    define('holder', {
      value: 5,
      get readOnly() {
        return 1;
      },
      set writeOnly(_v: unknown) {},
    });
    define('frozen', Object.freeze({ value: 1 }));
  }

  const argsOf = (identifier: string, member: string) => (member === 'setValue' ? [identifier, 1] : [identifier]);

  for (const [what, identifier, member, message] of cases) {
    test(`${what}: "${message}"`, async (t) => {
      const { js, define } = await openPage(t);
      definePage(define);
      await assert.rejects((js as any)[`${member}Async`](...argsOf(identifier, member)), { name: 'JSException', message });
    });
  }

  test('sync calls get the same texts', IN_PROCESS_ONLY.syncCalls, async (t) => {
    const { js, define } = await openPage(t);
    definePage(define);
    for (const [, identifier, member, message] of cases) {
      assert.throws(() => (js as any)[member](...argsOf(identifier, member)), { name: 'JSException', message });
    }
  });

  const releasedMessage = (id: number) => `JS object instance with ID ${id} does not exist (has it been disposed?).`;
  const releasedArgumentMessage = (id: number) => `JS object instance with Id '${id}' does not exist. It may have been disposed.`;

  test('a call on an object the page has released: "JS object instance with ID n does not exist (has it been disposed?)."', async (t) => {
    const { js, define, DotNet } = await openPage(t);
    define('makeBox', () => ({ ping: () => 'pong' }));
    const ref = (await js.invokeObjectReferenceAsync('makeBox'))!;
    DotNet.disposeJSObjectReferenceById(ref.id); // page code lets go of the object behind the host's back
    await assert.rejects(ref.invokeAsync('ping'), { name: 'JSException', message: releasedMessage(ref.id) });
  });

  test('passing a reference the page has released: "JS object instance with Id \'n\' does not exist. It may have been disposed."', async (t) => {
    const { js, define, DotNet } = await openPage(t);
    define('makeBox', () => ({}));
    define('take', () => 'taken');
    const ref = (await js.invokeObjectReferenceAsync('makeBox'))!;
    DotNet.disposeJSObjectReferenceById(ref.id);
    await assert.rejects(js.invokeAsync('take', ref), { name: 'JSException', message: releasedArgumentMessage(ref.id) });
  });

  test('sync calls get the same texts for an object the page has released', IN_PROCESS_ONLY.syncCalls, async (t) => {
    const { js, define, DotNet } = await openPage(t);
    define('makeBox', () => ({ ping: () => 'pong' }));
    define('take', () => 'taken');
    const ref = js.invokeObjectReference('makeBox')!;
    DotNet.disposeJSObjectReferenceById(ref.id);
    assert.throws(() => ref.invoke('ping'), { name: 'JSException', message: releasedMessage(ref.id) });
    assert.throws(() => js.invoke('take', ref), { name: 'JSException', message: releasedArgumentMessage(ref.id) });
  });
});

describe('results the host cannot read', () => {
  const cases: [string, unknown, string, ErrorConstructor][] = [
    ['a marker with an extra property', { __jsObjectId: 1, extra: 2 }, 'Unexpected JSON property extra.', SyntaxError],
    [
      'a host stream marker',
      { __dotNetStream: 1 },
      'DotNetStreamReference cannot be supplied from JavaScript to .NET because the stream contents have already been transferred.',
      TypeError,
    ],
    [
      'a byte array marker the page sent no bytes for',
      { '__byte[]': 5 },
      "The byte array '5' was not received before the message that refers to it.",
      RangeError,
    ],
    [
      'an unknown host object id',
      { __dotNetObject: 42 },
      "There is no tracked object with id '42'. Perhaps the DotNetObjectReference instance was already disposed. (Parameter 'dotNetObjectId')",
      RangeError,
    ],
  ];
  /** Checks that `error` is the JSException a result the host cannot read gives, wrapping the reading error. */
  function assertReadingFailure(error: unknown, inner: string, type: ErrorConstructor): void {
    assert.ok(error instanceof JSException);
    assert.equal(error.message, `An exception occurred executing JS interop: ${inner}. See InnerException for more details.`);
    assert.ok(error.cause instanceof type);
    assert.equal((error.cause as Error).message, inner);
  }

  for (const [what, value, inner, type] of cases) {
    test(`${what} fails the call with a JSException whose cause is the reading error`, async (t) => {
      const { js, define } = await openPage(t);
      define('giveBad', () => value);
      assertReadingFailure(await rejectionOf(js.invokeAsync('giveBad')), inner, type);
      assert.equal(js.stats().pendingCalls, 0);
      assert.equal(js.stats().jsObjectReferences, 0);
    });
  }

  test('a sync call fails the same way for each of them', IN_PROCESS_ONLY.syncCalls, async (t) => {
    const { js, define } = await openPage(t);
    const results = cases.map(([, value]) => value);
    define('giveBad', (i: number) => results[i]);
    cases.forEach(([, , inner, type], i) => assertReadingFailure(thrownBy(() => js.invoke('giveBad', i)), inner, type));
    assert.equal(js.stats().jsObjectReferences, 0);
  });
});
