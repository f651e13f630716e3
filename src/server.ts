/**
 * Server hosting (Blazor Server's model): the host runs in Node, each page connects over
 * WebSocket with `jsinterop/server/client`, and every connection is a circuit with its own
 * async-only {@link IJSRuntime}. Circuits survive short disconnects; the page is untrusted
 * (see docs/security.md).
 *
 * @packageDocumentation
 */
export { createInteropServer, InteropServer, type DrainOptions, type InteropServerEvents, type ServerStats } from './hosting/server/interop-server.js';
export { Circuit, type CircuitState, type CircuitStats, type CircuitOrigin } from './hosting/server/circuit.js';
export { CIRCUIT_DISCONNECTED, type ServerOptions } from './hosting/server/options.js';
export { CIRCUIT_GONE, SERVER_DRAINING } from './protocol/circuit-control.js';
export { PAGE_CLOSED } from './hosting/server/disconnect-beacon.js';
export type { Refusal, RefusalReason } from './hosting/server/refusal.js';
export type { IJSRuntime } from './host/types.js';
export { JSDisconnectedException } from './host/errors.js';
