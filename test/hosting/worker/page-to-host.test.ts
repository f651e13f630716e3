/*
 * Page-to-host calls into a Worker host: static invokables, host objects and their
 * DotNetObject on the page, callbacks during a host call, errors, and the sync call the page
 * must not make.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startWorkerHost } from './support.js';

describe('page to host calls into a Worker', () => {
  test('static invokables: results, promises, and failures with the host message', async (t) => {
    const page = await startWorkerHost(t);
    assert.equal(await page.call('Add', 2, 3), 5);
    assert.equal(await page.call('AddAsync', 4, 5), 9);
    await assert.rejects(page.call('Fail'), /host failure/);
    await assert.rejects(page.call('NoSuchMethod'), (error: Error) => {
      // What the page shows: one "Error:" prefix, Blazor's text, then what to do on a jsinterop host.
      assert.equal(
        String(error).split('\n')[0],
        'Error: The assembly \'WorkerTests\' does not contain a public invokable method with [JSInvokableAttribute("NoSuchMethod")]. ' +
          "On a jsinterop host, register it: registerInvokables('WorkerTests', { NoSuchMethod() {…} }), or mark a static method of the class registered as 'WorkerTests' with @JSInvokable('NoSuchMethod').",
      );
      return true;
    });
  });

  test('a host object returned to the page is called with DotNetObject.invokeMethodAsync and released by dispose()', async (t) => {
    const page = await startWorkerHost(t);
    const counter = await page.call('MakeCounter', 10);
    assert.ok(counter instanceof page.DotNet.DotNetObject);
    assert.equal(await counter.invokeMethodAsync('Increment', 5), 15);
    assert.equal(await counter.invokeMethodAsync('Increment'), 16);
    await assert.rejects(counter.invokeMethodAsync('fail'), /counter failure/);
    assert.equal((await page.call('Stats')).hostObjectReferences, 1);
    counter.dispose();
    await assert.rejects(counter.invokeMethodAsync('Increment', 1), /There is no tracked object with id/);
    assert.equal((await page.call('Stats')).hostObjectReferences, 0);
  });

  test('a host object passed to a page function calls back into the host during the call', async (t) => {
    const page = await startWorkerHost(t);
    page.define('wtUseHostObject', async (reference: any) => {
      const first = await reference.invokeMethodAsync('Add', 2);
      const second = await reference.invokeMethodAsync('Add', 3);
      return [first, second];
    });
    assert.deepEqual(await page.run('hostObjectArgument'), { result: [2, 5], total: 5, stats: 1, after: 0 });
  });

  test('a synchronous page-to-host call fails at once and says to use invokeMethodAsync', async (t) => {
    const page = await startWorkerHost(t);
    await page.host.ready;
    assert.throws(() => page.DotNet.invokeMethod('WorkerTests', 'Add', 1, 2), /Cannot call 'Add' on 'WorkerTests' synchronously.*Use invokeMethodAsync instead/);
    const counter = await page.call('MakeCounter', 1);
    assert.throws(() => counter.invokeMethod('Increment', 1), /Cannot call 'Increment' synchronously.*Use invokeMethodAsync instead/);
  });
});
