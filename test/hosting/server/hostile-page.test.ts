/*
 * Property-based: a hostile page sends malformed and adversarial frames to a live server.
 * After each one it sends a well-formed probe call; the server answers frames in order, so the
 * answer to the bad frame must arrive before the probe's. Throughout, a well-behaved page on
 * another circuit keeps calling both ways, and the server stays up.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { registerInvokables } from '../../../src/index.js';
import { Control, PageFeature } from '../../../src/protocol/circuit-control.js';
import { TEXT_PART } from '../../../src/protocol/splitting.js';
import { BINARY_HEADER_SIZE, byteArrayHeader, encodeBinary } from '../../../src/protocol/framing.js';
import * as Msg from '../../../src/protocol/message-codes.js';
import { definePageGlobals, isRejected, openPage, RawPage, startServer } from './server-support.js';

/** What the server must do with a frame: refuse it (Rejected), fail the call it carries, or just survive it. */
type Expectation = { rejected: true } | { failedCall: string } | { harmless: true };
interface Hostile {
  readonly label: string;
  readonly frame: string | Uint8Array;
  readonly expect: Expectation;
}

const MAX = 4096;
const PAGE_TYPES: number[] = [Msg.Hello, Msg.BeginInvokeDotNet, Msg.EndInvokeJS, Msg.SendByteArray, Msg.StreamCredit, Control.Resume, Control.Ack, Control.End, Control.Drained];
let nextCallId = 0;

const notJson = fc
  .string({ maxLength: 40 })
  .filter((s) => {
    try {
      JSON.parse(s);
      return false;
    } catch {
      return true;
    }
  })
  // A text frame starting with "!" is a completion frame (below).
  .filter((s) => !s.startsWith('!'))
  .map((s): Hostile => ({ label: 'not JSON', frame: s, expect: { rejected: true } }));

