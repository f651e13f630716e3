/*
 * The in-process direct path (src/page/direct-calls.ts) against the package's dispatcher, side by
 * side: every generated scenario runs twice, on two fresh and identical pages (a new instance of
 * the official package each, the same page objects built by the same code), once with the direct
 * path and once with `directCalls: false`, and everything either side can observe must be equal:
 * what each call returned or threw on the host (value, byte arrays, references and their ids,
 * exception type, message and JS stack), what the page functions saw and did (their arguments,
 * `this`, getters, setters, toJSON and Proxy traps run, in order), the page's objects afterwards,
 * the page's reference table (which ids exist, the next id) and the host's stats.
 *
 * Stacks: the direct path runs a function two frames below the glue's entry, as the package does,
 * so a stack may differ only in the text of those frames (the package's processJSCall and
 * invokeJSFromDotNet, the direct path's callPage and invoke, and the glue's entry, whose column
 * differs); each is replaced by one placeholder line before comparing, so their number and
 * place must still agree.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createInProcessRuntime, HostStreamReference, JSException, pageAbortSignal } from '../../../src/index.js';
import { JSObjectReference } from '../../../src/host/js-object-reference.js';
import { JSStreamReference } from '../../../src/host/js-stream-reference.js';
import { argument, openWorld, structuredCloneOrText, type PageStream, type World } from '../../support/direct-call-pages.js';
import { scenario, type Call, type Scenario } from '../../support/direct-call-scenarios.js';
import { freshDotNet } from '../../support/page.js';
import type { DotNetNamespace } from '../../../src/page/official-package.js';

// ---- running and observing ----

/** A frame of the dispatch machinery: the package's, the direct path's or the glue's entry. */
const MACHINERY_FRAME =
  /^ {4}at (?:CallDispatcher\.(?:processJSCall|invokeJSFromDotNet|beginInvokeJSFromDotNet) |stringifyArgs |callPage |Object\.(?:invoke|begin) |encodeResult |encodeCompletion )/;

/** A stack or a text holding one, with the machinery's frames as placeholders and instance URLs alike. */
function comparableText(text: unknown): unknown {
  if (typeof text !== 'string') return text;
  return text
    .split('\n')
    .map((line) => (MACHINERY_FRAME.test(line) ? '    at <dispatch>' : line.replace(/\?instance=\d+/g, '')))
    .join('\n');
}

function observedError(error: unknown): unknown {
  if (error instanceof JSException) {
    return { JSException: comparableText(error.message), jsStack: comparableText(error.jsStack), cause: observedError(error.cause) };
  }
  if (error instanceof Error) return { name: error.name, constructor: error.constructor.name, message: comparableText(error.message), stack: comparableText(error.stack) };
  return { thrown: error };
}

function observedValue(value: unknown): unknown {
  if (value instanceof JSObjectReference) return { jsObjectReference: value.state.id };
  if (value instanceof JSStreamReference) return { jsStreamReference: value.state.id, length: value.length };
  if (Array.isArray(value)) return value.map(observedValue);
  if (value instanceof Uint8Array) return { bytes: [...value] };
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, observedValue(v)]));
  return value;
}

/** The bytes a DotNetStream the page received gives, or 'pending' while its host stream has not been supplied. */
async function streamContent(stream: PageStream): Promise<unknown> {
  const pending = Symbol('pending');
  const readable = await Promise.race([stream.stream(), new Promise<symbol>((resolve) => setImmediate(resolve, pending))]);
  if (readable === pending) return 'pending';
  return [...new Uint8Array(await new Response(readable as ReadableStream<Uint8Array>).arrayBuffer())];
}

function identifierOf(call: Call): string {
  if (call.member === 'fxTop') return 'fxTop';
  return call.target === 'window' ? `fx.${call.member}` : call.member;
}

async function perform(world: World, call: Call): Promise<unknown> {
  const targetId = call.target === 'window' || call.member === 'fxTop' ? 0 : world.rootId;
  const args = call.args.map((spec) => argument(spec, world));
  const identifier = identifierOf(call);
  let outcome: unknown;
  try {
    const returned = call.sync
      ? world.core.callSync(targetId, identifier, args, call.resultType, call.callType)
      : await world.core.callAsync(targetId, identifier, args, call.resultType, call.callType, undefined);
    if (returned instanceof JSObjectReference) world.references.push(returned);
    outcome = { returned: observedValue(returned) };
  } catch (error) {
    outcome = { threw: observedError(error) };
  }
  return outcome;
}

