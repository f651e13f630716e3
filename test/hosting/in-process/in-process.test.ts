import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { asInProcess, createInProcessRuntime, isInProcess, type IJSRuntime } from '../../../src/index.js';
import { freshDotNet, openPage, UNUSED_STATS } from '../../support/page.js';

describe('createInProcessRuntime', () => {
  test('without { DotNet } and without globalThis.DotNet it explains how to load the page package', () => {
    assert.equal((globalThis as any).DotNet, undefined);
    assert.throws(() => createInProcessRuntime(), {
      name: 'TypeError',
      message:
        "createInProcessRuntime needs the official page package: add `import 'jsinterop/page'` before creating the runtime " +
        '(it loads @microsoft/dotnet-js-interop and sets globalThis.DotNet), or pass { DotNet }.',
    });
  });

  test('it uses globalThis.DotNet when no DotNet is passed', async (t) => {
    const DotNet = await freshDotNet();
    (globalThis as any).DotNet = DotNet;
    t.after(() => delete (globalThis as any).DotNet);
    const js = createInProcessRuntime();
    assert.equal(js.invoke('Math.max', 1, 5, 3), 5);
  });

  test('the runtime reports the in-process hosting model and starts with empty stats', async (t) => {
    const { js } = await openPage(t);
    assert.equal(js.hostingModel, 'in-process');
    assert.deepEqual(js.stats(), UNUSED_STATS);
  });

  test('a byte array is passed to the page by reference, not copied', async (t) => {
    const { js, define } = await openPage(t);
    const bytes = new Uint8Array([1, 2, 3]);
    define('isSame', (received: unknown) => received === bytes);
    assert.equal(js.invoke('isSame', bytes), true);
  });
});

describe('isInProcess and asInProcess', () => {
  test('isInProcess is true for an in-process runtime and asInProcess returns it unchanged', async (t) => {
    const { js } = await openPage(t);
    const asRuntime: IJSRuntime = js;
    assert.equal(isInProcess(asRuntime), true);
    assert.equal(asInProcess(asRuntime), js);
    assert.equal(asInProcess(asRuntime).invoke('Math.min', 4, 2), 2);
  });

  test('a with() view of an in-process runtime is still in-process', async (t) => {
    const { js } = await openPage(t);
    const view = js.with({ timeout: 1000 });
    assert.equal(isInProcess(view), true);
    assert.equal(view.invoke('Math.abs', -3), 3);
  });

  test('an object that only looks like a runtime is not in-process, and asInProcess says why', () => {
    const lookalike = { invoke: () => 1 } as unknown as IJSRuntime;
    assert.equal(isInProcess(lookalike), false);
    assert.throws(() => asInProcess(lookalike), {
      name: 'TypeError',
      message: 'synchronous calls need an in-process runtime; this runtime was not created by jsinterop',
    });
  });
});

describe('one page, several runtimes', () => {
  test('each runtime on one page receives the completions of its own calls', async (t) => {
    const DotNet = await freshDotNet();
    const first = createInProcessRuntime({ DotNet });
    const second = createInProcessRuntime({ DotNet });
    (globalThis as any).whichRuntime = (n: number) => n;
    t.after(() => delete (globalThis as any).whichRuntime);
    const [a, b] = await Promise.all([first.invokeAsync('whichRuntime', 1), second.invokeAsync('whichRuntime', 2)]);
    assert.deepEqual([a, b], [1, 2]);
    assert.deepEqual([first.stats().callsToJS, second.stats().callsToJS], [1, 1]);
  });

  test('the legacy static DotNet.invokeMethodAsync becomes ambiguous, as in Blazor', async (t) => {
    const DotNet = await freshDotNet();
    createInProcessRuntime({ DotNet });
    createInProcessRuntime({ DotNet });
    assert.throws(() => DotNet.invokeMethodAsync('Any', 'Method'), {
      message:
        'There are multiple .NET runtimes present, so a default dispatcher could not be resolved. Use DotNetObject to invoke .NET instance methods.',
    });
  });
});

describe('ending an in-process runtime', () => {
  async function endable(t: import('node:test').TestContext) {
    const DotNet = await freshDotNet();
    const controller = new AbortController();
    const js = createInProcessRuntime({ DotNet, signal: controller.signal });
    const globals = globalThis as any;
    t.after(() => {
      delete globals.never;
      delete globals.callHost;
    });
    return { DotNet, js, controller, globals };
  }

  test('aborting its signal rejects pending calls with JSDisconnectedException and refuses later ones', async (t) => {
    const { js, controller, globals } = await endable(t);
    globals.never = () => new Promise(() => {});
    const pending = js.invokeAsync('never');
    controller.abort(new Error('the test is done'));
    const ended = { name: 'JSDisconnectedException', message: 'The in-process runtime has ended: the test is done. Create a new runtime to call the page again.' };
    await assert.rejects(pending, ended);
    await assert.rejects(js.invokeAsync('Math.max', 1, 2), ended);
    assert.throws(() => asInProcess(js).invoke('Math.max', 1, 2), ended);
  });

  test('the page’s calls into it fail with Blazor’s text, those in flight too, and its host objects are released', async (t) => {
    const { DotNet, js, controller } = await endable(t);
    const { HostObjectReference } = await import('../../../src/index.js');
    let finish!: () => void;
    const slow = HostObjectReference.create({ wait: () => new Promise<void>((resolve) => (finish = resolve)), ping: () => 'pong' }, { invokable: ['wait', 'ping'] });
    const received: any[] = [];
    (globalThis as any).callHost = (ref: any) => void received.push(ref);
    await js.invokeVoidAsync('callHost', slow);
    const inFlight = received[0].invokeMethodAsync('wait');
    assert.equal(js.stats().hostObjectReferences, 1);
    controller.abort('closing the tab');
    const text = 'The circuit associated with this dispatcher is no longer available. The jsinterop in-process runtime has ended: closing the tab';
    await assert.rejects(inFlight, { message: text });
    await assert.rejects(received[0].invokeMethodAsync('ping'), { message: text });
    assert.throws(() => DotNet.invokeMethod('Any', 'Method'), { message: text });
    assert.equal(js.stats().hostObjectReferences, 0);
    finish();
  });

  test('a signal already aborted gives a runtime that is ended from the start', async () => {
    const DotNet = await freshDotNet();
    const js = createInProcessRuntime({ DotNet, signal: AbortSignal.abort('not wanted') });
    await assert.rejects(js.getValueAsync('document'), { name: 'JSDisconnectedException', message: /ended: not wanted/ });
  });
});