/** Completion frames ("!" + the official package's [asyncHandle, succeeded, result]) without an integer handle. */
const badCompletion = fc
  .oneof(
    fc.string({ maxLength: 20 }).filter((s) => !/^\[\s*\d+\s*,/.test(s)),
    fc.constantFrom('[', '[,true,null]', '[-1,true,null]', '[1.5,true,null]', '["2",true,null]', '[null,true,null]', '[1e300,true,null]'),
  )
  .map((s): Hostile => ({ label: `completion frame !${s.slice(0, 30)}`, frame: '!' + s, expect: { rejected: true } }));

const notAMessage = fc
  .jsonValue({ maxDepth: 3 })
  .filter((v) => !(Array.isArray(v) && (PAGE_TYPES.includes(v[0] as number) || Array.isArray(v[0]))))
  .map((v): Hostile => ({ label: 'not a message', frame: JSON.stringify(v), expect: { rejected: true } }));

/** Values that are never a valid argument of the kind named. */
const wrongFor: Record<string, fc.Arbitrary<unknown>> = {
  string: fc.oneof(fc.integer(), fc.boolean(), fc.constant({}), fc.constant([])),
  int: fc.oneof(fc.string({ maxLength: 5 }), fc.constant(1.5), fc.constant(NaN), fc.constant({}), fc.constant(null)),
  bool: fc.oneof(fc.integer(), fc.string({ maxLength: 3 }), fc.constant(null)),
};

/** Page messages with one argument replaced by a value of the wrong type, or the wrong number of arguments. */
const wrongShapes: [number, string[]][] = [
  [Msg.BeginInvokeDotNet, ['string', 'string', 'string', 'int', 'string']],
  [Msg.EndInvokeJS, ['int', 'bool', 'string']],
  [Msg.StreamCredit, ['int', 'int']],
  [Control.Resume, ['string', 'string', 'int']],
  [Control.Ack, ['int']],
];
const valid: Record<string, unknown> = { string: 'x', int: 2, bool: true };
const wrongTypes = fc
  .constantFrom(...wrongShapes)
  .chain(([type, kinds]) =>
    fc.oneof(
      fc.tuple(fc.nat(kinds.length - 1), fc.constant(0)).chain(([i]) =>
        wrongFor[kinds[i]!]!.map((bad) => [type, ...kinds.map((k, j) => (j === i ? bad : valid[k]))]),
      ),
      // A StreamCredit may carry a third argument, an acknowledgement (checked by creditAck below).
      fc.nat(6).filter((n) => n !== kinds.length && !(type === Msg.StreamCredit && n === 3)).map((n) => [type, ...Array.from({ length: n }, () => 1)]),
    ),
  )
  .filter((message) => !(message[0] === Msg.BeginInvokeDotNet && (message[1] === null || message[2] === null || message[5] === null)))
  .map((message): Hostile => ({ label: `wrong types ${JSON.stringify(message)}`, frame: JSON.stringify(message), expect: { rejected: true } }));

/** A batch frame ([m1, m2, …]) whose messages are each malformed: every one must be refused. */
const badBatch = fc
  .array(fc.oneof(wrongTypes, notAMessage.filter((h) => typeof h.frame === 'string' && h.frame.startsWith('['))), { minLength: 1, maxLength: 4 })
  .map((items): Hostile => ({ label: `batch of ${items.map((i) => i.label).join('; ')}`, frame: `[${items.map((i) => i.frame).join(',')}]`, expect: { rejected: true } }))
  .filter((h) => Array.isArray(JSON.parse(h.frame as string)[0]));

/** Acknowledgements of frames the server never sent. */
const impossibleAck = fc
  .integer({ min: 1e9, max: 2 ** 52 })
  .map((n): Hostile => ({ label: `ack ${n}`, frame: JSON.stringify([Control.Ack, n]), expect: { rejected: true } }));

/** A StreamCredit whose acknowledgement is not a count the server can accept. */
const creditAck = fc
  .oneof(fc.integer({ min: 1e9, max: 2 ** 52 }), fc.constantFrom<unknown>(-1, 1.5, 'x', null, [], {}))
  .map((ack): Hostile => ({ label: `credit with ack ${JSON.stringify(ack)}`, frame: JSON.stringify([Msg.StreamCredit, 1, 1, ack]), expect: { rejected: true } }));

const notForAPage = fc
  .constantFrom(Control.Started, Control.Resumed, Control.Heartbeat, Control.Rejected, Control.Draining, Msg.Hello, Msg.SendByteArray)
  .map((type): Hostile => ({ label: `type ${type} as text`, frame: JSON.stringify([type, 'x', 0, null]), expect: { rejected: true } }));

const HOSTILE_NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'prototype', 'Secret', '', ' ', 'Echo.call'];
const HOSTILE_ARGS = [
  '[',
  '{}',
  'null',
  '"text"',
  '[{"__dotNetObject":1}]',
  '[{"__dotNetObject":"1"}]',
  '[{"__byte[]":0}]',
  '[{"__jsObjectId":"x"}]',
  '[{"__jsStreamReferenceLength":-1,"__jsObjectId":1}]',
  '[{"__dotNetStream":1}]',
  '{"__proto__":{"polluted":true}}',
  '['.repeat(1000) + ']'.repeat(1000),
  '[' + '1,'.repeat(3000) + '1]',
];
const adversarialCall = fc
  .record({
    assembly: fc.oneof(fc.constantFrom<string | null>('HostileTest', '__proto__', 'constructor', 'Object', null), fc.string({ maxLength: 8 })),
    method: fc.oneof(fc.constantFrom(...HOSTILE_NAMES), fc.string({ maxLength: 8 }).filter((s) => s !== 'Echo')),
    objectId: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 5 }), fc.integer({ min: -5, max: 2 ** 40 })),
    args: fc.oneof(fc.constantFrom(...HOSTILE_ARGS), fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v))),
  })
  .filter((c) => !(c.assembly === 'HostileTest' && c.method === 'Echo'))
  .map(({ assembly, method, objectId, args }): Hostile => {
    const callId = `bad-${++nextCallId}`;
    return { label: `call ${assembly}.${method} #${objectId} ${args.slice(0, 40)}`, frame: JSON.stringify([Msg.BeginInvokeDotNet, callId, assembly, method, objectId, args]), expect: { failedCall: callId } };
  });

