/*
 * Markers from the page are revived by a walk after a plain JSON.parse (src/host/json-codec.ts),
 * in place of a JSON.parse reviver. The walk must do exactly what the reviver did: the same
 * result, and the same objects offered in the same order (revival has effects: it takes byte
 * arrays and creates references). On the way out, arguments that are markers themselves are
 * written without the replacer, and must give the replacer's text and effects.
 */
import { describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { IN_PROCESS_ONLY, test } from '../support/hosting-models.js';
import { createJsonCodec, reviveMarkers, type CodecContext } from '../../src/host/json-codec.js';
import { HostObjectReference, HostStreamReference } from '../../src/index.js';
import { JSObjectReference, ReferenceState } from '../../src/host/js-object-reference.js';
import { JSStreamReference } from '../../src/host/js-stream-reference.js';
import type { InteropCore } from '../../src/host/core.js';

/** References built for the codec alone never call their runtime. */
const noCore = {} as InteropCore;

/** A stand-in for the codec's marker reviver: replaces {"__m": n} and logs every object it is offered. */
function recordingReviver() {
  const offered: string[] = [];
  const revive = (value: any): unknown => {
    offered.push(JSON.stringify(value));
    return Object.hasOwn(value, '__m') ? { revived: value.__m } : value;
  };
  return { offered, revive };
}

function viaJsonReviver(text: string) {
  const { offered, revive } = recordingReviver();
  const value = JSON.parse(text, (_key, v) => (v === null || typeof v !== 'object' || Array.isArray(v) ? v : revive(v)));
  return { value, offered };
}

function viaWalk(text: string) {
  const { offered, revive } = recordingReviver();
  return { value: reviveMarkers(JSON.parse(text), revive), offered };
}

const marker = fc.record({ __m: fc.integer() });
const jsonWithMarkers = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, fc.jsonValue({ maxDepth: 1 }), marker, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('__m', '__proto__', 'constructor')), tie('value'), { maxKeys: 4 }),
})).value;

describe('reviving markers after a plain parse', () => {
  test('gives what a JSON.parse reviver gives, offering the same objects in the same order', IN_PROCESS_ONLY.noPage, () => {
    fc.assert(
      fc.property(jsonWithMarkers, (value) => {
        const text = JSON.stringify(value);
        assert.deepStrictEqual(viaWalk(text), viaJsonReviver(text));
      }),
      { numRuns: 2000 },
    );
  });

  test('a "__proto__" key stays an own property and never sets the prototype', IN_PROCESS_ONLY.noPage, () => {
    const { value } = viaWalk('{"__proto__":{"__m":7},"x":[{"__m":1}]}');
    const parsed = value as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(parsed), Object.prototype);
    assert.deepEqual(Object.getOwnPropertyDescriptor(parsed, '__proto__')?.value, { revived: 7 });
    assert.deepEqual(parsed.x, [{ revived: 1 }]);
  });
});

