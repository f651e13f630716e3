/*
 * A page attached to a Worker takes the direct path (src/page/direct-calls.ts) for host calls
 * without markers or with only the package's own, async and sync, once its chunk has loaded; calls
 * with the glue's markers and a page attached with `directCalls: false` keep the package's
 * dispatcher, with the same results. The
 * path itself is proven against the dispatcher in test/hosting/in-process/direct-calls.test.ts.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { startWorkerHost } from './support.js';

/** The page functions the host's `directPath` scenario calls (pages share the global object in Node). */
function definePageFunctions(t: TestContext): void {
  const g = globalThis as Record<string, unknown>;
  g.directCallsStack = () => new Error('probe').stack;
  g.directCallsResult = () => ({ when: new Date(0), nan: NaN, none: undefined, list: [1, , 3], bytes: new Uint8Array(2).fill(9) });
  t.after(() => void (delete g.directCallsStack, delete g.directCallsResult));
}

async function pathsSeen(t: TestContext, directCalls?: boolean): Promise<{ async: string; sync: string; packageMarker: string; marker: string; result: unknown }> {
  const page = await startWorkerHost(t, { page: directCalls === undefined ? {} : { directCalls } });
  return page.run('directPath');
}

test("a Worker page takes the direct path for plain calls and the package's markers, async and sync, and the dispatcher for the glue's markers", async (t) => {
  definePageFunctions(t);
  const seen = await pathsSeen(t);
  assert.deepEqual({ ...seen, result: undefined }, { async: 'direct', sync: 'direct', packageMarker: 'direct', marker: 'dispatcher', result: undefined });
});

test('directCalls: false keeps every call on the dispatcher, with the same results', async (t) => {
  definePageFunctions(t);
  const direct = await pathsSeen(t);
  const official = await pathsSeen(t, false);
  assert.deepEqual({ ...official, result: undefined }, { async: 'dispatcher', sync: 'dispatcher', packageMarker: 'dispatcher', marker: 'dispatcher', result: undefined });
  assert.deepEqual(direct.result, official.result);
  assert.deepEqual((direct.result as { bytes: Uint8Array }).bytes, new Uint8Array(2).fill(9));
});