const badBinary = fc.oneof(
  fc.uint8Array({ maxLength: BINARY_HEADER_SIZE - 1 }).map((b): Hostile => ({ label: 'short binary', frame: b, expect: { rejected: true } })),
  fc
    .tuple(fc.integer({ min: 0, max: 255 }).filter((t) => t !== Msg.SendByteArray), fc.uint8Array({ maxLength: 16 }))
    .map(([type, bytes]): Hostile => ({ label: `binary type ${type}`, frame: encodeBinary(type, 0, bytes), expect: { rejected: true } })),
  fc.tuple(fc.integer({ min: 2, max: 255 }), fc.uint8Array({ maxLength: 16 })).map(([flags, bytes]): Hostile => {
    const frame = encodeBinary(Msg.SendByteArray, 0, bytes);
    frame[1] = flags;
    return { label: `binary flags ${flags}`, frame, expect: { rejected: true } };
  }),
  fc.constantFrom(NaN, -1, 1.5, 2 ** 60, Infinity).map((id): Hostile => ({ label: `binary id ${id}`, frame: encodeBinary(Msg.SendByteArray, id, new Uint8Array(3)), expect: { rejected: true } })),
  fc.integer({ min: 1, max: 1000 }).map((id): Hostile => ({ label: `byte array ${id} out of order`, frame: encodeBinary(Msg.SendByteArray, id, new Uint8Array(3)), expect: { rejected: true } })),
  fc.constant<Hostile>({ label: 'binary part over the limit', frame: encodeBinary(Msg.SendByteArray, 0, new Uint8Array(MAX + 1)), expect: { rejected: true } }),
);

const oversized = fc
  .integer({ min: MAX + 1, max: 3 * MAX })
  .chain((n) =>
    fc.constantFrom<Hostile>(
      { label: `text of ${n} bytes`, frame: JSON.stringify([Msg.StreamCredit, 1, 'x'.repeat(n)]), expect: { rejected: true } },
      { label: `completion frame of ${n} bytes`, frame: `![5,true,"${'x'.repeat(n)}"]`, expect: { rejected: true } },
    ),
  );

/** Frames a page may send that need no answer (late completions, credit for finished streams, acks): they must do no harm. */
const harmless = fc.oneof(
  fc.integer({ min: 2, max: 1e6 }).map((h): Hostile => ({ label: `late completion ${h}`, frame: JSON.stringify([Msg.EndInvokeJS, h, true, `[${h},true,null]`]), expect: { harmless: true } })),
  fc.integer({ min: 2, max: 1e6 }).map((h): Hostile => ({ label: `late completion frame ${h}`, frame: `![${h},true,null]`, expect: { harmless: true } })),
  fc.tuple(fc.integer({ min: 1, max: 1e6 }), fc.integer({ min: -5, max: 1e9 })).map(([id, n]): Hostile => ({ label: `credit ${id} ${n}`, frame: JSON.stringify([Msg.StreamCredit, id, n]), expect: { harmless: true } })),
  fc.constant<Hostile>({ label: 'ack 0', frame: JSON.stringify([Control.Ack, 0]), expect: { harmless: true } }),
);

const hostileFrames = fc.oneof(notJson, badCompletion, notAMessage, wrongTypes, badBatch, impossibleAck, creditAck, notForAPage, adversarialCall, badBinary, oversized, harmless);

