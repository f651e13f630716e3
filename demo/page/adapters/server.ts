/*
 * Server: the host code runs in the Node demo server, one circuit per connection, and reaches
 * the page over a WebSocket (Blazor Server's model). Calls are async only. The connection
 * survives short drops: the client reconnects and resumes the same circuit, and the header
 * counts the reconnects. Opening the panel again starts a new circuit.
 */
import { connectToServer, type ConnectionState, type ServerConnection } from '../../../src/server-client.js';
import { INTEROP_PATH } from '../../endpoints.js';
import type { AdapterEvents, HostingAdapter } from './adapter.js';

export function serverAdapter(): HostingAdapter {
  let connection: ServerConnection | undefined;
  return {
    model: 'server',
    title: 'Server',
    where: 'Host code runs in the Node demo server, one circuit per page, and reaches the page over a WebSocket.',
    async start(events) {
      // The previous circuit stops being the panel's before it is closed: its `ended` then
      // settles for a replaced circuit, which is no error to show (see the check below).
      const previous = connection;
      connection = undefined;
      previous?.close('The page opened the panel again.');
      const url = new URL(INTEROP_PATH, location.href);
      url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
      const current = await connectToServer(url, { onStateChange: stateReporter(events) });
      connection = current;
      void current.ended.then((reason) => {
        if (connection === current) events.ended(reason);
      });
    },
  };
}

function stateReporter(events: AdapterEvents): (state: ConnectionState) => void {
  let reconnects = 0;
  let wasReconnecting = false;
  return (state) => {
    if (state === 'reconnecting') wasReconnecting = true;
    if (state === 'connected' && wasReconnecting) {
      reconnects++;
      wasReconnecting = false;
    }
    const suffix = reconnects > 0 ? ` (reconnected ${reconnects}×)` : '';
    events.connection(state === 'connected' ? `connected${suffix}` : state === 'reconnecting' ? 'reconnecting…' : state, state === 'connected');
  };
}
