import { describe, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { JSInvokable, registerInvokables } from '../../src/index.js';
import { IN_PROCESS_ONLY, test } from '../support/hosting-models.js';
import { deferred, openPage } from '../support/page.js';

/** Static invokables are process-wide (like loaded assemblies): each test registers its own and removes it. */
function register(t: TestContext, assemblyName: string, source: Parameters<typeof registerInvokables>[1]): void {
  t.after(registerInvokables(assemblyName, source));
}

/**
 * The first line of the page's rejection: with detailed errors the host sends the error's
 * stack, which the page's Error carries as its message.
 */
async function rejectionLine(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    (value) => assert.fail(`expected a rejection, got ${JSON.stringify(value)}`),
    (e: unknown) => e,
  );
  assert.ok(error instanceof Error, 'the page rejects with an Error');
  return error.message.split('\n')[0]!;
}

const notInAssembly = (assembly: string, identifier: string) =>
  `The assembly '${assembly}' does not contain a public invokable method with [JSInvokableAttribute("${identifier}")]. ` +
  `On a jsinterop host, register it: registerInvokables('${assembly}', { ${/^[A-Za-z_$][\w$]*$/.test(identifier) ? identifier : `'${identifier}'`}() {…} }), ` +
  `or mark a static method of the class registered as '${assembly}' with @JSInvokable('${identifier}').`;

const noAssembly = (assembly: string, identifier: string) =>
  `There is no loaded assembly with the name '${assembly}'. On a jsinterop host, register the functions before the page calls them: registerInvokables('${assembly}', { ${identifier}() {…} }).`;

class MathService {
  static calls = 0;

  @JSInvokable()
  static Multiply(a: number, b: number): number {
    this.calls++;
    return a * b;
  }

  @JSInvokable('Half')
  static halve(x: number): number {
    return x / 2;
  }

  static notInvokable(): string {
    return 'hidden';
  }
}

const unreachableStatics = ['notInvokable', 'halve', 'constructor', 'toString', '__proto__', 'prototype', 'calls'];

describe('static invokables', () => {
  test('DotNet.invokeMethodAsync calls a function registered with registerInvokables', async (t) => {
    const { DotNet } = await openPage(t);
    register(t, 'Calc.A', { Sum: (...xs: number[]) => xs.reduce((a, b) => a + b, 0) });
    assert.equal(await DotNet.invokeMethodAsync('Calc.A', 'Sum', 1, 2, 3), 6);
  });

  test('DotNet.invokeMethod calls it synchronously', IN_PROCESS_ONLY.pageSyncCalls, async (t) => {
    const { DotNet } = await openPage(t);
    register(t, 'Calc.B', { Concat: (a: string, b: string) => a + b });
    assert.equal(DotNet.invokeMethod('Calc.B', 'Concat', 'x', 'y'), 'xy');
  });

  test('an async function is awaited by invokeMethodAsync', async (t) => {
    const { DotNet } = await openPage(t);
    register(t, 'Calc.C', {
      async Later(x: number) {
        await Promise.resolve();
        return x + 1;
      },
    });
    assert.equal(await DotNet.invokeMethodAsync('Calc.C', 'Later', 41), 42);
  });

  test('decorated static methods of a class are registered, with `this` bound to the class', async (t) => {
    const { DotNet } = await openPage(t);
    register(t, 'Calc.D', MathService);
    const before = MathService.calls;
    assert.equal(await DotNet.invokeMethodAsync('Calc.D', 'Multiply', 6, 7), 42);
    assert.equal(await DotNet.invokeMethodAsync('Calc.D', 'Half', 9), 4.5);
    assert.equal(MathService.calls, before + 1);
  });

  test('an undecorated static method, an unknown alias target and prototype names are not reachable', async (t) => {
    const { DotNet } = await openPage(t);
    register(t, 'Calc.E', MathService);
    for (const identifier of unreachableStatics) {
      assert.equal(await rejectionLine(DotNet.invokeMethodAsync('Calc.E', identifier)), notInAssembly('Calc.E', identifier));
    }
  });

  test('a void function gives null to the page, and the reply JSON is "null"', async (t) => {
    const page = await openPage(t);
    register(t, 'Calc.F', { Nothing: () => undefined });
    assert.equal(await page.DotNet.invokeMethodAsync('Calc.F', 'Nothing'), null);
    assert.deepEqual(page.calls('endInvokeDotNetFromJS'), [['1', true, 'null']]);
  });

  test('the page’s call arrives with the assembly name and a null object id', async (t) => {
    const page = await openPage(t);
    register(t, 'Calc.G', { Echo: (x: unknown) => x });
    assert.deepEqual(await page.DotNet.invokeMethodAsync('Calc.G', 'Echo', { a: [1] }), { a: [1] });
    assert.deepEqual(page.calls('beginInvokeDotNetFromJS'), [[1, 'Calc.G', 'Echo', null, '[{"a":[1]}]']]);
    assert.equal(page.js.stats().callsFromJS, 1);
  });

  test('stats() counts page-to-host calls while the host is still running them', async (t) => {
    const page = await openPage(t);
    const gate = deferred<string>();
    const started = deferred<void>();
    register(t, 'Calc.Q', {
      Wait: () => {
        started.resolve();
        return gate.promise;
      },
    });
    const call = page.DotNet.invokeMethodAsync('Calc.Q', 'Wait');
    await started.promise;
    assert.equal(page.js.stats().pendingCallsFromJS, 1);
    gate.resolve('opened');
    assert.equal(await call, 'opened');
    assert.equal(page.js.stats().pendingCallsFromJS, 0);
  });

  test('the function returned by registerInvokables unregisters them', async (t) => {
    const { DotNet } = await openPage(t);
    const unregister = registerInvokables('Calc.H', { Ping: () => 'pong' });
    assert.equal(await DotNet.invokeMethodAsync('Calc.H', 'Ping'), 'pong');
    unregister();
    assert.equal(await rejectionLine(DotNet.invokeMethodAsync('Calc.H', 'Ping')), noAssembly('Calc.H', 'Ping'));
  });

  test('registering the same identifier twice in one assembly fails', IN_PROCESS_ONLY.noPage, (t) => {
    register(t, 'Calc.I', { Ping: () => 'pong' });
    assert.throws(() => registerInvokables('Calc.I', { Ping: () => 'again' }), {
      message: "The assembly 'Calc.I' already has an invokable method 'Ping'; identifiers must be unique within an assembly.",
    });
  });

  test('an object without functions, or a class without decorated statics, registers nothing and fails', IN_PROCESS_ONLY.noPage, () => {
    assert.throws(() => registerInvokables('Calc.J', { value: 1 }), {
      name: 'TypeError',
      message: "registerInvokables('Calc.J'): found no invokable functions to register.",
    });
    assert.throws(() => registerInvokables('Calc.J', class Empty {}), { name: 'TypeError' });
  });
});

