/*
 * Server hosting: a circuit's runtime is an IJSRuntime (async only), the server's events and
 * iteration are typed, and the page client's connection is read-only.
 */
import type { IJSRuntime } from 'jsinterop';
import { createInteropServer, type Circuit, type InteropServer } from '../../src/server.js';
import { connectToServer, type ConnectionState } from '../../src/server-client.js';
import { expectTrue, type Equal } from './assert-type.js';

export async function serverTypes(server: InteropServer): Promise<void> {
  server.on('circuit', (circuit) => {
    expectTrue<Equal<typeof circuit, Circuit>>();
    expectTrue<Equal<typeof circuit.js, IJSRuntime>>();
    // @ts-expect-error a circuit's runtime has no sync members: the page is across a network
    circuit.js.invoke('Math.max', 1, 2);
  });
  server.on('circuitEnd', (_circuit, reason) => expectTrue<Equal<typeof reason, string>>());
  // @ts-expect-error no such event
  server.on('circuitStarted', () => {});
  for await (const circuit of server) expectTrue<Equal<typeof circuit, Circuit>>();
  const ended: string = await server.circuits()[0]!.ended;
  void ended;
  await createInteropServer({ port: 0, allowedOrigins: ['https://app.example'], detailedErrors: false, nodeName: 'web-1' });
  expectTrue<Equal<typeof server.nodeName, string | undefined>>();
  expectTrue<Equal<ReturnType<typeof server.drain>, Promise<void>>>();
  await server.drain({ deadline: 10_000 });
  expectTrue<Equal<ReturnType<typeof server.stats>['draining'], boolean>>();
  // @ts-expect-error a node name is text
  await createInteropServer({ nodeName: 1 });
  // @ts-expect-error allowedOrigins is a list or '*'
  await createInteropServer({ allowedOrigins: 'https://app.example' });
}

export async function clientTypes(): Promise<void> {
  const connection = await connectToServer('ws://localhost/_jsinterop', { onStateChange: (state) => expectTrue<Equal<typeof state, ConnectionState>>() });
  // @ts-expect-error the circuit id is read-only
  connection.circuitId = 'x';
  connection.close('bye');
}
