/*
 * Bad input from the page into a Worker host: every malformed message is reported to the host's
 * onError with what was wrong, and the channel goes on serving well-formed calls. (The page of a
 * Worker is the application's own, so these are bugs rather than attacks; the server hosting
 * tests cover hostile pages.)
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startWorkerHost } from './support.js';

describe('bad input into a Worker host', () => {
  // The timeout only bounds a failure: a host that swallowed an error would leave the test waiting for its report.
  test('malformed messages are reported with what was wrong, and the channel keeps working', { timeout: 60_000 }, async (t) => {
    const page = await startWorkerHost(t, { data: { reportErrors: true } });
    await page.host.ready;
    assert.equal(await page.call('Add', 1, 2), 3);
    const bad: [unknown, RegExp][] = [
      ['garbage', /expected a non-empty array/],
      [[], /expected a non-empty array/],
      [[99, 1], /unknown message type 99/],
      [[20, null, 'WorkerTests', 'Add', 0], /BeginInvokeDotNet message: expected 5 arguments, received 4/],
      [[21, 'two', true, '[2,true,1]'], /EndInvokeJS message: argument 'asyncHandle' has the wrong type/],
      [[22, 0, 'not bytes'], /SendByteArray message: argument 'bytes' has the wrong type/],
      [[[20, null, 'WorkerTests', 'Add', 'zero', '[1,2]']], /BeginInvokeDotNet message: argument 'dotNetObjectId' has the wrong type/],
      // Byte arrays with their message come as a bundle [message, id, bytes, …]; each pair is checked.
      [[[20, null, 'WorkerTests', 'Add', 0, '[1,2]'], 0, 'not bytes'], /SendByteArray message: argument 'bytes' has the wrong type/],
      // A lone completion comes as text: "!" and the package's completion JSON.
      ['![x,true,1]', /Malformed completion frame: expected "!\[asyncHandle,succeeded,result\]"/],
    ];
    for (const [message] of bad) page.worker.postMessage(message);
    for (const [message, expected] of bad) {
      const report = await page.nextReport<{ protocolError: string }>();
      assert.match(report.protocolError, expected, `for ${JSON.stringify(message)}`);
    }
    assert.equal(await page.call('Add', 4, 5), 9, 'the channel still serves calls');
    assert.equal(page.host.closed, false);
  });
});
