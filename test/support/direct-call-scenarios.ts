/*
 * The scenarios of the in-process direct path's differential test
 * (test/hosting/in-process/direct-calls.test.ts): plain data, so fast-check can print and shrink
 * them. A scenario gives four page functions a behavior each (return a value of some kind, maybe
 * after changing their arguments, or throw something) and lists the calls the host makes.
 */
import fc from 'fast-check';

export type Special =
  | 'undefined'
  | 'NaN'
  | 'Infinity'
  | '-Infinity'
  | '-0'
  | 'sparse'
  | 'date'
  | 'deep100'
  | 'deep300'
  | 'markerKey'
  | 'hasOwnPropertyKey'
  | 'elementKey'
  | 'quotes'
  | 'bytes'
  | 'nestedBytes'
  | 'reference'
  | 'hostObject'
  | 'hostStream'
  | 'nestedHostStream'
  | 'objectKey'
  | 'streamKey'
  | 'byteKey'
  | 'markersInMarker'
  | 'markerWithMore';

export type ResultSpecial =
  | Special
  | 'toJSON'
  | 'getter'
  | 'proxy'
  | 'bigint'
  | 'cycle'
  | 'function'
  | 'symbol'
  | 'promise'
  | 'rejectingThenable'
  | 'dotNetObject'
  | 'loneSurrogate'
  | 'args'
  | 'this';

export type Value = { json: unknown } | { special: Special };
export type Result = { json: unknown } | { special: ResultSpecial };
export type Thrown = 'Error' | 'TypeError' | 'multiline' | 'string' | 'number' | 'null' | 'undefined' | 'object' | 'toString' | 'noStack';
export type Behavior = { returns: Result; mutatesArgs: boolean } | { throws: Thrown };

export const MEMBERS = [
  'f0',
  'f1',
  'f2',
  'ns.inner.fn',
  'ns.missing.fn',
  'ns.inner',
  'counted',
  'data',
  'Widget',
  'notFn',
  'readOnly',
  'absent',
] as const;

export interface Call {
  /** 'window': `fx.<member>` (or the global `fxTop`) on window; 'root': `<member>` on a reference to the page object. */
  readonly target: 'window' | 'root';
  readonly member: (typeof MEMBERS)[number] | 'fxTop';
  readonly callType: 1 | 2 | 3 | 4;
  readonly resultType: 0 | 1 | 2 | 3;
  readonly sync: boolean;
  readonly args: readonly Value[];
}

export interface Scenario {
  readonly behaviors: readonly [Behavior, Behavior, Behavior, Behavior];
  readonly getterValue: Result;
  readonly calls: readonly Call[];
}

const SPECIALS: readonly Special[] = [
  'undefined',
  'NaN',
  'Infinity',
  '-Infinity',
  '-0',
  'sparse',
  'date',
  'deep100',
  'deep300',
  'markerKey',
  'hasOwnPropertyKey',
  'elementKey',
  'quotes',
  'bytes',
  'nestedBytes',
  'reference',
  'hostObject',
  'hostStream',
  'nestedHostStream',
  'objectKey',
  'streamKey',
  'byteKey',
  'markersInMarker',
  'markerWithMore',
];
const RESULT_SPECIALS: readonly ResultSpecial[] = [
  ...SPECIALS,
  'toJSON',
  'getter',
  'proxy',
  'bigint',
  'cycle',
  'function',
  'symbol',
  'promise',
  'rejectingThenable',
  'dotNetObject',
  'loneSurrogate',
  'args',
  'this',
];
const THROWN: readonly Thrown[] = ['Error', 'TypeError', 'multiline', 'string', 'number', 'null', 'undefined', 'object', 'toString', 'noStack'];

const json = fc.jsonValue({ maxDepth: 3 });
const value: fc.Arbitrary<Value> = fc.oneof(json.map((j) => ({ json: j })), fc.constantFrom(...SPECIALS).map((s) => ({ special: s })));
const result: fc.Arbitrary<Result> = fc.oneof(
  { weight: 1, arbitrary: json.map((j) => ({ json: j })) },
  { weight: 3, arbitrary: fc.constantFrom(...RESULT_SPECIALS).map((s) => ({ special: s })) },
);
const behavior: fc.Arbitrary<Behavior> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ returns: result, mutatesArgs: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ throws: fc.constantFrom(...THROWN) }) },
);
const call: fc.Arbitrary<Call> = fc.record({
  target: fc.constantFrom('window', 'root'),
  member: fc.oneof({ weight: 4, arbitrary: fc.constantFrom('f0', 'f1', 'f2', 'ns.inner.fn') }, { weight: 3, arbitrary: fc.constantFrom(...MEMBERS, 'fxTop') }),
  callType: fc.oneof({ weight: 5, arbitrary: fc.constant(1 as const) }, { weight: 2, arbitrary: fc.constantFrom(2 as const, 3 as const, 4 as const) }),
  resultType: fc.oneof(
    { weight: 5, arbitrary: fc.constant(0 as const) },
    { weight: 2, arbitrary: fc.constant(3 as const) },
    { weight: 1, arbitrary: fc.constantFrom(1 as const, 2 as const) },
  ),
  sync: fc.boolean(),
  args: fc.array(value, { maxLength: 3 }),
});
export const scenario: fc.Arbitrary<Scenario> = fc.record({
  behaviors: fc.tuple(behavior, behavior, behavior, behavior),
  getterValue: result,
  calls: fc.array(call, { minLength: 1, maxLength: 8 }),
});
