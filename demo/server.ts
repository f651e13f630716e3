/*
 * `npm start`: builds the page bundles and serves the demo on 127.0.0.1 (PORT, default 5173).
 */
import { startDemoServer } from './demo-server.js';

const port = process.env.PORT === undefined || process.env.PORT === '' ? 5173 : Number(process.env.PORT);
if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`PORT must be a port number, got '${process.env.PORT}'.`);

const demo = await startDemoServer({ port }).catch((error: NodeJS.ErrnoException) => {
  if (error.code !== 'EADDRINUSE') throw error;
  console.error(`Port ${port} is in use; start with another one, e.g. PORT=5174 npm start`);
  process.exit(1);
});
console.log(`jsinterop demo: ${demo.url}  (Ctrl+C to stop)`);
const stop = () => void demo.close().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
