/*
 * Sync members exist only on in-process runtimes and references: `IJSRuntime` has none,
 * `asInProcess(js)` / `isInProcess(js)` give them.
 */
import { asInProcess, isInProcess, type IJSInProcessObjectReference, type IJSInProcessRuntime, type IJSRuntime } from 'jsinterop';
import { expectTrue, type Equal } from './assert-type.js';

type MathModule = typeof import('../fixtures/math-module.js');

export function runtimeSyncMembers(js: IJSRuntime): void {
  // @ts-expect-error IJSRuntime has no sync invoke: the host may be out of process
  js.invoke('Math.max', 1, 2);
  // @ts-expect-error nor getValue
  js.getValue('document.title');

  const inProcess = asInProcess(js);
  expectTrue<Equal<typeof inProcess, IJSInProcessRuntime>>();
  const max = inProcess.invoke<number>('Math.max', 1, 2);
  expectTrue<Equal<typeof max, number>>();
  const ref = inProcess.invokeObjectReference('makeThing');
  expectTrue<Equal<typeof ref, IJSInProcessObjectReference | null>>();
  const made = inProcess.invokeConstructor('Date', 0);
  expectTrue<Equal<typeof made, IJSInProcessObjectReference>>();
  made.dispose();

  if (isInProcess(js)) {
    const narrowed: number = js.invoke<number>('Math.min', 1, 2);
    void narrowed;
  }
}

export async function inProcessReferences(js: IJSInProcessRuntime): Promise<void> {
  const ref = await js.invokeObjectReferenceAsync('makeThing');
  // @ts-expect-error an async call's reference is the async kind: no sync members
  ref!.invoke('x');
  // @ts-expect-error and it may be null
  void ref.id;

  const module = await js.import<MathModule>('./math-module.js');
  const greeting = module.invoke('greet', 'node');
  expectTrue<Equal<typeof greeting, string>>();
  const total: number = module.invoke('add', 1, 2);
  // @ts-expect-error a sync call cannot wait for an async export
  module.invoke('addLater', 1, 2);
  // @ts-expect-error sync calls check argument types too
  module.invoke('add', 1, '2');
  const counter = module.invokeConstructor('Counter', 1);
  expectTrue<Equal<typeof counter, IJSInProcessObjectReference>>();
  const version: string = module.getValue('version');
  module.dispose();
  void [total, version];
}
