import { describe, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { HostObjectReference, JSInvokable, ObjectDisposedError } from '../../src/index.js';
import { IN_PROCESS_ONLY, test } from '../support/hosting-models.js';
import { roundTrip, openPage, openWirePage, type Page } from '../support/page.js';

class Greeter {
  constructor(readonly name: string) {}

  @JSInvokable()
  hello(who: string): string {
    return `${this.name} greets ${who}`;
  }

  @JSInvokable('Shout')
  shout(text: string): string {
    return text.toUpperCase();
  }

  @JSInvokable('First')
  @JSInvokable('Second')
  twice(): string {
    return `twice from ${this.name}`;
  }

  @JSInvokable()
  async later(x: number): Promise<number> {
    await Promise.resolve();
    return x * 2;
  }

  @JSInvokable()
  fail(): never {
    throw new Error('greeter failed');
  }

  @JSInvokable()
  isSameReference(other: unknown): boolean {
    return other === current;
  }

  secret(): string {
    return 'not for the page';
  }
}

/** The reference the current test sent (for `isSameReference`). */
let current: unknown;

/** Makes `DotNetObject` instances the page received available to the test. */
function receiveOnPage(page: Page): { received: any[] } {
  const received: any[] = [];
  page.define('receive', (value: unknown) => {
    received.push(value);
  });
  return { received };
}

const denied = (type: string, identifier: string) =>
  `The type '${type}' does not contain a public invokable method with [JSInvokableAttribute("${identifier}")]. ` +
  `On a jsinterop host, mark the method with @JSInvokable() (or @JSInvokable('${identifier}') on a method named otherwise), ` +
  `or list it when creating the reference: HostObjectReference.create(obj, { invokable: ['${identifier}'] }).`;

/** The page sees the host's error as `Error(text)`; with detailed errors, text is the error's stack. */
function firstLine(error: unknown): string {
  assert.ok(error instanceof Error, 'the page rejects with an Error');
  return error.message.split('\n')[0]!;
}

describe('host objects in arguments', () => {
  test('the page receives a DotNetObject of its own package instance, written as {"__dotNetObject": id}', async (t) => {
    const page = await openWirePage(t);
    const { received } = receiveOnPage(page);
    using ref = HostObjectReference.create(new Greeter('Ann'));
    await page.js.invokeVoidAsync('receive', ref);
    assert.ok(received[0] instanceof page.DotNet.DotNetObject);
    assert.equal(ref.id, 1);
    assert.equal(page.calls('beginInvokeJSFromDotNet')[0]![2], '[{"__dotNetObject":1}]');
  });

  test('invokeMethodAsync calls a decorated method with `this` bound to the object', async (t) => {
    const page = await openPage(t);
    const { received } = receiveOnPage(page);
    using ref = HostObjectReference.create(new Greeter('Ann'));
    await page.js.invokeVoidAsync('receive', ref);
    assert.equal(await received[0].invokeMethodAsync('hello', 'Bob'), 'Ann greets Bob');
  });

  test('invokeMethod calls a decorated method synchronously', IN_PROCESS_ONLY.pageSyncCalls, async (t) => {
    const page = await openPage(t);
    const { received } = receiveOnPage(page);
    using ref = HostObjectReference.create(new Greeter('Ann'));
    page.js.invokeVoid('receive', ref);
    assert.equal(received[0].invokeMethod('hello', 'Cy'), 'Ann greets Cy');
  });

  test('an async host method is awaited for invokeMethodAsync', async (t) => {
    const page = await openPage(t);
    const { received } = receiveOnPage(page);
    using ref = HostObjectReference.create(new Greeter('Ann'));
    await page.js.invokeVoidAsync('receive', ref);
    assert.equal(await received[0].invokeMethodAsync('later', 21), 42);
  });

  test('the same reference sent twice keeps its id; two references to one object get two ids', async (t) => {
    const page = await openPage(t);
    receiveOnPage(page);
    const greeter = new Greeter('Ann');
    using first = HostObjectReference.create(greeter);
    using second = HostObjectReference.create(greeter);
    assert.equal(first.id, 0, 'no id before the reference is first sent');
    await page.js.invokeVoidAsync('receive', first);
    await page.js.invokeVoidAsync('receive', first);
    await page.js.invokeVoidAsync('receive', second);
    assert.deepEqual([first.id, second.id], [1, 2]);
    assert.equal(page.js.stats().hostObjectReferences, 2);
  });

  test('a DotNetObject the page sends back arrives as the same HostObjectReference', async (t) => {
    const page = await openPage(t);
    page.define('echo', (value: unknown) => value);
    page.define('passBack', (o: any) => o.invokeMethodAsync('isSameReference', o));
    using ref = HostObjectReference.create(new Greeter('Ann'));
    current = ref;
    assert.equal(await page.js.invokeAsync('echo', ref), ref);
    assert.equal((await page.js.invokeAsync<{ nested: unknown }>('echo', { nested: ref })).nested, ref);
    assert.equal(await page.js.invokeAsync('passBack', ref), true);
  });

  test('a DotNetObject in a sync result arrives as the same HostObjectReference', IN_PROCESS_ONLY.syncCalls, async (t) => {
    const page = await openPage(t);
    page.define('echo', (value: unknown) => value);
    using ref = HostObjectReference.create(new Greeter('Ann'));
    assert.equal(page.js.invoke<{ nested: unknown }>('echo', { nested: ref }).nested, ref);
  });
});

class Factory {
  @JSInvokable()
  make(name: string) {
    return HostObjectReference.create(new Greeter(name));
  }
}

describe('host objects in results', () => {
  test('a host object returned by an invokable reaches the page as a DotNetObject that works', async (t) => {
    const page = await openPage(t);
    const { received } = receiveOnPage(page);
    using factory = HostObjectReference.create(new Factory());
    await page.js.invokeVoidAsync('receive', factory);
    const made = await received[0].invokeMethodAsync('make', 'Dee');
    assert.ok(made instanceof page.DotNet.DotNetObject);
    assert.equal(await made.invokeMethodAsync('hello', 'Eve'), 'Dee greets Eve');
    assert.equal(page.js.stats().hostObjectReferences, 2);
    made.dispose();
    await roundTrip(page);
    assert.equal(page.js.stats().hostObjectReferences, 1);
  });

  test('a host object returned to a sync page call works synchronously', IN_PROCESS_ONLY.pageSyncCalls, async (t) => {
    const page = await openPage(t);
    const { received } = receiveOnPage(page);
    using factory = HostObjectReference.create(new Factory());
    page.js.invokeVoid('receive', factory);
    const made = received[0].invokeMethod('make', 'Fay');
    assert.ok(made instanceof page.DotNet.DotNetObject);
    assert.equal(made.invokeMethod('hello', 'Gus'), 'Fay greets Gus');
    assert.equal(page.js.stats().hostObjectReferences, 2);
    made.dispose();
    assert.equal(page.js.stats().hostObjectReferences, 1);
  });
});

/** What the page's invokeMethodAsync rejected with; the caller checks its first line. */
function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => assert.fail(`expected a rejection, got ${JSON.stringify(value)}`),
    (error: unknown) => error,
  );
}

