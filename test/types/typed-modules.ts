/*
 * Typed modules: `js.import<typeof import('./x.js')>(…)` checks calls against the module's exports.
 * The module is test/fixtures/math-module.ts (add, addLater, greet, calledOnModule, Counter, config, version).
 */
import type { IJSObjectReference, IJSRuntime } from 'jsinterop';
import { expectTrue, type Equal } from './assert-type.js';

type MathModule = typeof import('../fixtures/math-module.js');

export async function functionExports(js: IJSRuntime): Promise<void> {
  const module = await js.import<MathModule>('./math-module.js');

  const sum = module.invokeAsync('add', 1, 2);
  expectTrue<Equal<typeof sum, Promise<number>>>();
  const n: number = await sum;

  // An async export's result is unwrapped: Promise<number>, not Promise<Promise<number>>.
  const later = module.invokeAsync('addLater', 1, 2);
  expectTrue<Equal<typeof later, Promise<number>>>();

  const greeting: string = await module.invokeAsync('greet', 'node');
  const done: void = await module.invokeVoidAsync('greet', 'node');

  // @ts-expect-error a misspelt export name
  void module.invokeAsync('ad', 1, 2);
  // @ts-expect-error a wrong argument type
  void module.invokeAsync('add', '1', 2);
  // @ts-expect-error too few arguments
  void module.invokeAsync('add', 1);
  // @ts-expect-error too many arguments
  void module.invokeAsync('add', 1, 2, 3);
  // @ts-expect-error calling an export that is not a function
  void module.invokeAsync('version');
  // @ts-expect-error the result type is the export's, not whatever the caller wishes
  const wrong: string = await module.invokeAsync('add', 1, 2);
  // @ts-expect-error invokeVoidAsync checks arguments too
  void module.invokeVoidAsync('greet', 42);

  void [n, greeting, done, wrong];
  await module.disposeAsync();
}

export async function classAndValueExports(js: IJSRuntime): Promise<void> {
  const module = await js.import<MathModule>('./math-module.js');

  const counter = await module.invokeConstructorAsync('Counter', 10);
  expectTrue<Equal<typeof counter, IJSObjectReference>>();
  // @ts-expect-error a wrong constructor argument type
  void module.invokeConstructorAsync('Counter', 'ten');
  // @ts-expect-error constructing a function export that is not a class
  void module.invokeConstructorAsync('add', 1, 2);

  const version = await module.getValueAsync('version');
  expectTrue<Equal<typeof version, '1.2.3'>>(); // a `const` export keeps its literal type
  const config = await module.getValueAsync('config');
  const answer: number = config.answer;
  // @ts-expect-error reading a function export as a value
  void module.getValueAsync('add');
  // @ts-expect-error reading an export that does not exist
  void module.getValueAsync('missing');

  // Members the module type does not narrow keep their untyped form.
  const ref = await module.invokeObjectReferenceAsync('calledOnModule');
  expectTrue<Equal<typeof ref, IJSObjectReference | null>>();
  const timed = module.with({ timeout: 1000 });
  const timedSum: number = await timed.invokeAsync('add', 1, 2);

  void [answer, timedSum];
  await counter.disposeAsync();
}

export async function untypedImport(js: IJSRuntime): Promise<void> {
  // Without a module type, import gives a plain reference that accepts any identifier.
  const module = await js.import('./math-module.js');
  expectTrue<Equal<typeof module, IJSObjectReference>>();
  const anything = await module.invokeAsync('whatever', 1, 'two');
  expectTrue<Equal<typeof anything, unknown>>();
  const typed: number = await module.invokeAsync<number>('add', 1, 2);
  void typed;
}
