/*
 * The host of the Chromium Worker test: a module Worker bundled with esbuild. It connects to the
 * page and offers 'BrowserWorkerTests' invokables; `Run(name)` runs host code calling the page
 * and returns what it saw. Outside a browser Worker (node --test runs every file under test/)
 * it does nothing.
 */
import { asInProcess, HostObjectReference, isInProcess, registerInvokables, type IJSRuntime } from '../../../../src/index.js';
import { connectToPage } from '../../../../src/worker.js';
import { elementScenario } from '../../elements/element-scenario.js';

const g = globalThis as any;
const checksum = (bytes: Uint8Array) => bytes.reduce((sum, b, i) => (sum + b * (i + 1)) % 1_000_000_007, 0);

function attempt(fn: () => unknown): unknown {
  try {
    return { value: fn() };
  } catch (error) {
    return { error: { name: (error as Error).name, message: (error as Error).message } };
  }
}

if (typeof g.WorkerGlobalScope === 'function' && g instanceof g.WorkerGlobalScope) {
  let js: IJSRuntime;
  const scenarios: Record<string, () => unknown> = {
    info: () => ({ model: js.hostingModel, inProcess: isInProcess(js), isolated: g.crossOriginIsolated === true }),
    asyncCalls: async () => ({
      sum: await js.invokeAsync('wtAdd', 2, 3),
      bytesSeen: await js.invokeAsync('wtInspectBytes', Uint8Array.from({ length: 1000 }, (_, i) => i & 0xff)),
      bytesFromPage: checksum(await js.invokeAsync<Uint8Array>('wtMakeBytes', 3000)),
    }),
    // A browser's setTimeout returns a number, not a Node Timeout with ref/unref: calls with a
    // deadline must still settle, and a deadline must still fire.
    deadlines: async () => {
      const timed = js.with({ timeout: 60_000 });
      const sums = [await timed.invokeAsync('wtAdd', 1, 2), await timed.invokeAsync('wtAdd', 3, 4)];
      const expired = await js
        .with({ timeout: 20 })
        .invokeAsync('wtNever')
        .then(
          () => 'settled',
          (error: Error) => error.name,
        );
      return { sums, expired };
    },
    syncCalls: () => {
      if (!isInProcess(js)) return { asyncOnly: attempt(() => asInProcess(js)) };
      const sync = asInProcess(js);
      return {
        sum: sync.invoke('wtAdd', 4, 5),
        // Larger than the page's 4 KiB sync buffer both ways: chunked, and multi-byte characters.
        echoed: sync.invoke<string>('wtEcho', 'é'.repeat(20_000)) === 'é'.repeat(20_000),
        made: sync.invoke<string>('wtRepeat', 'ab€', 20_000) === 'ab€'.repeat(20_000),
        bytes: checksum(sync.invoke<Uint8Array>('wtMakeBytes', 10_000)),
        error: attempt(() => sync.invoke('wtThrow')),
      };
    },
    importModule: async () => {
      const module = await js.import('./math-module.js');
      const result = { added: await module.invokeAsync('add', 1, 2), answer: await module.getValueAsync('config.answer') };
      await module.disposeAsync();
      return result;
    },
    elements: () => elementScenario(js),
    // A Blob of the page read through a JS stream reference: the page reads it with the Blob cursor, a chunk it loads on demand.
    blobFromPage: async () => {
      const reference = await js.invokeStreamReferenceAsync('wtMakeBlob', 1_000_000);
      try {
        const reader = reference.openReadStream({ maxAllowedSize: reference.length }).getReader();
        let length = 0;
        let sum = 0;
        for (let read = await reader.read(); !read.done; read = await reader.read()) {
          for (const byte of read.value) sum = (sum + byte * ++length) % 1_000_000_007;
        }
        return { length, checksum: sum };
      } catch (error) {
        return { error: (error as Error).message };
      } finally {
        await reference.disposeAsync();
      }
    },
    callbacks: async () => {
      const counter = { total: 0, add(n: number) { return (this.total += n); } };
      const reference = HostObjectReference.create(counter, { invokable: ['add'] });
      const seen = await js.invokeAsync('wtUseHostObject', reference);
      reference.dispose();
      return { seen, total: counter.total };
    },
  };
  registerInvokables('BrowserWorkerTests', {
    Run: (name: string) => scenarios[name]!(),
    SumBytes: (bytes: Uint8Array) => bytes.reduce((a, b) => a + b, 0),
    Never: () => new Promise(() => {}),
  });
  js = await connectToPage();
}