const deniedNames = ['secret', 'constructor', '__proto__', 'toString', 'hasOwnProperty', 'name'];

describe('which methods the page may call', () => {
  test('@JSInvokable("Alias") exposes the method under the alias only', async (t) => {
    const page = await openPage(t);
    const { received } = receiveOnPage(page);
    using ref = HostObjectReference.create(new Greeter('Ann'));
    await page.js.invokeVoidAsync('receive', ref);
    assert.equal(await received[0].invokeMethodAsync('Shout', 'hey'), 'HEY');
    assert.equal(firstLine(await rejectionOf(received[0].invokeMethodAsync('shout', 'hey'))), denied('Greeter', 'shout'));
  });

  test('two @JSInvokable decorators give two aliases', async (t) => {
    const page = await openPage(t);
    const { received } = receiveOnPage(page);
    using ref = HostObjectReference.create(new Greeter('Ann'));
    await page.js.invokeVoidAsync('receive', ref);
    assert.equal(await received[0].invokeMethodAsync('First'), 'twice from Ann');
    assert.equal(await received[0].invokeMethodAsync('Second'), 'twice from Ann');
    assert.equal(firstLine(await rejectionOf(received[0].invokeMethodAsync('twice'))), denied('Greeter', 'twice'));
  });

  test('{ invokable: { Alias: "method" } } and { invokable: ["method"] } expose undecorated methods', async (t) => {
    const page = await openPage(t);
    const { received } = receiveOnPage(page);
    const counter = {
      count: 0,
      bump(by: number) {
        this.count += by;
        return this.count;
      },
      peek() {
        return this.count;
      },
    };
    using aliased = HostObjectReference.create(counter, { invokable: { Increment: 'bump' } });
    using listed = HostObjectReference.create(counter, { invokable: ['peek'] });
    await page.js.invokeVoidAsync('receive', aliased);
    await page.js.invokeVoidAsync('receive', listed);
    assert.equal(await received[0].invokeMethodAsync('Increment', 2), 2);
    assert.equal(await received[1].invokeMethodAsync('peek'), 2);
    assert.equal(firstLine(await rejectionOf(received[0].invokeMethodAsync('bump', 1))), denied('Object', 'bump'));
    assert.equal(firstLine(await rejectionOf(received[1].invokeMethodAsync('bump', 1))), denied('Object', 'bump'));
  });

  test('listing something that is not a method fails when the reference is created', IN_PROCESS_ONLY.noPage, () => {
    assert.throws(() => HostObjectReference.create({ x: 1 }, { invokable: ['x'] }), {
      name: 'TypeError',
      message: "HostObjectReference.create: 'x' is not a method of the object, so it cannot be invokable.",
    });
  });

  for (const identifier of deniedNames) {
    test(`"${identifier}" is denied with Blazor’s "does not contain a public invokable method" text`, async (t) => {
      const page = await openPage(t);
      const { received } = receiveOnPage(page);
      using ref = HostObjectReference.create(new Greeter('Ann'));
      await page.js.invokeVoidAsync('receive', ref);
      assert.equal(firstLine(await rejectionOf(received[0].invokeMethodAsync(identifier))), denied('Greeter', identifier));
    });
  }

  test('the page shows one "Error:" prefix, then Blazor’s text and how to make the method invokable', async (t) => {
    const page = await openPage(t);
    const { received } = receiveOnPage(page);
    using ref = HostObjectReference.create(new Greeter('Ann'));
    await page.js.invokeVoidAsync('receive', ref);
    const error = await rejectionOf(received[0].invokeMethodAsync('secret'));
    assert.equal(
      String(error).split('\n')[0],
      'Error: The type \'Greeter\' does not contain a public invokable method with [JSInvokableAttribute("secret")]. ' +
        "On a jsinterop host, mark the method with @JSInvokable() (or @JSInvokable('secret') on a method named otherwise), " +
        "or list it when creating the reference: HostObjectReference.create(obj, { invokable: ['secret'] }).",
    );
  });

  test('without detailed errors the page gets Blazor’s redacted text instead', async (t) => {
    const page = await openPage(t, { detailedErrors: false });
    const { received } = receiveOnPage(page);
    using ref = HostObjectReference.create(new Greeter('Ann'));
    await page.js.invokeVoidAsync('receive', ref);
    const redacted = (method: string) =>
      `There was an exception invoking '${method}'. For more details turn on detailed exceptions in 'CircuitOptions.DetailedErrors'`;
    await assert.rejects(received[0].invokeMethodAsync('secret'), { message: redacted('secret') });
    await assert.rejects(received[0].invokeMethodAsync('fail'), { message: redacted('fail') });
  });

  test('an exception in a host method reaches the page with its message and stack', async (t) => {
    const page = await openPage(t);
    const { received } = receiveOnPage(page);
    using ref = HostObjectReference.create(new Greeter('Ann'));
    await page.js.invokeVoidAsync('receive', ref);
    const error = await rejectionOf(received[0].invokeMethodAsync('fail'));
    assert.equal(firstLine(error), 'greeter failed');
    assert.match((error as Error).message, /\n {4}at Greeter\.fail /);
  });

  test('fewer arguments than parameters fail with Blazor’s text', async (t) => {
    const page = await openPage(t);
    const { received } = receiveOnPage(page);
    using ref = HostObjectReference.create(new Greeter('Ann'));
    await page.js.invokeVoidAsync('receive', ref);
    const expected = "The call to 'hello' expects '1' parameters, but received '0'.";
    assert.equal(firstLine(await rejectionOf(received[0].invokeMethodAsync('hello'))), `TypeError: ${expected}`);
  });
});

