/*
 * The server side of memory-flood.test.ts, run in a child process with a small heap
 * (`node --max-old-space-size=96 --expose-gc`): a default interop server (but for a short
 * heartbeat) that reports its circuits' events and, when asked over IPC, its memory after a
 * full garbage collection, and calls a page's JavaScript for the test.
 */
import { createInteropServer, type Circuit } from '../../../src/server.js';
import { registerInvokables } from '../../../src/index.js';

/** Asked of the child over IPC. */
export type FloodRequest =
  | { readonly seq: number; readonly op: 'measure' }
  | { readonly seq: number; readonly op: 'callPage'; readonly circuitId: string; readonly value: number }
  | { readonly seq: number; readonly op: 'notifyAtProtocolErrors'; readonly count: number };

/** Told by the child over IPC: answers (by seq) and events. */
export type FloodReport =
  | { readonly event: 'listening'; readonly url: string }
  | { readonly event: 'circuit'; readonly circuitId: string }
  | { readonly event: 'circuitEnd'; readonly circuitId: string; readonly reason: string }
  | { readonly event: 'connectionDown'; readonly circuitId: string; readonly unacknowledgedBytes: number }
  | { readonly event: 'protocolErrors'; readonly count: number }
  | { readonly seq: number; readonly memory: Memory }
  | { readonly seq: number; readonly result: unknown }
  | { readonly seq: number; readonly error: string };

export interface Memory {
  readonly heapUsed: number;
  /** Memory outside the JS heap: Buffers, among them what waits in socket send buffers. */
  readonly external: number;
  readonly protocolErrors: number;
}

const send = (report: FloodReport): void => void process.send!(report);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc || !process.send) throw new Error('flood-server runs as a child process with --expose-gc');

registerInvokables('FloodTest', { Echo: (x: unknown) => x });
const circuits = new Map<string, Circuit>();
let protocolErrors = 0;
let notifyAt = Infinity;
const server = await createInteropServer({
  heartbeatInterval: 1000,
  onProtocolError: () => {
    if (++protocolErrors === notifyAt) send({ event: 'protocolErrors', count: protocolErrors });
  },
});
server.on('circuit', (circuit) => {
  circuits.set(circuit.id, circuit);
  send({ event: 'circuit', circuitId: circuit.id });
});
server.on('circuitEnd', (circuit, reason) => send({ event: 'circuitEnd', circuitId: circuit.id, reason }));
server.on('connectionDown', (circuit) => send({ event: 'connectionDown', circuitId: circuit.id, unacknowledgedBytes: circuit.stats().unacknowledgedBytes }));

process.on('message', async (request: FloodRequest) => {
  if (request.op === 'measure') {
    gc!();
    const { heapUsed, external } = process.memoryUsage();
    return send({ seq: request.seq, memory: { heapUsed, external, protocolErrors } });
  }
  if (request.op === 'notifyAtProtocolErrors') {
    notifyAt = request.count;
    if (protocolErrors >= notifyAt) send({ event: 'protocolErrors', count: protocolErrors });
    return send({ seq: request.seq, result: null });
  }
  try {
    send({ seq: request.seq, result: await circuits.get(request.circuitId)!.js.invokeAsync('floodDouble', request.value) });
  } catch (error) {
    send({ seq: request.seq, error: String(error) });
  }
});
process.on('disconnect', () => void server.close());
send({ event: 'listening', url: server.url });
