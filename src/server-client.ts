/**
 * The browser side of server hosting: `connectToServer(url)` connects the page to an interop
 * server, attaches the official `@microsoft/dotnet-js-interop` dispatcher (`globalThis.DotNet`
 * or `options.DotNet`) and keeps the circuit alive across short disconnects.
 *
 * @packageDocumentation
 */
export { connectToServer, type ConnectOptions, type ConnectionState, type ServerConnection } from './hosting/server/client/connect-to-server.js';
export { CIRCUIT_GONE, SERVER_DRAINING } from './protocol/circuit-control.js';