describe('which methods the page may call synchronously', () => {
  /** A page holding a DotNetObject for a new Greeter, sent through a sync call. */
  async function greeterOnPage(t: TestContext) {
    const page = await openPage(t);
    const { received } = receiveOnPage(page);
    const ref = HostObjectReference.create(new Greeter('Ann'));
    t.after(() => ref.dispose());
    page.js.invokeVoid('receive', ref);
    return { page, ref, greeter: received[0] };
  }

  test('denied and aliased-away names get the same texts from invokeMethod', IN_PROCESS_ONLY.pageSyncCalls, async (t) => {
    const { greeter } = await greeterOnPage(t);
    for (const identifier of ['shout', 'twice', ...deniedNames]) {
      assert.throws(() => greeter.invokeMethod(identifier), { name: 'Error', message: denied('Greeter', identifier) });
    }
    assert.equal(greeter.invokeMethod('First'), 'twice from Ann');
  });

  test('an exception in a host method is thrown by invokeMethod with its message', IN_PROCESS_ONLY.pageSyncCalls, async (t) => {
    const { greeter } = await greeterOnPage(t);
    assert.throws(() => greeter.invokeMethod('fail'), { name: 'Error', message: 'greeter failed' });
  });

  test('fewer arguments than parameters fail invokeMethod with Blazor’s text', IN_PROCESS_ONLY.pageSyncCalls, async (t) => {
    const { greeter } = await greeterOnPage(t);
    assert.throws(() => greeter.invokeMethod('hello'), { message: "The call to 'hello' expects '1' parameters, but received '0'." });
  });

  test('a sync call of an async host method fails clearly instead of returning a promise', IN_PROCESS_ONLY.pageSyncCalls, async (t) => {
    const { greeter } = await greeterOnPage(t);
    assert.throws(() => greeter.invokeMethod('later', 1), {
      message: "'later' returned a Promise, which a synchronous call cannot wait for. Call it with invokeMethodAsync instead.",
    });
  });

  // The package refuses this itself in invokeMethodAsync, so only the sync path reaches the host's check.
  test('an instance call that names an assembly fails with Blazor’s text', IN_PROCESS_ONLY.pageSyncCalls, async (t) => {
    const { page, ref } = await greeterOnPage(t);
    assert.throws(() => page.dispatcher.invokeDotNetMethod('SomeAssembly', 'hello', ref.id, ['x']), {
      message: "For instance method calls, 'assemblyName' should be null. Value received: 'SomeAssembly'.",
    });
  });

  test('an instance call with a null or blank identifier fails with Blazor’s texts', IN_PROCESS_ONLY.pageSyncCalls, async (t) => {
    const { greeter } = await greeterOnPage(t);
    await assert.rejects(greeter.invokeMethodAsync(null as unknown as string), { message: /^TypeError: Value cannot be null\. \(Parameter 'methodIdentifier'\)/ });
    await assert.rejects(greeter.invokeMethodAsync(' '), {
      message: /^TypeError: The value cannot be an empty string or composed entirely of whitespace\. \(Parameter 'methodIdentifier'\)/,
    });
  });

  test('a released object fails invokeMethod with Blazor’s "There is no tracked object with id" text', IN_PROCESS_ONLY.pageSyncCalls, async (t) => {
    const { greeter } = await greeterOnPage(t);
    greeter.dispose();
    assert.throws(() => greeter.invokeMethod('hello', 'x'), {
      message: "There is no tracked object with id '1'. Perhaps the DotNetObjectReference instance was already disposed. (Parameter 'dotNetObjectId')",
    });
  });
});

