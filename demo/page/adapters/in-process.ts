/*
 * In-process: the host code runs on the page's own thread (Blazor WebAssembly's model), with a
 * runtime attached to the page's copy of the official package. Reopening the panel mounts a new
 * component on the same runtime.
 */
import { createInProcessRuntime } from '../../../src/index.js';
import { startDemoHost, type DemoHost } from '../../component/host.js';
import type { HostingAdapter } from './adapter.js';

export function inProcessAdapter(): HostingAdapter {
  let host: DemoHost | undefined;
  return {
    model: 'in-process',
    title: 'In-process',
    where: "Host code runs on the page's main thread, in the same realm as the official package.",
    async start(events) {
      if (!host) {
        host = startDemoHost(createInProcessRuntime());
        events.connection('same thread', true);
      }
      await host.mount();
    },
  };
}
