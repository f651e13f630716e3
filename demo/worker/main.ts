/*
 * The Worker panel's host: this module Worker is where the component runs. `connectToPage()`
 * answers the page's `hostInWorker(worker)`; on a cross-origin isolated page the runtime can
 * also call the page synchronously (isInProcess(js) is true), blocking this thread, never the page's.
 */
import { connectToPage } from '../../src/worker.js';
import { startDemoHost } from '../component/host.js';

const js = await connectToPage();
await startDemoHost(js).mount();