test('a hostile page gets an error answer for every bad frame; the server and other circuits carry on', { timeout: 60_000 }, async (t) => {
  // Every bad frame must get its answer here, so the rate limit on them is off (output-bounds.test.ts tests it).
  const server = await startServer(t, { maxMessageSize: MAX, maxProtocolErrors: Infinity });
  t.after(registerInvokables('HostileTest', { Echo: (x: unknown) => x }));
  definePageGlobals(t, { hostileDouble: (x: number) => 2 * x });
  const good = await openPage(t, server);
  let hostile: RawPage | undefined;
  let probes = 0;

  await fc.assert(
    fc.asyncProperty(hostileFrames, async (bad) => {
      // A fresh hostile connection whenever the last one was closed (or the circuit ended).
      if (!hostile || hostile.socket.readyState !== hostile.socket.OPEN) hostile = await RawPage.open(t, server.url);
      const from = hostile.frames.length;
      hostile.send(bad.frame);
      const probe = `probe-${++probes}`;
      hostile.send([Msg.BeginInvokeDotNet, probe, 'HostileTest', 'Echo', 0, '[7]']);
      const probeAnswer = await hostile.next((f) => Array.isArray(f) && f[0] === Msg.EndInvokeDotNet && f[1] === probe, from);
      assert.deepEqual(probeAnswer, [Msg.EndInvokeDotNet, probe, true, '7'], bad.label);
      const answers = hostile.frames.slice(from, hostile.frames.indexOf(probeAnswer));
      if ('rejected' in bad.expect) {
        assert.ok(answers.some(isRejected), `${bad.label}: expected a Rejected answer, got ${JSON.stringify(answers)}`);
      } else if ('failedCall' in bad.expect) {
        const id = bad.expect.failedCall;
        const answer = answers.find((f: any) => Array.isArray(f) && f[0] === Msg.EndInvokeDotNet && f[1] === id) as any[] | undefined;
        assert.ok(answer, `${bad.label}: expected the call to be answered`);
        assert.equal(answer[2], false, bad.label);
        // Without detailedErrors the page learns nothing about the host beyond what it sent.
        assert.ok(/^There was an exception invoking|exceeds the maximum incoming message size/.test(answer[3]), `${bad.label}: ${answer[3]}`);
      }
      // The well-behaved page keeps working both ways.
      assert.equal(await good.circuit.js.invokeAsync('hostileDouble', probes), 2 * probes);
      assert.equal(await good.DotNet.invokeMethodAsync('HostileTest', 'Echo', probes), probes);
    }),
    { numRuns: Number(process.env.HOSTILE_RUNS ?? 300), seed: Number(process.env.HOSTILE_SEED ?? 4242) },
  );
  assert.equal(good.circuit.state, 'connected');
  assert.equal(server.stats().circuits, 2);
  assert.equal(({} as any).polluted, undefined);
});

/** What a circuit did with a run of hostile frames followed by a probe call: answered the probe, or ended with a reason. */
type ProbeOutcome = { answer: unknown[] } | { ended: string };

/**
 * Runs `property` over `arbitrary`: each run opens a fresh page that announces every feature,
 * sends what `send` makes of the value and then a probe call `Echo(7)`, and passes the outcome to
 * `check`. After each run the well-behaved page must still call both ways, and every `Rejected` a
 * hostile page got must carry a message. The server answers or ends; a hang fails by timeout.
 */
async function fuzzFrameRuns<T>(
  t: TestContext,
  serverOptions: Parameters<typeof startServer>[1],
  arbitrary: fc.Arbitrary<T>,
  send: (page: RawPage, value: T) => void,
  check: (outcome: ProbeOutcome, probe: string, value: T) => void,
): Promise<void> {
  const server = await startServer(t, { ...serverOptions, maxProtocolErrors: Infinity });
  t.after(registerInvokables('HostileRuns', { Echo: (x: unknown) => x }));
  definePageGlobals(t, { hostileRunsDouble: (x: number) => 2 * x });
  const good = await openPage(t, server);
  const features = PageFeature.CallFrames | PageFeature.SplitMessages | PageFeature.Drain | PageFeature.StreamWindow | PageFeature.ChunkFrames;
  const ends: string[] = [];
  server.on('circuitEnd', (_circuit: unknown, reason: string) => ends.push(reason));
  let probes = 0;
  await fc.assert(
    fc.asyncProperty(arbitrary, async (value) => {
      const hostile = await RawPage.open(t, server.url, { features });
      const endsBefore = ends.length;
      send(hostile, value);
      const probe = `run-probe-${++probes}`;
      hostile.send([Msg.BeginInvokeDotNet, probe, 'HostileRuns', 'Echo', 0, '[7]']);
      const first = await Promise.race([
        hostile.next((f) => Array.isArray(f) && f[0] === Msg.EndInvokeDotNet && f[1] === probe).then((answer: unknown[]) => ({ answer })),
        hostile.closed.then(() => 'closed' as const),
      ]);
      if (first === 'closed') assert.equal(ends.length, endsBefore + 1, `one end for this circuit: ${JSON.stringify(value)}`);
      check(first === 'closed' ? { ended: ends.at(-1)! } : first, probe, value);
      for (const frame of hostile.frames) {
        if (isRejected(frame)) assert.ok(typeof (frame as unknown[])[1] === 'string' && ((frame as unknown[])[1] as string).length > 20, JSON.stringify(frame));
      }
      hostile.socket.close();
      await hostile.closed;
      // The well-behaved page keeps working both ways.
      assert.equal(await good.circuit.js.invokeAsync('hostileRunsDouble', probes), 2 * probes);
      assert.equal(await good.DotNet.invokeMethodAsync('HostileRuns', 'Echo', probes), probes);
    }),
    { numRuns: Number(process.env.HOSTILE_RUNS ?? 150), seed: Number(process.env.HOSTILE_SEED ?? 4242) },
  );
  assert.equal(good.circuit.state, 'connected');
}

