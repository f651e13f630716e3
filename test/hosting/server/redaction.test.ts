/*
 * Host error text reaches a server's page only with `detailedErrors` (Blazor's DetailedErrors,
 * off by default): every path by which a host failure is told to the page, each with the option
 * off (a fixed text, Blazor Server's) and on (the host's text). The application gets the error
 * itself either way. Call failures from thrown or rejected invokables are in circuits.test.ts.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { once } from 'node:events';
import { syncBuiltinESMExports } from 'node:module';
import { WebSocket } from 'ws';
import { HostStreamReference, registerInvokables } from '../../../src/index.js';
import type { Refusal } from '../../../src/server.js';
import { connectToServer } from '../../../src/server-client.js';
import { Control } from '../../../src/protocol/circuit-control.js';
import * as Msg from '../../../src/protocol/message-codes.js';
import { PROTOCOL_VERSION } from '../../../src/protocol/messages.js';
import { REDACTED_CIRCUIT_ERROR, REDACTED_STREAM_ERROR } from '../../../src/host/redaction.js';
import { freshDotNet } from '../../support/page.js';
import { definePageGlobals, isRejected, openPage, RawPage, startServer } from './server-support.js';

const SECRET = 'secret database detail';
const CALL_REDACTED = "There was an exception invoking 'Then' on assembly 'RedactionTest'. For more details turn on detailed exceptions in 'CircuitOptions.DetailedErrors'";

describe('redaction of host errors on a server', () => {
  const modes = [false, true];

  test('a host stream whose source fails: the page\'s read rejects with a fixed text, or the host\'s with detailedErrors', async (t) => {
    definePageGlobals(t, {
      redactionRead: async (stream: { arrayBuffer(): Promise<ArrayBuffer> }) => {
        try {
          await stream.arrayBuffer();
          return 'read';
        } catch (error) {
          return (error as Error).message;
        }
      },
    });
    for (const detailedErrors of modes) {
      const page = await openPage(t, await startServer(t, { detailedErrors }));
      const failing = new ReadableStream<Uint8Array>({ pull: (controller) => controller.error(new Error(SECRET)) });
      const seen: string = await page.circuit.js.invokeAsync('redactionRead', HostStreamReference.create(failing));
      if (detailedErrors) assert.match(seen, new RegExp(SECRET));
      else assert.equal(seen, REDACTED_STREAM_ERROR);
    }
  });

  test('an onCircuit that fails: the page is told a fixed text (why, with detailedErrors); the application gets the error', async (t) => {
    for (const detailedErrors of modes) {
      const errors: unknown[] = [];
      const server = await startServer(t, {
        detailedErrors,
        onCircuit: async () => {
          throw new Error(SECRET);
        },
        onError: (error) => void errors.push(error),
      });
      const hostEnd = once(server, 'circuitEnd');
      const connection = await connectToServer(server.url, { DotNet: await freshDotNet(), WebSocket: WebSocket as any });
      const toldPage = await connection.ended;
      const [, reason] = await hostEnd;
      assert.equal(reason, `The host failed to start the circuit: ${SECRET}`);
      assert.equal((errors[0] as Error).message, SECRET);
      assert.equal(toldPage, detailedErrors ? reason : REDACTED_CIRCUIT_ERROR);
    }
  });

  test("an invokable result whose 'then' throws: the call fails, redacted (in full with detailedErrors), and nothing else is told", async (t) => {
    // Reading `then` of a result (to see whether to await it) is host code: it used to escape
    // the call, reach the page in a Rejected frame and leave the call unanswered.
    t.after(
      registerInvokables('RedactionTest', {
        Then: () => ({
          get then(): never {
            throw new Error(SECRET);
          },
        }),
      }),
    );
    for (const detailedErrors of modes) {
      const server = await startServer(t, { detailedErrors });
      const page = await RawPage.open(t, server.url);
      page.send([Msg.BeginInvokeDotNet, '1', 'RedactionTest', 'Then', 0, '[]']);
      const answer = await page.next((f) => isRejected(f) || (Array.isArray(f) && f[0] === Msg.EndInvokeDotNet));
      assert.deepEqual(answer.slice(0, 3), [Msg.EndInvokeDotNet, '1', false]);
      if (detailedErrors) assert.match(answer[3], new RegExp(SECRET));
      else {
        assert.equal(answer[3], CALL_REDACTED);
        assert.ok(!page.texts.some((text) => text.includes(SECRET)));
      }
    }
  });

  test('a Hello the host fails to start a circuit for: the refusal says a fixed text (the error, with detailedErrors); onRefused gets the error', async (t) => {
    // The host fails after every check of what the page sent: here the OS's random source, for the circuit's secret.
    const randomBytes = crypto.randomBytes;
    t.mock.method(crypto, 'randomBytes', (size: number) => {
      if (size === 32) throw new Error(SECRET);
      return randomBytes(size);
    });
    syncBuiltinESMExports();
    t.after(() => {
      t.mock.restoreAll();
      syncBuiltinESMExports();
    });
    for (const detailedErrors of modes) {
      const refusals: Refusal[] = [];
      const server = await startServer(t, { detailedErrors, onRefused: (refusal) => void refusals.push(refusal) });
      const page = await RawPage.open(t, server.url, { hello: false });
      page.send([Msg.Hello, PROTOCOL_VERSION, 0, null]);
      const [, told] = await page.next((f) => Array.isArray(f) && f[0] === Control.End);
      const { code, reason } = await page.closed;
      assert.equal(code, 1008);
      assert.equal(told, detailedErrors ? SECRET : REDACTED_CIRCUIT_ERROR);
      assert.ok(told.startsWith(reason));
      assert.equal(refusals[0]?.reason, 'opening');
      assert.equal((refusals[0]?.error as Error).message, SECRET);
    }
  });
});