/** Which ids the page's reference table holds, and the id it would give next. */
function referenceTable(DotNet: DotNetNamespace): unknown {
  const next = DotNet.createJSObjectReference({}).__jsObjectId;
  const present: number[] = [];
  for (let id = 0; id < next; id++) {
    try {
      DotNet.findJSFunction('toString', id, 1 as never);
      present.push(id);
    } catch {
      // No object with that id.
    }
  }
  return { next, present };
}

function pageObjects(world: World): unknown {
  const root = world.root;
  const own: Record<string, unknown> = {};
  for (const key of Object.keys(root)) {
    const descriptor = Object.getOwnPropertyDescriptor(root, key)!;
    if ('value' in descriptor) own[key] = typeof descriptor.value === 'function' ? `function ${descriptor.value.name}` : structuredCloneOrText(descriptor.value);
  }
  return own;
}

/** Runs a scenario's calls in one world and returns everything observable. */
async function observe(scenario: Scenario, direct: boolean): Promise<unknown> {
  const world = await openWorld(scenario, direct);
  const g = globalThis as any;
  g.fx = world.root;
  g.fxTop = world.root.f0;
  try {
    const outcomes: unknown[] = [];
    for (const call of scenario.calls) outcomes.push(await perform(world, call));
    // Completions of calls still pending (a rejected thenable settles a few ticks later) are part of it too.
    await new Promise((resolve) => setImmediate(resolve));
    return {
      outcomes,
      log: world.log,
      streams: await Promise.all(world.streams.map(streamContent)),
      page: pageObjects(world),
      referenceTable: referenceTable(world.DotNet),
      stats: world.js.stats(),
    };
  } finally {
    delete g.fx;
    delete g.fxTop;
  }
}

/** The scenario's observations in both worlds: direct path first, then the package dispatcher. */
async function observeBoth(s: Scenario): Promise<unknown[]> {
  const observed: unknown[] = [];
  // One call site for both: the host's frames below the page function must read the same.
  for (const direct of [true, false]) observed.push(await observe(s, direct));
  return observed;
}

describe('in-process direct path', () => {
  test('every generated call observes the same as through the package dispatcher', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const [direct, official] = await observeBoth(s);
        assert.deepStrictEqual(direct, official);
      }),
      { numRuns: 500 },
    );
  });

  test("revivers the application attached see none of the probes that find the package's internals", async () => {
    const DotNet = await freshDotNet();
    const seen: unknown[] = [];
    DotNet.attachReviver((key: unknown, value: unknown) => (seen.push([key, value]), value));
    createInProcessRuntime({ DotNet });
    assert.deepEqual(seen, []);
  });

  test('it is taken for calls without markers, and the package dispatcher for the others', async () => {
    const DotNet = await freshDotNet();
    const js = createInProcessRuntime({ DotNet });
    // The page function's own stack shows which path called it.
    (globalThis as any).directStack = () => new Error('probe').stack!;
    try {
      assert.match(js.invoke<string>('directStack'), /at callPage /, 'a plain call takes the direct path');
      assert.doesNotMatch(js.invoke<string>('directStack', { __x: 1 }), /at callPage /, 'a marker-like key takes the dispatcher');
      assert.match(js.invoke<string>('directStack', new Uint8Array(1)), /at callPage /, "a byte array, the package's marker, takes the direct path");
      assert.match(js.invoke<string>('directStack', HostStreamReference.create(new Uint8Array(1))), /at callPage /, 'so does a host stream');
      assert.match(js.invoke<string>('directStack', { a: { __dotNetObject: 1 } }), /at callPage /, 'and a host object marker inside an object');
      assert.doesNotMatch(js.invoke<string>('directStack', { __internalId: 'x' }), /at callPage /, "an element, the glue's own marker, takes the dispatcher");
      assert.doesNotMatch(js.invoke<string>('directStack', pageAbortSignal), /at callPage /, 'an abort signal takes the dispatcher');
      assert.match(js.invoke<string>('directStack', { a: [1] }), /at callPage /, "the glue's abort-signal reviver, now attached, changes nothing");
      DotNet.attachReviver((_key: unknown, v: unknown) => v);
      assert.doesNotMatch(js.invoke<string>('directStack'), /at callPage /, 'a reviver of the application takes the dispatcher');
    } finally {
      delete (globalThis as any).directStack;
    }
  });
});
