/*
 * Typed page calls are types only: the page's calls, typed by `TypedDotNet` and `HostObject`, are the official
 * package's calls, unchanged. The host module is test/fixtures/typed-host.ts; the compile-time checks are in
 * test/types/typed-page-calls.ts.
 */
import { describe } from 'node:test';
import assert from 'node:assert/strict';
import { HostObjectReference } from '../../src/index.js';
import type { HostObject, TypedDotNet } from '../../src/page.js';
import { Counter, registerShop, type Shop } from '../fixtures/typed-host.js';
import { IN_PROCESS_ONLY, test } from '../support/hosting-models.js';
import { openPage } from '../support/page.js';

describe('typed calls from the page', () => {
  test('TypedDotNet is the official namespace: static calls, results and host objects work unchanged', async (t) => {
    const page = await openPage(t);
    t.after(registerShop());
    const dotnet = page.DotNet as TypedDotNet<Shop>;
    assert.equal(dotnet, page.DotNet, 'the typed view is the same object');

    assert.equal(await dotnet.invokeMethodAsync('Shop', 'Price', 'tea', 2), 6);
    // The type says a Date arrives as its ISO string; so it does.
    assert.deepEqual(await dotnet.invokeMethodAsync('Shop', 'Stock', 'tea'), { item: 'tea', count: 12, checked: '1970-01-01T00:00:00.000Z' });

    const counter = await dotnet.invokeMethodAsync('Shop', 'Counter', 10);
    assert.ok(counter instanceof page.DotNet.DotNetObject, 'a typed host object is the package’s DotNetObject');
    assert.equal(await counter.invokeMethodAsync('increment', 5), 15);
    assert.equal(await counter.invokeMethodAsync('incrementLater', 1), 16);
    assert.equal(await dotnet.invokeMethodAsync('Shop', 'ReadCounter', counter), 16);

    const bumper = await dotnet.invokeMethodAsync('Shop', 'AliasedCounter');
    assert.equal(await bumper.invokeMethodAsync('Bump', 3), 3);
    counter.dispose();
    bumper.dispose();
  });

  test('a page function typed with HostObject<Counter> receives what the host sends', async (t) => {
    const page = await openPage(t);
    page.define('bump', (counter: HostObject<Counter, 'increment'>, by: number) => counter.invokeMethodAsync('increment', by));
    using reference = HostObjectReference.create(new Counter(), { invokable: ['increment'] });
    assert.equal(await page.js.invokeAsync<number>('bump', reference, 2), 2);
    assert.equal(await page.js.invokeAsync<number>('bump', reference, 3), 5);
    assert.equal(reference.value.count, 5);
  });

  test('typed sync calls are the official sync calls', IN_PROCESS_ONLY.pageSyncCalls, async (t) => {
    const page = await openPage(t);
    t.after(registerShop());
    const dotnet = page.DotNet as TypedDotNet<Shop>;
    assert.equal(dotnet.invokeMethod('Shop', 'Price', 'coffee', 1), 5);
    const counter = dotnet.invokeMethod('Shop', 'Counter', 1);
    assert.equal(counter.invokeMethod('increment', 1), 2);
    counter.dispose();
  });
});