const untracked = (id: number) => `There is no tracked object with id '${id}'. Perhaps the DotNetObjectReference instance was already disposed. (Parameter 'dotNetObjectId')`;

describe('lifetime of host objects', () => {
  test('dispose() on the page sends __Dispose, which releases the object on the host', async (t) => {
    const page = await openPage(t);
    const { received } = receiveOnPage(page);
    const ref = HostObjectReference.create(new Greeter('Ann'));
    await page.js.invokeVoidAsync('receive', ref);
    assert.equal(page.js.stats().hostObjectReferences, 1);
    received[0].dispose();
    await roundTrip(page);
    assert.deepEqual(page.calls('beginInvokeDotNetFromJS').at(-1), [1, null, '__Dispose', 1, 'null']);
    assert.deepEqual(page.calls('endInvokeDotNetFromJS').at(-1), ['1', true, 'null']);
    assert.equal(page.js.stats().hostObjectReferences, 0);
    assert.equal(ref.disposed, true);
    assert.throws(() => ref.value, ObjectDisposedError);
  });

  test('a call on a released object fails with Blazor’s "There is no tracked object with id" text', async (t) => {
    const page = await openPage(t);
    const { received } = receiveOnPage(page);
    const ref = HostObjectReference.create(new Greeter('Ann'));
    await page.js.invokeVoidAsync('receive', ref);
    received[0].dispose();
    assert.equal(firstLine(await rejectionOf(received[0].invokeMethodAsync('hello', 'x'))), `RangeError: ${untracked(1)}`);
  });

  test('disposing on the host releases the object; the page’s next call fails', async (t) => {
    const page = await openPage(t);
    const { received } = receiveOnPage(page);
    const ref = HostObjectReference.create(new Greeter('Ann'));
    await page.js.invokeVoidAsync('receive', ref);
    ref.dispose();
    ref.dispose();
    assert.equal(page.js.stats().hostObjectReferences, 0);
    assert.equal(firstLine(await rejectionOf(received[0].invokeMethodAsync('hello', 'x'))), `RangeError: ${untracked(1)}`);
  });

  test('a disposed reference cannot be sent to the page', async (t) => {
    const page = await openPage(t);
    page.define('takeArg', () => undefined);
    const ref = HostObjectReference.create(new Greeter('Ann'));
    ref.dispose();
    await assert.rejects(page.js.invokeVoidAsync('takeArg', ref), ObjectDisposedError);
    assert.equal(page.js.stats().callsToJS, 0);
  });

  test('an id the host never issued fails with the same text', async (t) => {
    const page = await openPage(t);
    const { received } = receiveOnPage(page);
    // A plain object with the marker key is not a host object to the host, so it is sent as is
    // and the page revives it to a DotNetObject with an id the host does not know.
    await page.js.invokeVoidAsync('receive', { __dotNetObject: 999 });
    assert.ok(received[0] instanceof page.DotNet.DotNetObject);
    assert.equal(firstLine(await rejectionOf(received[0].invokeMethodAsync('hello', 'x'))), `RangeError: ${untracked(999)}`);
  });

  const trackedElsewhere =
    'HostObjectReference is already being tracked by a different instance of JSRuntime. A common cause is caching an instance of HostObjectReference globally. Consider creating instances of HostObjectReference at the JSInterop callsite.';

  test('a reference tracked by one runtime cannot be sent through another', async (t) => {
    const first = await openPage(t);
    const second = await openPage(t);
    receiveOnPage(first);
    second.define('receive2', () => undefined);
    using ref = HostObjectReference.create(new Greeter('Ann'));
    await first.js.invokeVoidAsync('receive', ref);
    await assert.rejects(second.js.invokeVoidAsync('receive2', ref), { message: trackedElsewhere });
    assert.equal(second.js.stats().callsToJS, 0);
    assert.equal(second.js.stats().hostObjectReferences, 0);
  });

  test('a reference tracked by one runtime cannot be sent through another’s sync call', IN_PROCESS_ONLY.syncCalls, async (t) => {
    const first = await openPage(t);
    const second = await openPage(t);
    receiveOnPage(first);
    second.define('receive2', () => undefined);
    using ref = HostObjectReference.create(new Greeter('Ann'));
    first.js.invokeVoid('receive', ref);
    assert.throws(() => second.js.invokeVoid('receive2', ref), { message: trackedElsewhere });
    assert.equal(second.js.stats().callsToJS, 0);
  });

  test('maxHostObjectReferences bounds how many host objects the page may hold at once', async (t) => {
    const page = await openPage(t, { maxHostObjectReferences: 2 });
    const { received } = receiveOnPage(page);
    const refs = [0, 1, 2].map((i) => HostObjectReference.create(new Greeter(`G${i}`)));
    await page.js.invokeVoidAsync('receive', refs[0]);
    await page.js.invokeVoidAsync('receive', refs[1]);
    const calls = page.js.stats().callsToJS;
    await assert.rejects(page.js.invokeVoidAsync('receive', refs[2]), {
      name: 'RangeError',
      message: 'The page already holds 2 host object references, the most this runtime allows; dispose some before sending more.',
    });
    assert.equal(page.js.stats().callsToJS, calls);
    assert.equal(refs[2]!.id, 0, 'the refused reference stays untracked');
    received[0].dispose();
    await roundTrip(page);
    await page.js.invokeVoidAsync('receive', refs[2]);
    assert.equal(await received[2].invokeMethodAsync('hello', 'x'), 'G2 greets x');
    for (const ref of refs) ref.dispose();
  });

  test('create() refuses values that are not objects', IN_PROCESS_ONLY.noPage, () => {
    assert.throws(() => HostObjectReference.create(null as unknown as object), {
      name: 'TypeError',
      message: "HostObjectReference.create needs an object. (Parameter 'value')",
    });
  });
});
