/*
 * A page as a browser tab runs it, in a Node process that holds many: its own instance of the
 * official @microsoft/dotnet-js-interop package (imported with `?instance=`, so its ids, object
 * table and attached dispatcher are its own), connected with the real client (`connectToServer`)
 * over its own `ws` socket, which the caller can cut as a network failure would. Used by the
 * capacity bench's load generators and the scale-out test.
 */
import '../../src/page/node-globals.js';
import { WebSocket, type ClientOptions } from 'ws';
import { connectToServer, type ConnectOptions, type ServerConnection } from '../../src/server-client.js';
import type { DotNetNamespace } from '../../src/page/official-package.js';

export interface NodePage {
  readonly DotNet: DotNetNamespace;
  readonly connection: ServerConnection;
  /** The page's current socket (a reconnect replaces it). */
  readonly socket: WebSocket;
  /** Sockets the client opened: 1 for the first connection, one more per reconnect attempt. */
  readonly sockets: number;
  /** Cuts the current socket (`terminate()`: no close frame), as a network failure does; the client reconnects. */
  drop(): void;
}

const prefix = `node-page-${process.pid}-`;
let instances = 0;

/** Loads a new instance of the official package (its own ids, object table and dispatcher). */
export async function packageInstance(): Promise<DotNetNamespace> {
  const module = (await import(`${import.meta.resolve('@microsoft/dotnet-js-interop')}?instance=${prefix}${++instances}`)) as { DotNet: DotNetNamespace };
  return module.DotNet;
}

/** Opens a page on `url`; `socketOptions` go to every `ws` socket it opens (an `origin`, say). */
export async function openNodePage(url: string, options: Omit<ConnectOptions, 'DotNet' | 'WebSocket'> = {}, socketOptions: ClientOptions = {}): Promise<NodePage> {
  const DotNet = await packageInstance();
  let socket: WebSocket | undefined;
  let sockets = 0;
  // The client's WebSocket class, remembering the page's current socket so that it can be cut.
  class TrackedWebSocket extends WebSocket {
    constructor(address: string) {
      super(address, { perMessageDeflate: false, ...socketOptions });
      socket = this;
      sockets++;
    }
  }
  const connection = await connectToServer(url, { ...options, DotNet, WebSocket: TrackedWebSocket as unknown as ConnectOptions['WebSocket'] });
  return {
    DotNet,
    connection,
    get socket() {
      return socket!;
    },
    get sockets() {
      return sockets;
    },
    drop: () => socket?.terminate(),
  };
}
