/*
 * What a page can make the server hold and send (src/hosting/server/output-budget.ts,
 * refused-frame-limit.ts): short Rejected answers, a limit on refused frames, refused frames
 * are no sign of life, and backpressure on a page that does not read. The same bounds under a
 * flood, measured in a child process with a small heap, are in memory-flood.test.ts.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { registerInvokables } from '../../../src/index.js';
import { Control } from '../../../src/protocol/circuit-control.js';
import { EXCERPT_CHARS, excerpt } from '../../../src/protocol/excerpt.js';
import * as Msg from '../../../src/protocol/message-codes.js';
import { RefusedFrameLimit } from '../../../src/hosting/server/refused-frame-limit.js';
import type { Circuit } from '../../../src/server.js';
import { DeafClient } from './deaf-client.js';
import { definePageGlobals, isRejected, openPage, RawPage, startServer } from './server-support.js';

const isHeartbeat = (frame: unknown): boolean => Array.isArray(frame) && frame[0] === Control.Heartbeat;

describe('Rejected answers', () => {
  test('quote at most an excerpt of what the page sent', async (t) => {
    const server = await startServer(t);
    const page = await RawPage.open(t, server.url);
    page.send(JSON.stringify(['x'.repeat(30_000)])); // an unknown message type, which the answer names
    const [, text] = await page.next(isRejected);
    assert.match(text, /^Malformed message: unknown message type "x{99}… \(30002 characters\)\.$/);
    assert.ok(page.texts.every((frame) => frame.length < 300), 'every answer is short');
  });

  test('excerpt() keeps short text and cuts long text to its first characters', () => {
    assert.equal(excerpt('short'), 'short');
    assert.equal(excerpt('y'.repeat(EXCERPT_CHARS)), 'y'.repeat(EXCERPT_CHARS));
    assert.equal(excerpt('y'.repeat(EXCERPT_CHARS + 1)), `${'y'.repeat(EXCERPT_CHARS)}… (${EXCERPT_CHARS + 1} characters)`);
    assert.equal(excerpt('abcdef', 3), 'abc… (6 characters)');
  });
});

describe('refused frames', () => {
  test('past maxProtocolErrors the circuit ends and the connection closes with 1008 and a reason; other circuits carry on', async (t) => {
    t.after(registerInvokables('OutputBoundsTest', { Echo: (x: unknown) => x }));
    definePageGlobals(t, { outputBoundsDouble: (x: number) => 2 * x });
    const server = await startServer(t, { maxProtocolErrors: 5 });
    const good = await openPage(t, server);
    const hostile = await RawPage.open(t, server.url);
    const circuit = server.circuit(hostile.started[1])!;
    for (let i = 0; i < 5; i++) hostile.send('not json');
    for (let from = 0, i = 0; i < 5; i++) from = hostile.frames.indexOf(await hostile.next(isRejected, from)) + 1;
    assert.equal(circuit.state, 'connected', 'five refused frames are answered, one by one');

    const answers = hostile.frames.length;
    hostile.send('not json');
    const closed = await Promise.race([hostile.closed, hostile.next(isRejected, answers).then((f) => assert.fail(`answered, not closed: ${JSON.stringify(f)}`))]);
    assert.equal(closed.code, 1008);
    assert.match(closed.reason, /Too many malformed or refused messages; the circuit has ended/);
    assert.match(await circuit.ended, /The page sent more than 5 messages the server had to refuse within 10000 ms \(maxProtocolErrors\)/);
    const end = hostile.frames.find((f: any) => Array.isArray(f) && f[0] === Control.End) as string[];
    assert.match(end[1]!, /more than 5 messages/);
    assert.equal(hostile.frames.filter(isRejected).length, 5, 'the one too many is not answered');

    assert.equal(await good.DotNet.invokeMethodAsync('OutputBoundsTest', 'Echo', 'still here'), 'still here');
    assert.equal(await good.circuit.js.invokeAsync('outputBoundsDouble', 21), 42);
  });

  test('the limit counts within a window that starts at the first error', () => {
    const limit = new RefusedFrameLimit(2, 1000);
    assert.equal(limit.exceeded(0), false);
    assert.equal(limit.exceeded(500), false);
    assert.equal(limit.exceeded(999), true, 'a third within the window');
    const later = new RefusedFrameLimit(2, 1000);
    later.exceeded(0);
    later.exceeded(500);
    assert.equal(later.exceeded(1000), false, 'the window is over: counting starts again');
    assert.equal(later.exceeded(1500), false);
    assert.equal(later.exceeded(1999), true);
  });

  test('are no sign of life: a page that answers no ping and sends only junk is dropped by the heartbeat; valid frames keep a page', async (t) => {
    const server = await startServer(t, { heartbeatInterval: 100, maxProtocolErrors: Infinity });
    const junk = await RawPage.open(t, server.url, { autoPong: false });
    const valid = await RawPage.open(t, server.url, { autoPong: false });
    // Each page answers every Heartbeat with one frame, so a frame arrives between any two beats.
    const answer = (page: RawPage, frame: string): void => void page.socket.on('message', (data: Buffer) => data.toString().startsWith(`[${Control.Heartbeat},`) && page.send(frame));
    answer(junk, 'not json');
    answer(valid, JSON.stringify([Control.Ack, 0]));
    // The junk page is dropped at its second beat, well before the valid page has seen six, through which it is kept.
    const sixBeats = (async () => {
      for (let from = 0, beat = 0; beat < 6; beat++) from = valid.frames.indexOf(await valid.next(isHeartbeat, from)) + 1;
    })();
    assert.deepEqual(await Promise.race([junk.closed, sixBeats.then(() => 'six beats and the junk page is still connected')]), { code: 1006, reason: '' });
    await sixBeats;
    assert.equal(valid.socket.readyState, valid.socket.OPEN, 'the valid page was kept');
  });
});

describe('backpressure', () => {
  test('a page that does not read is not read either once maxOutputBufferBytes wait for it, and the heartbeat drops it', async (t) => {
    const CAP = 64 * 1024;
    const CALLS = 1000;
    const arg = JSON.stringify(['z'.repeat(30_000)]);
    let circuit: Circuit | undefined;
    let invoked = 0;
    let mostBuffered = 0;
    let allInvoked!: () => void;
    const everyCallRan = new Promise<void>((resolve) => (allInvoked = resolve));
    t.after(
      registerInvokables('OutputBoundsTest', {
        Echo: (x: string) => {
          // What waits for the page now, with every earlier answer written.
          mostBuffered = Math.max(mostBuffered, circuit!.stats().outputBufferedBytes);
          if (++invoked === CALLS) allInvoked();
          return x;
        },
      }),
    );
    // The replay limit is far above what the OS buffers hold, so it is backpressure that stops the page here.
    const server = await startServer(t, { maxOutputBufferBytes: CAP, maxUnacknowledgedBytes: 1024 * 1024 * 1024, heartbeatInterval: 200 });
    const opened = once(server, 'circuit');
    const deaf = await DeafClient.open(server.url);
    t.after(() => deaf.destroy());
    [circuit] = (await opened) as [Circuit];
    for (let i = 0; i < CALLS; i++) deaf.send(JSON.stringify([Msg.BeginInvokeDotNet, `${i}`, 'OutputBoundsTest', 'Echo', 0, arg]));
    const outcome = await Promise.race([
      once(server, 'connectionDown').then(() => 'dropped'),
      once(server, 'circuitEnd').then(([, reason]) => `ended: ${reason}`),
      everyCallRan.then(() => 'every call ran'),
    ]);
    assert.equal(outcome, 'dropped');
    assert.ok(invoked < CALLS, `the server stopped reading (${invoked} of ${CALLS} calls ran)`);
    // Past the cap, the rest of the chunk being read can still add its answers: three calls at most here.
    assert.ok(mostBuffered <= CAP + 3 * arg.length, `at most ${CAP} bytes and a chunk's answers waited; ${mostBuffered} did`);
    assert.equal(circuit.state, 'disconnected', 'the circuit is retained for a reconnect, as for any lost connection');
  });

  test('a page that reads is paused while a large frame drains and then read again', async (t) => {
    definePageGlobals(t, { outputBoundsLength: (text: string) => text.length });
    const length = moreThanLoopbackHolds();
    const server = await startServer(t, { maxOutputBufferBytes: 64 * 1024, maxCallSize: 2 * length, maxUnacknowledgedBytes: 4 * length });
    const page = await openPage(t, server);
    const answered = page.circuit.js.invokeAsync<number>('outputBoundsLength', 'w'.repeat(length));
    await Promise.resolve(); // what a turn sent leaves at its end, and is weighed then (output-budget.ts)
    assert.equal(page.circuit.stats().readsPaused, true, `the ${length}-byte call is over the budget`);
    assert.equal(await answered, length, 'the answer was read once the call drained');
    assert.equal(page.circuit.stats().readsPaused, false);
    assert.equal(await page.circuit.js.invokeAsync('outputBoundsLength', 'ok'), 2);
  });
});

/**
 * A call the kernel cannot take at once while the page (in this process) is not reading: more than
 * the most a TCP send buffer and an unread receive buffer can hold together. A fixed size is not
 * enough: on loopback, with the congestion window cached from earlier connections, Linux took a
 * whole 4 MB write without blocking.
 */
function moreThanLoopbackHolds(): number {
  const most = (name: string, fallback: number): number => {
    try {
      return Number(readFileSync(`/proc/sys/net/ipv4/${name}`, 'utf8').trim().split(/\s+/)[2]) || fallback;
    } catch {
      return fallback;
    }
  };
  return most('tcp_wmem', 4 << 20) + most('tcp_rmem', 32 << 20) + (1 << 20);
}
