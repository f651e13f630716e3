/*
 * Call frames (host → page, docs/protocol.md "Server transport"): a call sent alone to a page
 * whose client announced it reads them travels as "?" + header + identifier + arguments' JSON;
 * batches and older clients keep the message form, and a lost call frame is replayed as it was.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Control, PageFeature } from '../../../src/protocol/circuit-control.js';
import * as Msg from '../../../src/protocol/message-codes.js';
import { PROTOCOL_VERSION } from '../../../src/protocol/messages.js';
import { RawPage, startServer } from './server-support.js';
import type { Circuit, InteropServer } from '../../../src/server.js';

const circuitOf = (server: InteropServer, page: RawPage): Circuit => server.circuit(page.started[1])!;
const isCall = (frame: unknown): boolean => Array.isArray(frame) && frame[0] === Msg.BeginInvokeJS;

describe('call frames', () => {
  test('a call sent alone reaches a page that reads call frames as one, and its completion frame settles it', async (t) => {
    const server = await startServer(t);
    const page = await RawPage.open(t, server.url, { features: PageFeature.CallFrames });
    const call = circuitOf(server, page).js.invokeAsync('frames.echo', 'a,b?', { é: 1 });
    const message = await page.next(isCall);
    assert.deepEqual(message, [Msg.BeginInvokeJS, 2, 'frames.echo', '["a,b?",{"é":1}]', 0, 0, 1]);
    assert.equal(page.texts.at(-1), '?2,0,0,1,11,frames.echo["a,b?",{"é":1}]');
    page.send('![2,true,"ok"]');
    assert.equal(await call, 'ok');
  });

  test('a page whose Hello announces no features (an older client) gets the message form', async (t) => {
    const server = await startServer(t);
    for (const features of [undefined, 0, 2]) {
      const page = await RawPage.open(t, server.url, { features });
      const call = circuitOf(server, page).js.invokeAsync('frames.echo', 1);
      await page.next(isCall);
      assert.equal(page.texts.at(-1), JSON.stringify([Msg.BeginInvokeJS, 2, 'frames.echo', '[1]', 0, 0, 1]), `features ${features}`);
      page.send([Msg.EndInvokeJS, 2, true, '[2,true,1]']);
      assert.equal(await call, 1);
    }
  });

  test('calls that follow in the same task travel in a batch of messages', async (t) => {
    const server = await startServer(t);
    const page = await RawPage.open(t, server.url, { features: PageFeature.CallFrames });
    const js = circuitOf(server, page).js;
    const calls = [1, 2, 3].map((n) => js.invokeAsync('frames.echo', n));
    await page.next((f) => isCall(f) && f[1] === 4);
    const [first, batch] = page.texts.slice(-2);
    assert.equal(first, '?2,0,0,1,11,frames.echo[1]');
    assert.deepEqual(JSON.parse(batch!), [
      [Msg.BeginInvokeJS, 3, 'frames.echo', '[2]', 0, 0, 1],
      [Msg.BeginInvokeJS, 4, 'frames.echo', '[3]', 0, 0, 1],
    ]);
    for (const handle of [2, 3, 4]) page.send(`![${handle},true,${handle * 10}]`);
    assert.deepEqual(await Promise.all(calls), [20, 30, 40]);
  });

  test('call frames the page did not receive are replayed after it resumes, exactly once and as they were', async (t) => {
    const server = await startServer(t);
    const page = await RawPage.open(t, server.url, { features: PageFeature.CallFrames });
    const circuit = circuitOf(server, page);
    const received = circuit.js.invokeAsync('frames.echo', 'received');
    await page.next(isCall);
    const down = once(server, 'connectionDown');
    circuit.dropConnection();
    await down;
    // Made while the page is away: kept for replay.
    const missed = circuit.js.invokeAsync('frames.echo', 'missed');

    const resumed = await RawPage.open(t, server.url, { hello: false });
    const up = once(server, 'connectionUp');
    resumed.send([Control.Resume, circuit.id, page.started[2], 1]);
    await up;
    const replayed = await resumed.next(isCall);
    assert.deepEqual(replayed, [Msg.BeginInvokeJS, 3, 'frames.echo', '["missed"]', 0, 0, 1]);
    assert.deepEqual(resumed.texts, [JSON.stringify([Control.Resumed, 0]), '?3,0,0,1,11,frames.echo["missed"]']);
    resumed.send('![2,true,"first"]');
    resumed.send('![3,true,"second"]');
    assert.deepEqual(await Promise.all([received, missed]), ['first', 'second']);
    assert.equal(resumed.frames.filter(isCall).length, 1);
  });

  test('a Hello whose features are not a non-negative integer is refused, naming them', async (t) => {
    const server = await startServer(t);
    for (const features of ['1', -1, 1.5, null, [1]]) {
      const page = await RawPage.open(t, server.url, { hello: false });
      page.send([Msg.Hello, PROTOCOL_VERSION, 0, null, features]);
      const { code } = await page.closed;
      assert.equal(code, 1008);
      const end = page.frames.find((f) => Array.isArray(f) && f[0] === Control.End) as [number, string];
      assert.match(end[1], /Malformed Hello message: the features after its arguments must be a non-negative integer/, JSON.stringify(features));
    }
    assert.equal(server.stats().circuits, 0);
  });
});