/**
 * A page told it may send byte arrays as a header with the length and then bare frames
 * (ServerFeature.BytesFrames) can get that count wrong in every way: a length the frames do not
 * fill or overrun, frames of any size, a header out of place.
 */
const byteArraySend = fc.record({
  id: fc.nat(3),
  declared: fc.oneof(fc.nat(3 * MAX), fc.constantFrom(0, MAX, MAX + 1, 2 ** 40)),
  frames: fc.array(fc.oneof(fc.nat(MAX + 2), fc.constant(MAX)), { maxLength: 5 }),
});

test('a page that sends byte arrays as header and bytes frames, with any lengths and cuts, gets an answer or a clear end; the server and other circuits carry on', { timeout: 120_000 }, (t) =>
  fuzzFrameRuns(
    t,
    { maxMessageSize: MAX, maxByteArrayBytes: 4 * MAX },
    fc.array(byteArraySend, { minLength: 1, maxLength: 3 }),
    (page, sends) => {
      for (const { id, declared, frames } of sends) {
        page.send(byteArrayHeader(Msg.SendByteArray, id, declared));
        for (const size of frames) page.send(new Uint8Array(size).fill(size & 0xff));
      }
    },
    (outcome, probe, sends) => {
      if ('answer' in outcome) {
        // The probe is the message that follows those arrays: when the limit refused them, it fails with Blazor's text.
        const refused = [Msg.EndInvokeDotNet, probe, false, `Exceeded the maximum byte array transfer limit for a call. (limit ${4 * MAX} bytes)`];
        assert.ok(isDeepStrictEqual(outcome.answer, [Msg.EndInvokeDotNet, probe, true, '7']) || isDeepStrictEqual(outcome.answer, refused), `${JSON.stringify(sends)}: ${JSON.stringify(outcome.answer)}`);
      } else if (sends.some(({ frames }) => frames.some((size) => (size & 0xff) === TEXT_PART))) {
        // A frame past an array's bytes is read as a frame of its own, and one whose first byte is
        // TEXT_PART is a split-text part: a malformed one ends the circuit, as other broken split texts do.
        assert.match(outcome.ended, /text frame where the bytes of a byte array were due|split message that breaks the protocol/, JSON.stringify(sends));
      } else {
        // Otherwise the only way such frames end a circuit: a text frame (the probe) where an array's bytes were due.
        assert.match(outcome.ended, /text frame where the bytes of a byte array were due/, JSON.stringify(sends));
      }
    },
  ),
);

/** The same for split texts: parts with any declared length, size and "more" flag. */
const textPart = fc.record({
  declared: fc.oneof(fc.integer({ min: -1, max: 4 * MAX }), fc.constantFrom(MAX, 2 * MAX, 16 * MAX, 2 ** 40)),
  size: fc.oneof(fc.nat(MAX + 2), fc.constant(MAX)),
  more: fc.boolean(),
});

test('a page that sends split-text parts with any lengths and cuts gets an answer or a clear end; the server and other circuits carry on', { timeout: 120_000 }, (t) =>
  fuzzFrameRuns(
    t,
    { maxMessageSize: MAX, maxCallSize: 8 * MAX },
    fc.array(textPart, { minLength: 1, maxLength: 4 }),
    (page, parts) => {
      for (const { declared, size, more } of parts) {
        const frame = encodeBinary(TEXT_PART, 0, new Uint8Array(size).fill(0x20), more);
        new DataView(frame.buffer).setFloat64(2, declared, true);
        page.send(frame);
      }
    },
    (outcome, probe, parts) => {
      if ('answer' in outcome) assert.deepEqual(outcome.answer, [Msg.EndInvokeDotNet, probe, true, '7'], JSON.stringify(parts));
      else assert.match(outcome.ended, /split message/, JSON.stringify(parts));
    },
  ),
);
