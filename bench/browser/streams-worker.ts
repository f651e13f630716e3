/* The stream bench's host in a module Worker (the Worker hosting model). */
import { connectToPage } from '../../src/worker.js';
import { startStreamHost } from './stream-host.js';

await startStreamHost(await connectToPage());
