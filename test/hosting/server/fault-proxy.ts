/*
 * A TCP proxy on loopback that injects network faults between a page and the server: cut every
 * connection (both ends see it die, frames in flight are lost), refuse new connections for a
 * while (the page's reconnects fail), or freeze the open connections without closing them (a
 * half-open connection, which only heartbeats can detect).
 */
import { EventEmitter } from 'node:events';
import net from 'node:net';
import type { TestContext } from 'node:test';

/** Emits 'refused' for every connection refused while {@link FaultProxy.refuse} is on. */
export class FaultProxy extends EventEmitter {
  readonly #server: net.Server;
  readonly #pairs = new Set<[net.Socket, net.Socket]>();
  #refusing = false;
  readonly #frozen = new WeakSet<net.Socket>();
  #cutAt: { toClient: boolean; left: number; done: () => void } | undefined;
  /** Connections accepted so far (each reconnect is one). */
  connections = 0;

  private constructor(
    private targetPort: number,
    readonly port: number,
    server: net.Server,
  ) {
    super();
    this.#server = server;
  }

  static async start(t: TestContext, targetPort: number): Promise<FaultProxy> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const proxy = new FaultProxy(targetPort, (server.address() as net.AddressInfo).port, server);
    server.on('connection', (client) => proxy.#accept(client));
    t.after(() => proxy.close());
    return proxy;
  }

  /** The WebSocket URL of `path` through the proxy. */
  url(path: string): string {
    return `ws://127.0.0.1:${this.port}${path}`;
  }

  #accept(client: net.Socket): void {
    if (this.#refusing) {
      client.destroy();
      return void this.emit('refused');
    }
    this.connections++;
    const upstream = net.connect(this.targetPort, '127.0.0.1');
    const pair: [net.Socket, net.Socket] = [client, upstream];
    this.#pairs.add(pair);
    const forward = (from: net.Socket, to: net.Socket) =>
      from.on('data', (chunk: Buffer) => {
        if (this.#frozen.has(from)) return;
        const cut = this.#cutAt;
        if (!cut || cut.toClient !== (from === upstream) || chunk.byteLength < cut.left) {
          if (cut?.toClient === (from === upstream)) cut.left -= chunk.byteLength;
          return void to.write(chunk);
        }
        // The byte budget ends in this chunk: deliver up to it, then cut (in the middle of a frame, even).
        this.#cutAt = undefined;
        to.write(chunk.subarray(0, cut.left), () => {
          this.cut();
          cut.done();
        });
      });
    forward(client, upstream);
    forward(upstream, client);
    const end = () => {
      this.#pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    for (const socket of pair) {
      socket.on('error', end);
      socket.on('close', end);
    }
  }

  /** Destroys every open connection, abruptly, on both sides. */
  cut(): void {
    for (const [client, upstream] of this.#pairs) {
      client.destroy();
      upstream.destroy();
    }
    this.#pairs.clear();
  }

  /**
   * Cuts every open connection once `bytes` more bytes have gone through towards the client
   * (`toClient`) or towards the server: those are delivered, the rest of that chunk and
   * everything after it is lost. Resolves when the cut was made.
   */
  cutAfter(bytes: number, toClient: boolean): Promise<void> {
    return new Promise((done) => (this.#cutAt = { toClient, left: bytes, done }));
  }

  /** Open connections. */
  get open(): number {
    return this.#pairs.size;
  }

  /** Destroys the open connection at `index` (in the order they were opened), if there is one. */
  cutOne(index: number): void {
    const pair = [...this.#pairs][index];
    if (!pair) return;
    this.#pairs.delete(pair);
    pair[0].destroy();
    pair[1].destroy();
  }

  /** New connections go to `port` from now on (a proxy whose upstream was replaced); open ones stay where they are. */
  retarget(port: number): void {
    this.targetPort = port;
  }

  /** While refusing, new connections are closed as soon as they are accepted. */
  refuse(refusing: boolean): void {
    this.#refusing = refusing;
  }

  /** From now on, the open connections drop every byte in both directions, and nothing is closed. New connections work. */
  freeze(): void {
    for (const [client, upstream] of this.#pairs) {
      this.#frozen.add(client);
      this.#frozen.add(upstream);
    }
  }

  close(): Promise<void> {
    this.cut();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}
