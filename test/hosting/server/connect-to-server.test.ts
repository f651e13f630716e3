/*
 * The page client's reconnect schedule (README: it "reconnects at once, then with exponential
 * backoff (250 ms doubling up to 10 s)") and its giving up once the retention period the server
 * announced has passed. The server, the sockets and the proxy that refuses connections are
 * real; only the clock is virtual (node:test's mock timers for setTimeout and Date), so the
 * exact delays are read off the clock without waiting for them or measuring real time.
 */
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { FaultProxy } from './fault-proxy.js';
import { openPage, SocketWatch, startServer, StateLog, type SimulatedPage } from './server-support.js';

/**
 * Advances the virtual clock 1 ms at a time until the client opens its next socket, and returns
 * how far it went: the delay the client chose. Real I/O does not move the virtual clock, so
 * the delay counts from the moment the previous attempt failed.
 */
function advanceToNextAttempt(t: TestContext, watch: SocketWatch): number {
  const before = watch.sockets.length;
  const from = Date.now();
  t.mock.timers.tick(0);
  while (watch.sockets.length === before) {
    if (Date.now() - from > 60_000) assert.fail('the client made no connection attempt for a minute');
    t.mock.timers.tick(1);
  }
  return Date.now() - from;
}

/** The delays before each attempt the proxy refuses, until `count` attempts failed or the client gave up. */
async function refusedAttempts(t: TestContext, page: SimulatedPage, watch: SocketWatch, count = Infinity): Promise<number[]> {
  const delays: number[] = [];
  while (delays.length < count && page.connection.state !== 'ended') {
    delays.push(advanceToNextAttempt(t, watch));
    await watch.closed(watch.sockets.at(-1)!); // the client has handled the failure: its next attempt is scheduled
  }
  return delays;
}

async function setUp(t: TestContext, retention: number) {
  const server = await startServer(t, { disconnectedCircuitRetention: retention });
  const proxy = await FaultProxy.start(t, server.port);
  const watch = new SocketWatch();
  const log = new StateLog();
  // No reconnectDelay or maxReconnectDelay: the defaults are under test.
  const page = await openPage(t, server, { url: proxy.url(server.path), WebSocket: watch.WebSocket, onStateChange: log.onStateChange });
  // Not 0: the client takes a loss time of 0 for "not lost".
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_000_000 });
  /** Cuts the connection with the proxy refusing new ones; resolves once the client has noticed. */
  const lose = async () => {
    proxy.refuse(true);
    const reconnecting = log.next('reconnecting');
    proxy.cut();
    await reconnecting;
  };
  return { proxy, watch, log, page, lose };
}

describe('the page client reconnects with backoff, within the retention period', () => {
  test('at once, then after 250 ms doubling up to 10 s; after the retention period it gives up and tries no more', async (t) => {
    const { watch, page, lose } = await setUp(t, 60_000);
    await lose();
    const delays = await refusedAttempts(t, page, watch);
    // Attempts at 0, 250, 750, 1750, 3750, 7750, 15750, 25750, … 65750 ms after the loss: the
    // last is the first to fail more than 60 s after it.
    assert.deepEqual(delays, [0, 250, 500, 1_000, 2_000, 4_000, 8_000, 10_000, 10_000, 10_000, 10_000, 10_000]);
    assert.equal(page.connection.state, 'ended');
    assert.match(await page.connection.ended, /could not be restored within 60000 ms/);
    const attempts = watch.sockets.length;
    t.mock.timers.tick(60_000);
    assert.equal(watch.sockets.length, attempts);
  });

  test('a successful reconnect starts the backoff and the retention period over', async (t) => {
    const { proxy, watch, log, page, lose } = await setUp(t, 5_000);
    await lose();
    assert.deepEqual(await refusedAttempts(t, page, watch, 4), [0, 250, 500, 1_000]);
    proxy.refuse(false);
    const connected = log.next('connected');
    assert.equal(advanceToNextAttempt(t, watch), 2_000);
    await connected; // 3,750 ms after the first loss

    await lose();
    // If either had carried over, the next attempt would wait 4 s, and the client would give up
    // at the first failure more than 5 s after the first loss (the one at 5,500 ms).
    assert.deepEqual(await refusedAttempts(t, page, watch), [0, 250, 500, 1_000, 2_000, 4_000]);
    assert.match(await page.connection.ended, /could not be restored within 5000 ms/);
  });
});