describe('a completion that is one byte array', () => {
  /** The codec, with the page's byte arrays 0 and 1 received; other ids fail as the inbox fails them. */
  function codecWithArrays() {
    const arrays = [new Uint8Array([1]), new Uint8Array([2])];
    const taken: unknown[] = [];
    const context = {
      takeByteArray(id: unknown) {
        taken.push(id);
        const data = typeof id === 'number' ? arrays[id] : undefined;
        if (!data) throw new RangeError(`no byte array ${String(id)}`);
        return data;
      },
    } as unknown as CodecContext;
    return { codec: createJsonCodec(context), arrays, taken };
  }

  /** What JSON.parse and the marker walk give: the reference for the short cut. */
  function expected(text: string) {
    const { arrays, taken } = codecWithArrays();
    try {
      const value = reviveMarkers(JSON.parse(text), (v: any) => {
        if (!Object.hasOwn(v, '__byte[]')) return v;
        if (Object.keys(v).length !== 1) throw new SyntaxError('another key beside the marker');
        taken.push(v['__byte[]']);
        const data = typeof v['__byte[]'] === 'number' ? arrays[v['__byte[]']] : undefined;
        if (!data) throw new RangeError(`no byte array ${String(v['__byte[]'])}`);
        return data;
      });
      return { value, taken };
    } catch (error) {
      return { error: (error as Error).constructor.name, taken };
    }
  }

  function actual(text: string) {
    const { codec, taken } = codecWithArrays();
    try {
      return { value: codec.parse(text), taken };
    } catch (error) {
      return { error: (error as Error).constructor.name, taken };
    }
  }

  test('parses to what the general path gives, for the exact text and every near miss', IN_PROCESS_ONLY.noPage, () => {
    const handles = ['0', '7', '12345', '007', '-1', '1.5', '1e3', '9007199254740991', '9007199254740993', '12345678901234567'];
    const ids = ['0', '1', '2', '01', '1.0', '-0', '"0"'];
    const texts: string[] = [];
    for (const handle of handles) {
      for (const id of ids) {
        texts.push(`[${handle},true,{"__byte[]":${id}}]`, `[${handle},false,{"__byte[]":${id}}]`, `[${handle}, true, {"__byte[]": ${id}}]`);
      }
    }
    texts.push('[1,true,{"__byte[]":0,"x":1}]', '[1,true,{"__byte[]":0}] ', '[1,true,{"__byte[]":0}', '[1,true,[{"__byte[]":0}]]');
    for (const text of texts) assert.deepStrictEqual(actual(text), expected(text), text);
    // The array itself, not a copy.
    const { codec, arrays } = codecWithArrays();
    assert.equal((codec.parse('[7,true,{"__byte[]":1}]') as unknown[])[2], arrays[1]);
  });
});

