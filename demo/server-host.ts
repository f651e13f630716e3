/*
 * The server panel's host: the server hosting model attached to the demo's HTTP server. Every
 * page that connects gets a circuit with its own IJSRuntime, and the same component the other
 * panels run in the browser runs here, in Node, for that circuit.
 */
import type http from 'node:http';
import { createInteropServer, type InteropServer } from '../src/server.js';
import { startDemoHost } from './component/host.js';
import { INTEROP_PATH } from './endpoints.js';

export function attachServerHost(server: http.Server): Promise<InteropServer> {
  return createInteropServer({
    server,
    path: INTEROP_PATH,
    onCircuit: async (circuit) => {
      const host = startDemoHost(circuit.js);
      void circuit.ended.then(() => host.stop());
      await host.mount();
    },
  });
}
