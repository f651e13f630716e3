/*
 * `npm start` until the three-panel demo exists: the README quickstart, in-process, in Node,
 * printing what each step does.
 */
import '../../src/page.js';
import { asInProcess, createInProcessRuntime, HostObjectReference, JSInvokable, registerInvokables } from '../../src/index.js';

const js = createInProcessRuntime();
const inProcess = asInProcess(js);
console.log(`hosting model: ${js.hostingModel}; sync calls: ${inProcess === js}`);

console.log(`invoke('Math.max', 1, 5, 3)         -> ${inProcess.invoke<number>('Math.max', 1, 5, 3)}`);

{
  await using module = await js.import<typeof import('./scripts.js')>(new URL('./scripts.js', import.meta.url).href);
  console.log(`module.invokeAsync('add', 1, 2)     -> ${await module.invokeAsync('add', 1, 2)}`);
  console.log(`module.invokeAsync('greet', 'you')  -> ${await module.invokeAsync('greet', 'you')}`);
  console.log(`module.invokeAsync('sumBytes', ..)  -> ${await module.invokeAsync('sumBytes', new Uint8Array([1, 2, 3, 4]))} (bytes sent out of band)`);
  console.log(`module.getValueAsync('build')       -> ${JSON.stringify(await module.getValueAsync('build'))}`);
  console.log(`live JS references inside 'using'   -> ${js.stats().jsObjectReferences}`);
}
console.log(`live JS references after 'using'    -> ${js.stats().jsObjectReferences}`);

class Counter {
  count = 0;
  @JSInvokable('Increment')
  increment(by: number): number {
    return (this.count += by);
  }
}
registerInvokables('Quickstart', { Shout: (text: string) => text.toUpperCase() });
const DotNet = (globalThis as any).DotNet;
console.log(`page: DotNet.invokeMethodAsync('Quickstart', 'Shout', 'hi') -> ${await DotNet.invokeMethodAsync('Quickstart', 'Shout', 'hi')}`);

using counter = HostObjectReference.create(new Counter());
(globalThis as any).clickTwice = async (dotNetObject: any) => {
  await dotNetObject.invokeMethodAsync('Increment', 1);
  return dotNetObject.invokeMethodAsync('Increment', 1);
};
console.log(`page calls counter.Increment twice   -> ${await js.invokeAsync('clickTwice', counter)}`);