describe('arguments that are byte arrays or references themselves', () => {
  type Kind = 'bytes' | 'buffer' | 'hostObject' | 'hostStream' | 'jsObject' | 'disposedJsObject' | 'jsStream';
  type Spec = { json: unknown } | { kind: Kind };

  /** A codec whose context numbers what it is given and logs every call, in order. */
  function recordingCodec() {
    const log: unknown[] = [];
    let next = 1;
    const context = {
      serializingHandle: 0,
      sendByteArray: (data: Uint8Array) => (log.push(['bytes', [...data]]), next++),
      adoptForPage: () => (log.push('adopt'), next++),
      transmitHostStream: (reference: HostStreamReference) => (log.push(['stream', reference.sent]), reference.take(), next++),
      argumentIdOf: (reference: JSObjectReference | JSStreamReference) => (log.push(['reference', reference.state.id]), reference.state.id),
    } as unknown as CodecContext;
    return { codec: createJsonCodec(context), log };
  }

  /** Fresh values for `specs` (a host stream can be sent once). */
  const build = (specs: readonly Spec[]): unknown[] =>
    specs.map((spec) => {
      if ('json' in spec) return structuredClone(spec.json);
      if (spec.kind === 'bytes') return new Uint8Array([1, 2]);
      if (spec.kind === 'buffer') return Buffer.from([3]);
      if (spec.kind === 'hostObject') return HostObjectReference.create({});
      if (spec.kind === 'hostStream') return HostStreamReference.create(new Uint8Array([4]));
      const state = new ReferenceState(spec.kind === 'jsStream' ? 8 : 5);
      if (spec.kind === 'jsStream') return new JSStreamReference(noCore, state, 3);
      state.disposed = spec.kind === 'disposedJsObject';
      return new JSObjectReference(noCore, state);
    });

  /** The codec's text, or the error it threw. */
  const outcome = (write: () => string): unknown => {
    try {
      return write();
    } catch (error) {
      return { threw: (error as Error).constructor.name, message: (error as Error).message };
    }
  };

  const spec: fc.Arbitrary<Spec> = fc.oneof(
    fc.jsonValue({ maxDepth: 2 }).map((json) => ({ json })),
    fc.constantFrom<Kind>('bytes', 'buffer', 'hostObject', 'hostStream', 'jsObject', 'disposedJsObject', 'jsStream').map((kind) => ({ kind })),
  );

  test('are written as the replacer writes them, with the same context calls in the same order', IN_PROCESS_ONLY.noPage, () => {
    fc.assert(
      fc.property(fc.array(spec, { maxLength: 5 }), (specs) => {
        // The same values one level down, inside an array argument, take the replacer.
        const direct = recordingCodec();
        const text = outcome(() => `[${direct.codec.stringifyArgs('f', build(specs))}]`);
        const nested = recordingCodec();
        const nestedText = outcome(() => nested.codec.stringifyArgs('f', [build(specs)]));
        assert.deepStrictEqual(text, nestedText);
        assert.deepStrictEqual(direct.log, nested.log);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('Node Buffers', () => {
  type Tree = { json: unknown } | { bytes: number[] } | { array: Tree[] } | { object: [string, Tree][] };
  const tree: fc.Arbitrary<Tree> = fc.letrec<{ tree: Tree }>((tie) => ({
    tree: fc.oneof(
      { depthSize: 'small' },
      fc.jsonValue({ maxDepth: 1 }).map((json) => ({ json })),
      fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 4 }).map((bytes) => ({ bytes })),
      fc.array(tie('tree'), { maxLength: 3 }).map((array) => ({ array })),
      fc.array(fc.tuple(fc.oneof(fc.string(), fc.constantFrom('__proto__', 'toJSON', 'data')), tie('tree')), { maxLength: 3 }).map((object) => ({ object })),
    ),
  })).tree;

  /** The tree's value, its byte arrays as Buffers or as plain Uint8Arrays. */
  function build(t: Tree, asBuffer: boolean): unknown {
    if ('json' in t) return structuredClone(t.json);
    if ('bytes' in t) return asBuffer ? Buffer.from(t.bytes) : new Uint8Array(t.bytes);
    if ('array' in t) return t.array.map((item) => build(item, asBuffer));
    const object: Record<string, unknown> = {};
    for (const [key, item] of t.object) Object.defineProperty(object, key, { value: build(item, asBuffer), enumerable: true, configurable: true, writable: true });
    return object;
  }

  /** A codec that records the bytes it is given to send. */
  function bytesCodec() {
    const sent: number[][] = [];
    const context = { sendByteArray: (data: Uint8Array) => sent.push([...data]) } as unknown as CodecContext;
    return { codec: createJsonCodec(context), sent };
  }

  test('are written, as arguments and as results, exactly as Uint8Arrays of the same bytes', IN_PROCESS_ONLY.noPage, () => {
    fc.assert(
      fc.property(fc.array(tree, { maxLength: 3 }), (trees) => {
        const viaBuffers = bytesCodec();
        const viaArrays = bytesCodec();
        const args = (asBuffer: boolean) => trees.map((t) => build(t, asBuffer));
        assert.equal(viaBuffers.codec.stringifyArgs('f', args(true)), viaArrays.codec.stringifyArgs('f', args(false)));
        assert.equal(viaBuffers.codec.stringifyValue('F', args(true)), viaArrays.codec.stringifyValue('F', args(false)));
        assert.deepStrictEqual(viaBuffers.sent, viaArrays.sent);
      }),
      { numRuns: 1000 },
    );
  });

  test('are sent themselves, and their toJSON never runs', IN_PROCESS_ONLY.noPage, () => {
    let toJSONCalls = 0;
    class CountingBuffer extends Uint8Array {
      toJSON(): unknown {
        toJSONCalls++;
        return { counted: true };
      }
    }
    const sent: Uint8Array[] = [];
    const codec = createJsonCodec({ sendByteArray: (data: Uint8Array) => sent.push(data) } as unknown as CodecContext);
    const [top, nested, inResult, alone] = [new CountingBuffer(1), new CountingBuffer(2), new CountingBuffer(3), new CountingBuffer(4)];
    assert.equal(codec.stringifyArgs('f', [top, { file: { data: nested } }]), '[{"__byte[]":1},{"file":{"data":{"__byte[]":2}}}]');
    assert.equal(codec.stringifyValue('F', { list: [inResult] }), '{"list":[{"__byte[]":3}]}');
    assert.equal(codec.stringifyValue('F', alone), '{"__byte[]":4}');
    assert.deepEqual(sent, [top, nested, inResult, alone]);
    assert.ok(sent.every((data, i) => data === [top, nested, inResult, alone][i]));
    assert.equal(toJSONCalls, 0);
  });
});
