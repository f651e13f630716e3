/*
 * Heartbeats are spread over the period: the server's one heartbeat timer beats a slice of the
 * circuits a tick, each circuit once a period, and a circuit's ping and Heartbeat frame leave in
 * one write. The server's setInterval is mocked, so each tick is one call of the timer and what
 * it beat is counted as it returns.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { Circuit } from '../../../src/server.js';
import { Control } from '../../../src/protocol/circuit-control.js';
import { sliceCount } from '../../../src/hosting/server/heartbeat-slices.js';
import { RawPage, startServer } from './server-support.js';

const isHeartbeat = (frame: unknown): boolean => Array.isArray(frame) && frame[0] === Control.Heartbeat;

describe('heartbeat slices', () => {
  test('a period is cut into at most 16 slices of whole milliseconds, so the ticks add up to it', () => {
    assert.equal(sliceCount(15_000), 15);
    assert.equal(sliceCount(1_600), 16);
    assert.equal(sliceCount(40), 10);
    assert.equal(sliceCount(997), 1);
    assert.equal(sliceCount(0.5), 1);
  });

  test('each tick beats one slice of the circuits, and each circuit beats once a period, a period apart', async (t) => {
    t.mock.timers.enable({ apis: ['setInterval'] });
    const server = await startServer(t, { heartbeatInterval: 1_600 }); // 16 ticks of 100 ms
    const pages = await Promise.all(Array.from({ length: 32 }, () => RawPage.open(t, server.url)));
    const heartbeat = t.mock.method(Circuit.prototype, 'heartbeat');
    const beaten: string[][] = [];
    for (let tick = 0; tick < 32; tick++) {
      const before = heartbeat.mock.callCount();
      t.mock.timers.tick(100);
      beaten.push(heartbeat.mock.calls.slice(before).map((call) => (call.this as Circuit).id));
    }
    // 32 circuits over 16 slices: two a tick, never all at once.
    assert.deepEqual(beaten.map((ids) => ids.length), Array(32).fill(2));
    const firstPeriod = beaten.slice(0, 16).flat();
    assert.deepEqual([...firstPeriod].sort(), pages.map((page) => page.started[1] as string).sort());
    // The second period beats the same circuits in the same ticks: exactly one period apart.
    assert.deepEqual(beaten.slice(16), beaten.slice(0, 16));
  });

  test("a circuit's ping and Heartbeat frame leave in one write, and the page receives both", async (t) => {
    t.mock.timers.enable({ apis: ['setInterval'] });
    const server = await startServer(t, { heartbeatInterval: 1_000 });
    let serverSide: Socket | undefined;
    server.httpServer.prependListener('upgrade', (_request, socket: Socket) => void (serverSide = socket));
    const page = await RawPage.open(t, server.url);
    const pinged = new Promise<void>((resolve) => page.socket.once('ping', () => resolve()));
    const heartbeatFrame = page.next(isHeartbeat);
    // The socket's two ways to hand the OS what was written (stream implementers' methods, not in its type).
    const stream = serverSide as unknown as { _writev(...args: unknown[]): void; _write(...args: unknown[]): void };
    const writev = t.mock.method(stream, '_writev');
    const write = t.mock.method(stream, '_write');
    t.mock.timers.tick(1_000); // every slice once: the page's circuit has beaten
    await Promise.resolve(); // what a turn sent leaves at its end (output-budget.ts)
    assert.equal(writev.mock.callCount() + write.mock.callCount(), 1);
    await Promise.all([pinged, heartbeatFrame]);
  });
});
