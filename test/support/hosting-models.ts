/*
 * The conformance tests describe behaviour every hosting model must share, so each one runs
 * under every model the test process can host: in-process, and the Worker model over a
 * same-thread MessageChannel (support/worker-channel.ts). This module's `test` registers a test
 * once per model, the model in its name, and tells `openPage(t)` which one to build.
 *
 * A test that only one model can run says so, with the reason, through `inProcessOnly`: its
 * body then gets a plain TestContext, so `openPage(t)` gives it an in-process page with the
 * synchronous API, which a both-model body cannot reach (a type error, not a runtime surprise).
 */
import { test as nodeTest, type TestContext, type TestOptions } from 'node:test';

export type HostingModel = 'in-process' | 'worker-channel';

/** Registration order: the in-process test first, its Worker twin right after it. */
const MODELS: readonly HostingModel[] = ['in-process', 'worker-channel'];

const SUFFIX: Record<HostingModel, string> = { 'in-process': '', 'worker-channel': ' [worker channel]' };

const MODEL = Symbol('hosting model');

/** The context of a test that runs under every model; `openPage` reads the model from it. */
export type ModelContext = TestContext & { readonly [MODEL]: HostingModel };

export interface ModelTestOptions extends TestOptions {
  /** Run in-process only, for this reason (a sentence saying what the Worker channel cannot do). */
  readonly inProcessOnly?: string;
}

/** The model a test registered with {@link test} runs under; in-process for any other test. */
export function modelOf(t: TestContext): HostingModel {
  return (t as Partial<ModelContext>)[MODEL] ?? 'in-process';
}

/** Reasons shared by several files for keeping a test in-process. */
export const IN_PROCESS_ONLY = {
  /** Host-to-page sync calls exist in a real Worker, but not when host and page share the thread. */
  syncCalls: { inProcessOnly: 'synchronous host-to-page calls need the host to block while another thread answers' },
  /** The Worker model refuses these by design: the page must never block on the host. */
  pageSyncCalls: { inProcessOnly: 'the page calls the host synchronously (DotNet.invokeMethod), which only an in-process host answers' },
  /** No page: the test checks the host API alone, so there is no message path to run it through. */
  noPage: { inProcessOnly: 'no page is involved, so there is no message path to take' },
} as const satisfies Record<string, ModelTestOptions>;

type Body<C> = (t: C) => void | Promise<void>;

/** Registers `fn` under every hosting model, or in-process only when the options say why. */
export function test(name: string, fn: Body<ModelContext>): void;
export function test(name: string, options: ModelTestOptions & { readonly inProcessOnly: string }, fn: Body<TestContext>): void;
export function test(name: string, options: ModelTestOptions, fn: Body<ModelContext>): void;
export function test(name: string, optionsOrFn: ModelTestOptions | Body<ModelContext>, maybeFn?: Body<ModelContext>): void {
  const [options, fn]: [ModelTestOptions, Body<any>] = typeof optionsOrFn === 'function' ? [{}, optionsOrFn] : [optionsOrFn, maybeFn!];
  const { inProcessOnly, ...nodeOptions } = options;
  if (inProcessOnly !== undefined) {
    if (!inProcessOnly.trim()) throw new TypeError(`test '${name}': inProcessOnly needs the reason the Worker channel cannot run it`);
    nodeTest(name, nodeOptions, (t) => fn(t));
    return;
  }
  for (const model of MODELS) {
    nodeTest(`${name}${SUFFIX[model]}`, nodeOptions, (t) => fn(Object.assign(t, { [MODEL]: model }) as ModelContext));
  }
}
