/*
 * The page of a server circuit takes the direct path (src/page/direct-calls.ts, loaded as its own
 * chunk once the channel exists) for host calls without markers or with only the package's own,
 * and the package's dispatcher for the others; `directCalls: false` keeps every call on the dispatcher. Either way the host gets the
 * same results: the differential test in test/hosting/in-process/direct-calls.test.ts proves the
 * path itself; this checks that a page on a WebSocket circuit uses it, and that what it writes
 * (byte arrays sent apart, markers, values JSON changes) crosses the circuit the same.
 */
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { HostObjectReference, pageAbortSignal } from '../../../src/index.js';
import { definePageGlobals, openPage, startServer } from './server-support.js';
import type { IJSRuntime } from '../../../src/index.js';

/** Which path ran the page function, read off its own stack (the direct path's frame is `callPage`). */
async function pathOfNextCall(js: IJSRuntime): Promise<'direct' | 'dispatcher'> {
  const stack = await js.invokeAsync<string>('directCallsStack');
  return /at callPage /.test(stack) ? 'direct' : 'dispatcher';
}

/** Calls until the direct path's chunk has loaded (each call is a round trip; the import settles within a few). */
async function untilDirect(js: IJSRuntime): Promise<void> {
  for (let i = 0; i < 1000; i++) if ((await pathOfNextCall(js)) === 'direct') return;
  assert.fail('no call took the direct path in 1,000 round trips');
}

function pageFunctions(t: TestContext): void {
  definePageGlobals(t, {
    directCallsStack: () => new Error('probe').stack,
    directCallsResult: (bytes: number) => ({ when: new Date(0), nan: NaN, none: undefined, list: [1, , 3], bytes: new Uint8Array(bytes).fill(7), nested: { deep: [{ x: 'y' }] } }),
    directCallsHost: (host: { invokeMethodAsync(method: string): Promise<unknown> }) => host.invokeMethodAsync('name'),
  });
}

describe('server page: the direct path', () => {
  test("plain calls and the package's markers take it once loaded; the glue's markers and directCalls: false keep the dispatcher", async (t) => {
    pageFunctions(t);
    const server = await startServer(t);
    const page = await openPage(t, server);
    await untilDirect(page.circuit.js);
    const pathOf = (stack: unknown): string => (/at callPage /.test(stack as string) ? 'direct' : 'dispatcher');
    assert.equal(pathOf(await page.circuit.js.invokeAsync('directCallsStack', new Uint8Array(1))), 'direct');
    assert.equal(pathOf(await page.circuit.js.invokeAsync('directCallsStack', pageAbortSignal)), 'dispatcher');

    const off = await openPage(t, server, { directCalls: false });
    for (let i = 0; i < 20; i++) assert.equal(await pathOfNextCall(off.circuit.js), 'dispatcher');
  });

  test('results cross the circuit the same with and without it', async (t) => {
    pageFunctions(t);
    const server = await startServer(t);
    const direct = await openPage(t, server);
    const official = await openPage(t, server, { directCalls: false });
    await untilDirect(direct.circuit.js);
    const owner = { name: () => 'owner' };
    const results = await Promise.all(
      [direct, official].map(async ({ circuit }) => {
        const js = circuit.js;
        const callsBefore = js.stats().callsToJS; // untilDirect made calls on one page only
        const value = await js.invokeAsync('directCallsResult', 3);
        const large = await js.invokeAsync<{ bytes: Uint8Array }>('directCallsResult', 100_000);
        const fromHost = await js.invokeAsync('directCallsHost', HostObjectReference.create(owner, { invokable: ['name'] }));
        const stats = js.stats();
        return { value, largeBytes: large.bytes.byteLength, fromHost, stats: { ...stats, callsToJS: stats.callsToJS - callsBefore } };
      }),
    );
    assert.deepEqual(results[0], results[1]);
    assert.deepEqual((results[0]!.value as { bytes: Uint8Array }).bytes, new Uint8Array(3).fill(7));
  });
});
