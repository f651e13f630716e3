/* The bench host in a module Worker (the Worker hosting model). */
import { connectToPage } from '../../src/worker.js';
import { startBenchHost } from './bench-host.js';

await startBenchHost(await connectToPage());
