/*
 * The server's defaults, as documented. The expected numbers are copied from docs/security.md's
 * limits table, README.md's "Hosting on a server" and the server hosting issue (Blazor's
 * defaults where it has them), not from options.ts, so that a default changed in the code
 * without the documentation (or the reverse) fails here.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveSettings } from '../../../src/hosting/server/options.js';
import { RawPage, startServer } from './server-support.js';

const KiB = 1024;
const MiB = 1024 * KiB;

describe('server settings', () => {
  test('every default is the documented one', () => {
    assert.deepEqual(resolveSettings({}), {
      path: '/_jsinterop', // README: "handles WebSocket upgrades on `path` (default `/_jsinterop`)"
      nodeName: undefined, // no node name unless JSINTEROP_NODE_NAME is set (docs/deploy.md)
      headersTimeout: 10_000, // security.md, "Idle connections": 10 s
      idleTimeout: 30_000, // security.md, "Idle connections": 30 s
      maxCircuits: Infinity, // security.md: `maxCircuits` unlimited
      detailedErrors: false, // security.md: DetailedErrors "off by default"
      defaultTimeout: 60_000, // security.md: 60 s; issue: 1 minute, like JSInteropDefaultCallTimeout
      warnOnLeaks: false,
      retention: 180_000, // security.md and issue: 3 min (DisconnectedCircuitRetentionPeriod)
      maxRetained: 100, // security.md and issue: 100 (DisconnectedCircuitMaxRetained)
      heartbeatInterval: 15_000, // security.md: 15 s, SignalR's keep-alive
      maxMessageSize: 32_768, // security.md: 32,768 bytes; issue: 32 KB
      maxCallSize: 4 * MiB, // security.md: 4 MiB
      maxByteArrayBytes: 4 * MiB, // security.md: 4 MiB
      maxPendingCallsFromPage: 1_000, // security.md: 1,000
      maxPendingCalls: 10_000, // security.md: 10,000
      maxHostObjectReferences: 10_000, // security.md: 10,000
      maxUnacknowledgedBytes: 16 * MiB, // security.md: 16 MiB
      streamChunkSize: 256 * KiB, // security.md: stream chunks of 256 KiB (frames from the page stay within maxMessageSize)
      streamWindow: 16, // security.md: 4 MiB of host stream in flight, in chunks of 256 KiB
      pageAckBytes: 4 * MiB, // security.md: a page acknowledges every 4 MiB (the stream window), and with each credit
      streamReadAheadBytes: 4 * MiB, // security.md: 4 MiB of a page stream read ahead
      maxOutputBufferBytes: 1 * MiB, // security.md, "What a hostile connection can cost": 1 MiB
      maxProtocolErrors: 100, // security.md: 100 within 10 s
      protocolErrorWindow: 10_000,
    });
  });

  test('a server without options tells its pages the documented message size, heartbeat and retention', async (t) => {
    const server = await startServer(t);
    const page = await RawPage.open(t, server.url);
    const [, , , maxMessageSize, heartbeatMs, retentionMs] = page.started;
    assert.deepEqual({ maxMessageSize, heartbeatMs, retentionMs }, { maxMessageSize: 32_768, heartbeatMs: 15_000, retentionMs: 180_000 });
    assert.equal(server.path, '/_jsinterop');
  });

  test('stream chunks are at most maxByteArrayBytes (the page answers a chunk as a byte array, in parts of maxMessageSize) and half the stream window', () => {
    assert.equal(resolveSettings({ maxMessageSize: 8 * KiB }).streamChunkSize, 256 * KiB);
    assert.equal(resolveSettings({ maxByteArrayBytes: 100 * KiB }).streamChunkSize, 100 * KiB);
    assert.equal(resolveSettings({ streamWindowBytes: 128 * KiB }).streamChunkSize, 64 * KiB);
    assert.equal(resolveSettings({ streamChunkSize: 4 * KiB }).streamChunkSize, 4 * KiB);
  });

  test('a limit or period that is not positive, or a period longer than a timer can wait, is refused, naming it', () => {
    for (const name of ['defaultTimeout', 'heartbeatInterval', 'disconnectedCircuitRetention', 'disconnectedCircuitMaxRetained', 'maxPendingCalls', 'maxCircuits'] as const) {
      for (const value of [0, -1, Number.NaN]) {
        assert.throws(() => resolveSettings({ [name]: value }), (error: unknown) => error instanceof RangeError && error.message.includes(`'${name}'`), `${name}: ${value}`);
      }
    }
    // A timer cannot wait longer than 2^31 − 1 ms: Node would fire it after 1 ms, ending retained circuits at once.
    for (const name of ['heartbeatInterval', 'disconnectedCircuitRetention', 'headersTimeout', 'idleTimeout'] as const) {
      for (const value of [2 ** 31, Infinity]) {
        assert.throws(() => resolveSettings({ [name]: value }), (error: unknown) => error instanceof RangeError && error.message.includes(`'${name}' must be at most 2147483647 ms`), `${name}: ${value}`);
      }
      assert.equal(resolveSettings({ [name]: 2 ** 31 - 1 })[name === 'disconnectedCircuitRetention' ? 'retention' : name], 2 ** 31 - 1);
    }
    assert.throws(() => resolveSettings({ maxMessageSize: 1023 }), /'maxMessageSize' must be at least 1 KB/);
    assert.throws(() => resolveSettings({ path: 'interop' }), /'path' must start with '\/'/);
  });
});