describe('errors of page-to-host calls', () => {
  test('an unknown assembly fails with Blazor’s text', async (t) => {
    const { DotNet } = await openPage(t);
    assert.equal(await rejectionLine(DotNet.invokeMethodAsync('Nowhere', 'Method')), noAssembly('Nowhere', 'Method'));
  });

  test('an unknown method fails with Blazor’s text', async (t) => {
    const { DotNet } = await openPage(t);
    register(t, 'Calc.K', { Known: () => 1 });
    assert.equal(await rejectionLine(DotNet.invokeMethodAsync('Calc.K', 'Unknown')), notInAssembly('Calc.K', 'Unknown'));
  });

  // Blazor validates with ArgumentException.ThrowIfNullOrWhiteSpace: the assembly first, then the identifier.
  const nullText = (parameter: string) => `TypeError: Value cannot be null. (Parameter '${parameter}')`;
  const blankText = (parameter: string) => `TypeError: The value cannot be an empty string or composed entirely of whitespace. (Parameter '${parameter}')`;

  test('a null or blank method identifier fails with Blazor’s null and blank texts', async (t) => {
    const { DotNet } = await openPage(t);
    register(t, 'Calc.N', { Known: () => 1 });
    assert.equal(await rejectionLine(DotNet.invokeMethodAsync('Calc.N', null as unknown as string)), nullText('methodIdentifier'));
    assert.equal(await rejectionLine(DotNet.invokeMethodAsync('Calc.N', '')), blankText('methodIdentifier'));
    assert.equal(await rejectionLine(DotNet.invokeMethodAsync('Calc.N', ' \t')), blankText('methodIdentifier'));
  });

  test('a blank assembly name fails with Blazor’s text, checked before the identifier', async (t) => {
    const { DotNet } = await openPage(t);
    assert.equal(await rejectionLine(DotNet.invokeMethodAsync(' ', null as unknown as string)), blankText('assemblyKey.AssemblyName'));
    assert.equal(await rejectionLine(DotNet.invokeMethodAsync('', 'Method')), blankText('assemblyKey.AssemblyName'));
  });

  test('fewer arguments than parameters fail; surplus arguments are ignored', async (t) => {
    const { DotNet } = await openPage(t);
    register(t, 'Calc.L', { Add: (a: number, b: number) => a + b });
    assert.equal(await rejectionLine(DotNet.invokeMethodAsync('Calc.L', 'Add', 1)), "TypeError: The call to 'Add' expects '2' parameters, but received '1'.");
    assert.equal(await DotNet.invokeMethodAsync('Calc.L', 'Add', 1, 2, 3), 3);
  });

  test('DotNet.invokeMethod fails with the same texts, thrown', IN_PROCESS_ONLY.pageSyncCalls, async (t) => {
    const { DotNet } = await openPage(t);
    register(t, 'Calc.E', MathService);
    register(t, 'Calc.L', { Add: (a: number, b: number) => a + b, Nothing: () => undefined });
    assert.throws(() => DotNet.invokeMethod('Nowhere', 'Method'), { message: noAssembly('Nowhere', 'Method') });
    for (const identifier of [...unreachableStatics, 'Unknown']) {
      assert.throws(() => DotNet.invokeMethod('Calc.E', identifier), { message: notInAssembly('Calc.E', identifier) });
    }
    assert.throws(() => DotNet.invokeMethod('Calc.L', 'Add', 1), { message: "The call to 'Add' expects '2' parameters, but received '1'." });
    assert.equal(DotNet.invokeMethod('Calc.L', 'Add', 1, 2, 3), 3);
    assert.equal(DotNet.invokeMethod('Calc.L', 'Nothing'), null);
  });

  test('a sync call of an async host function fails with a clear error instead of a promise', IN_PROCESS_ONLY.pageSyncCalls, async (t) => {
    const { DotNet } = await openPage(t);
    register(t, 'Calc.M', { Slow: async () => 1 });
    assert.throws(() => DotNet.invokeMethod('Calc.M', 'Slow'), {
      message: "'Slow' on assembly 'Calc.M' returned a Promise, which a synchronous call cannot wait for. Call it with invokeMethodAsync instead.",
    });
  });

  test('a rejected host promise reaches the page as its error text', async (t) => {
    const { DotNet } = await openPage(t);
    register(t, 'Calc.N', {
      async Fails() {
        throw new RangeError('out of range');
      },
    });
    const error: Error = await DotNet.invokeMethodAsync('Calc.N', 'Fails').then(
      () => assert.fail('should reject'),
      (e: Error) => e,
    );
    assert.equal(error.message.split('\n')[0], 'RangeError: out of range');
    assert.match(error.message, /\n {4}at Object\.Fails /);
  });

  test('the page shows one "Error:" prefix, as with Blazor, then Blazor’s text and the jsinterop hint', async (t) => {
    const { DotNet } = await openPage(t);
    register(t, 'Shop.Known', { Other: () => 1 });
    register(t, 'Calc.R', {
      Fails() {
        throw new Error('plain failure');
      },
    });
    const shown = async (promise: Promise<unknown>) => String(await promise.then(() => assert.fail('should reject'), (e: unknown) => e)).split('\n')[0];
    assert.equal(
      await shown(DotNet.invokeMethodAsync('Shop', 'Price')),
      "Error: There is no loaded assembly with the name 'Shop'. On a jsinterop host, register the functions before the page calls them: registerInvokables('Shop', { Price() {…} }).",
    );
    assert.equal(
      await shown(DotNet.invokeMethodAsync('Shop.Known', 'Price')),
      'Error: The assembly \'Shop.Known\' does not contain a public invokable method with [JSInvokableAttribute("Price")]. ' +
        "On a jsinterop host, register it: registerInvokables('Shop.Known', { Price() {…} }), or mark a static method of the class registered as 'Shop.Known' with @JSInvokable('Price').",
    );
    // A host function's own plain Error: one prefix too (its stack starts "Error: plain failure").
    assert.equal(await shown(DotNet.invokeMethodAsync('Calc.R', 'Fails')), 'Error: plain failure');
  });

  test('without detailed errors the hint is not sent either: the whole text is redacted', async (t) => {
    const { DotNet } = await openPage(t, { detailedErrors: false });
    await assert.rejects(DotNet.invokeMethodAsync('Shop', 'Price'), {
      message: "There was an exception invoking 'Price' on assembly 'Shop'. For more details turn on detailed exceptions in 'CircuitOptions.DetailedErrors'",
    });
  });

  test('without detailed errors a static failure names the method and the assembly', async (t) => {
    const { DotNet } = await openPage(t, { detailedErrors: false });
    register(t, 'Calc.O', {
      Fails() {
        throw new Error('secret detail');
      },
    });
    await assert.rejects(DotNet.invokeMethodAsync('Calc.O', 'Fails'), {
      message: "There was an exception invoking 'Fails' on assembly 'Calc.O'. For more details turn on detailed exceptions in 'CircuitOptions.DetailedErrors'",
    });
  });

  test('a host result JSON cannot represent fails the page’s call', async (t) => {
    const { DotNet } = await openPage(t);
    register(t, 'Calc.P', { Big: () => ({ n: 1n }) });
    const error: Error = await DotNet.invokeMethodAsync('Calc.P', 'Big').then(
      () => assert.fail('should reject'),
      (e: Error) => e,
    );
    assert.equal(
      error.message.split('\n')[0],
      "TypeError: Cannot send the result of 'Big' to the page: result.n is a BigInt (1n), which JSON cannot represent. Convert it to a number (Number(value)) or, to keep every digit, a string (String(value)).",
    );
  });
});
