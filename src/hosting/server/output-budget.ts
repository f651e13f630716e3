/*
 * Backpressure for one connection. Everything the server writes to a page waits in the socket's
 * send buffer until the page reads it, so a page that stops reading while it keeps sending
 * (calls, junk, acknowledgements) would make that buffer, and the server's memory, grow without
 * end. Once more than `maxBytes` wait, the server stops reading the page's frames until the
 * buffer has drained: a page that does not read gets nothing more processed, and so produces no
 * more answers. The heartbeat then drops it, unless it is draining the buffer (a slow reader).
 */
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import type { Frame } from '../../protocol/sequencing.js';
import { queueMicrotaskCheaply } from '../../protocol/turns.js';

export class OutputBudget {
  #readsPaused = false;
  /** Frames of this turn are waiting to leave in one write. */
  #corked = false;
  /** Bytes the OS had taken from the socket at the last heartbeat. */
  #flushedAtBeat: number;

  constructor(
    /** The page's WebSocket, which every frame to the page is written to. */
    readonly socket: WebSocket,
    /** The connection under it (the upgrade request's socket), whose 'drain' resumes reading. */
    private readonly stream: Socket,
    private readonly maxBytes: number,
  ) {
    this.#flushedAtBeat = this.#flushed();
  }

  /** True while the page's frames are not read because too much waits to be sent to it. */
  get readsPaused(): boolean {
    return this.#readsPaused;
  }

  /** Bytes written to the page that the OS has not taken yet. */
  get bufferedBytes(): number {
    return this.socket.bufferedAmount;
  }

  /**
   * Sends one frame. The frames of one turn leave together, in one write when the turn ends
   * (a host stream's burst of chunks is two frames a chunk): the connection is corked at the
   * first and uncorked in a microtask, where the budget is checked against what the OS did not take.
   */
  send(frame: Frame): void {
    this.#corkTurn();
    transmit(this.socket, frame);
  }

  /** Corks the connection until this turn's microtasks have run, unless it is corked already. */
  #corkTurn(): void {
    if (this.#corked) return;
    this.#corked = true;
    this.stream.cork();
    queueMicrotaskCheaply(this.#uncork);
  }

  readonly #uncork = (): void => {
    this.#corked = false;
    this.stream.uncork();
    // Past the budget: stop reading the page until its buffer drains.
    if (this.#readsPaused || this.socket.bufferedAmount <= this.maxBytes) return;
    // The socket emits 'drain' only after a write found its buffer past its own high-water mark;
    // below that mark (a budget smaller than it) the OS is still taking the bytes as they come.
    if (!this.stream.writableNeedDrain) return;
    this.#readsPaused = true;
    this.socket.pause();
    this.stream.once('drain', this.#resume);
  };

  /** Sends a WebSocket ping and `frame` (a heartbeat): corked with the turn, the two leave in one write. */
  pingWith(frame: Frame): void {
    this.#corkTurn();
    this.socket.ping();
    this.send(frame);
  }

  /**
   * For the heartbeat: true when the OS took bytes from the buffer since the last call, i.e. the
   * page is reading, however slowly. A page whose frames are not read sends no sign of life, so
   * this is what keeps a slow reader of a large result connected.
   */
  drainedSinceLastBeat(): boolean {
    const flushed = this.#flushed();
    const drained = flushed !== this.#flushedAtBeat;
    this.#flushedAtBeat = flushed;
    return drained;
  }

  /** Stops watching the connection (the circuit let go of it). */
  release(): void {
    this.stream.off('drain', this.#resume);
  }

  readonly #resume = (): void => {
    this.#readsPaused = false;
    this.socket.resume();
  };

  /** `bytesWritten` counts what waits in the buffer too. */
  #flushed(): number {
    return this.stream.bytesWritten - this.stream.writableLength;
  }
}

/** Sends one frame; header-and-bytes frames go as two fragments of one message, so the bytes are not copied. */
function transmit(socket: WebSocket, frame: Frame): void {
  if (typeof frame === 'string' || frame instanceof Uint8Array) return socket.send(frame);
  socket.send(frame[0], { binary: true, fin: false });
  socket.send(frame[1], { binary: true, fin: true });
}
