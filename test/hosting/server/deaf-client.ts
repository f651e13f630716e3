/*
 * A WebSocket client that never reads: it completes the upgrade and sends frames by hand over a
 * plain TCP socket, and never takes a byte of what the server sends. What the server writes to
 * it piles up in the OS buffers and then in the server's own, as it would for a hostile page
 * that paused its socket. Frames are masked, as a client's must be, with a zero key (which
 * leaves the payload unchanged).
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { Control } from '../../../src/protocol/circuit-control.js';
import * as Msg from '../../../src/protocol/message-codes.js';
import { PROTOCOL_VERSION } from '../../../src/protocol/messages.js';

const TEXT = 0x1;
const BINARY = 0x2;

/** One client→server WebSocket frame (FIN set). */
export function maskedFrame(payload: string | Uint8Array): Buffer {
  const data = typeof payload === 'string' ? Buffer.from(payload) : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  const opcode = typeof payload === 'string' ? TEXT : BINARY;
  const length = data.byteLength;
  const header = Buffer.alloc(length < 126 ? 6 : length < 65536 ? 8 : 14); // the last 4 bytes: the mask key, zero
  header[0] = 0x80 | opcode;
  if (length < 126) header[1] = 0x80 | length;
  else if (length < 65536) {
    header[1] = 0x80 | 126;
    header.writeUInt16BE(length, 2);
  } else {
    header[1] = 0x80 | 127;
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  return Buffer.concat([header, data]);
}

export class DeafClient {
  private constructor(readonly socket: net.Socket) {}

  /** Connects to `url` (ws://host:port/path), sends the upgrade request and a Hello, and reads nothing, ever. */
  static async open(url: string): Promise<DeafClient> {
    const { hostname, port, pathname } = new URL(url);
    const socket = net.connect(Number(port), hostname);
    socket.on('error', () => {}); // the server may reset it: that is what these tests provoke
    socket.pause(); // and it stays paused: nothing is read
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    socket.write(
      `GET ${pathname} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    const client = new DeafClient(socket);
    client.send(JSON.stringify([Msg.Hello, PROTOCOL_VERSION, 0, null]));
    return client;
  }

  /** Queues one frame (Node buffers what the OS does not take: the client never blocks). */
  send(payload: string | Uint8Array): void {
    this.socket.write(maskedFrame(payload));
  }

  /** Sends an acknowledgement of `count` frames, read or not. */
  ack(count: number): void {
    this.send(JSON.stringify([Control.Ack, count]));
  }

  destroy(): void {
    this.socket.destroy();
  }
}
