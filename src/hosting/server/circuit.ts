/*
 * One page's session with the server (Blazor's circuit): its own interop core and runtime, and a
 * connection that can be lost and resumed. Interop frames are numbered and kept until the page
 * acknowledges them (src/protocol/sequencing.ts), so a reconnect replays exactly what was missed.
 * This file holds the circuit's life (connect, heartbeat, end), which calls to the page may
 * start, and its answers to control messages and refused frames. Reading the page's frames is
 * page-reader.ts, framing and numbering what goes to the page page-writer.ts, and the circuit's
 * part in a server drain circuit-drain.ts.
 */
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { MessageHost } from '../messaging/message-host.js';
import { checkPageControl, Control, SERVER_DRAINING, ServerFeature } from '../../protocol/circuit-control.js';
import * as Msg from '../../protocol/message-codes.js';
import { DEFAULT_STREAM_WINDOW, type Hello, type HostToPage } from '../../protocol/messages.js';
import { excerpt } from '../../protocol/excerpt.js';
import { Outbox, Receipts } from '../../protocol/sequencing.js';
import { OutputBudget } from './output-budget.js';
import { RefusedFrameLimit } from './refused-frame-limit.js';
import { CircuitDrain } from './circuit-drain.js';
import { PageReader } from './page-reader.js';
import { PageWriter } from './page-writer.js';
import { CIRCUIT_DISCONNECTED, type Settings } from './options.js';
import { JSDisconnectedException } from '../../host/errors.js';
import type { PageFeatures } from './opening.js';
import type { CircuitIdentity } from './circuit-secret.js';
import type { IJSRuntime } from '../../host/types.js';
import type { CircuitEvents, CircuitOrigin, CircuitState, CircuitStats } from './circuit-types.js';

export type { CircuitEvents, CircuitOrigin, CircuitState, CircuitStats } from './circuit-types.js';

/** The circuit a socket serves, set while attached (lets one set of listeners serve every circuit). */
const CIRCUIT = Symbol('jsinterop.circuit');
type Attached = WebSocket & { [CIRCUIT]?: Circuit };

/** A Rejected answer's text, at most: our own texts fit; page-supplied text in them is cut shorter still (excerpt.ts). */
const REJECTED_CHARS = 200;

/** The close code for a page that broke the protocol too often (WebSocket's "policy violation"). */
const POLICY_VIOLATION = 1008;

const NO_FEATURES: PageFeatures = { readsCallFrames: false, splitsMessages: false, takesStreamWindow: false, drains: false, readsChunkFrames: false };

/**
 * A connected page. Host code talks to it through {@link Circuit.js}, an async-only
 * {@link IJSRuntime}; the circuit outlives short disconnects and ends after its retention period.
 */
export class Circuit {
  /** Public id; the page resumes with it plus the secret. */
  readonly id: string;
  /** The page's JavaScript: async calls only (`asInProcess(js)` throws). */
  readonly js: IJSRuntime;

  #opener: CircuitOrigin;
  readonly #identity: CircuitIdentity;
  readonly #settings: Settings;
  readonly #events: CircuitEvents;
  readonly #host: MessageHost;
  readonly #outbox = new Outbox();
  readonly #receipts = new Receipts();
  /** The page's client reads call frames (it said so in its Hello). */
  readonly #callFrames: boolean;
  /** The page's client joins and sends split messages (src/protocol/splitting.ts). */
  readonly #splits: boolean;
  /** The page's client reads a stream chunk as a header frame and a bytes frame (src/protocol/framing.ts, BYTES_FOLLOW). */
  readonly #chunkFrames: boolean;
  /** The page glue's target id, whose `readStreamChunk` serves host reads of a page stream. */
  readonly #pageHelpersId: number;
  readonly #drain: CircuitDrain;
  /** Chunks of a host stream sent ahead of the page's credit, told to the page in Started; 0: the page cannot be told (it uses the default). */
  readonly #streamWindow: number;
  /** The page is told it may send a byte array as a header frame and bytes frames (ServerFeature.BytesFrames, in Started). */
  readonly #bytesFrames: boolean;
  // Created on first use: an idle circuit should cost as little memory as possible.
  #reader: PageReader | undefined;
  #writer: PageWriter | undefined;
  #ended: Promise<string> | undefined;
  #resolveEnded: ((reason: string) => void) | undefined;
  #socket: Attached | undefined;
  /** Writes to the connected page, within its output budget. */
  #output: OutputBudget | undefined;
  #alive = true;
  /** Frames refused so far: one that was refused is no sign of life. */
  #refusals = 0;
  #refusedFrameLimit: RefusedFrameLimit | undefined;
  #endReason: string | undefined;

  /** @internal Created by the server when a page says Hello. */
  constructor(identity: CircuitIdentity, hello: Hello, opener: CircuitOrigin, settings: Settings, events: CircuitEvents, features: PageFeatures = NO_FEATURES) {
    this.id = identity.id;
    this.#callFrames = features.readsCallFrames;
    this.#splits = features.splitsMessages;
    this.#chunkFrames = features.readsChunkFrames;
    this.#drain = new CircuitDrain(features.drains);
    this.#pageHelpersId = hello[2];
    // A page that cannot be told the window keeps the one it has always had.
    this.#streamWindow = features.takesStreamWindow ? settings.streamWindow : 0;
    // Only a page told the window has the Started element that carries server features.
    this.#bytesFrames = this.#streamWindow !== 0 && features.readsChunkFrames;
    this.#identity = identity;
    this.#opener = opener;
    this.#settings = settings;
    this.#events = events;
    this.#host = new MessageHost(hello, (message) => this.#send(message), {
      hostingModel: 'server',
      detailedErrors: settings.detailedErrors,
      redactErrors: !settings.detailedErrors,
      defaultTimeout: settings.defaultTimeout,
      warnOnLeaks: settings.warnOnLeaks,
      maxHostObjectReferences: settings.maxHostObjectReferences,
      streamChunkSize: settings.streamChunkSize,
      streamWindow: this.#streamWindow || DEFAULT_STREAM_WINDOW,
      streamReadAheadBytes: settings.streamReadAheadBytes,
      onProtocolError: (error) => this.#refuse(error),
    });
    this.js = this.#host.runtime;
  }

  /** Frames what the circuit sends the page (src/hosting/server/page-writer.ts). */
  #writing(): PageWriter {
    return (this.#writer ??= new PageWriter(this.#settings, this.#outbox, { callFrames: this.#callFrames, splits: this.#splits, chunkFrames: this.#chunkFrames }, {
      ended: () => this.#endReason !== undefined,
      output: () => this.#output,
      end: (reason) => this.end(reason),
    }));
  }

  /** Reads the page's frames (src/hosting/server/page-reader.ts). */
  #reading(): PageReader {
    return (this.#reader ??= new PageReader(this.#settings, this.#host, this.#receipts, this.#splits, this.#bytesFrames, {
      control: (message) => this.#control(message),
      refuse: (error) => this.#refuse(error),
      send: (message) => this.#send(message),
      end: (reason) => this.end(reason),
      ack: () => this.#ack(),
      acked: (count) => this.#acked(count),
    }));
  }

  get state(): CircuitState {
    return this.#endReason !== undefined ? 'ended' : this.#socket ? 'connected' : 'disconnected';
  }

  /** Settles with the reason once the circuit has ended and every pending call has been rejected. */
  get ended(): Promise<string> {
    return (this.#ended ??= this.#endReason !== undefined ? Promise.resolve(this.#endReason) : new Promise((resolve) => (this.#resolveEnded = resolve)));
  }

  /** Origin, address and user of the request that opened the circuit, or resumed it last. */
  get opener(): CircuitOrigin {
    return this.#opener;
  }

  /** @internal The secret the page proves itself with. */
  get identity(): CircuitIdentity {
    return this.#identity;
  }

  stats(): CircuitStats {
    return {
      ...this.#host.core.stats(),
      state: this.state,
      unacknowledgedFrames: this.#outbox.size,
      unacknowledgedBytes: this.#outbox.bytes,
      outputBufferedBytes: this.#output?.bufferedBytes ?? 0,
      readsPaused: this.#output?.readsPaused ?? false,
      splitMessageBytes: this.#reader?.splitMessageBytes ?? 0,
    };
  }

  /**
   * Ends the circuit now: pending host calls reject with `JSDisconnectedException`, host objects
   * are released, and the page is told its circuit is gone. Idempotent.
   */
  end(reason = 'The host ended the circuit.'): void {
    this.#finish(reason, reason, 1000);
  }

  /**
   * @internal Ends the circuit as {@link end} does, for a host failure whose text the page may
   * not see: the host side (`ended`, `onCircuitEnd`, `circuitEnd`) gets `reason`, the page `told`.
   */
  endTelling(reason: string, told: string): void {
    this.#finish(reason, told, 1000);
  }

  /**
   * Ends the circuit: the host side learns `reason`, the page is told `told`, and the connection
   * closes with `closeCode` (and `closeReason`, at most 123 bytes).
   */
  #finish(reason: string, told: string, closeCode: number, closeReason?: string): void {
    if (this.#endReason !== undefined) return;
    this.#endReason = reason;
    // Calls still pending reject with the drain's reason when the drain ended the circuit, so the app can tell.
    this.#host.close(reason === SERVER_DRAINING ? SERVER_DRAINING : CIRCUIT_DISCONNECTED);
    this.#outbox.clear();
    const socket = this.#socket;
    const output = this.#output;
    if (socket && output) {
      this.#detach(socket);
      output.send(JSON.stringify([Control.End, told]));
      socket.close(closeCode, closeReason);
    }
    this.#events.ended(this, reason);
    this.#resolveEnded?.(reason);
  }

  /**
   * @internal The server drains: from now on the host starts no call to the page, the page is
   * asked to start none either (Draining), and the circuit ends with {@link SERVER_DRAINING} as
   * soon as nothing is in flight either way, or at `deadline` (a `Date.now()` time) at the latest.
   */
  drain(deadline: number): void {
    if (this.#endReason !== undefined || !this.#drain.start(deadline)) return;
    this.#tellDraining();
    this.#endIfDrained();
  }

  #tellDraining(): void {
    const notice = this.#drain.notice();
    if (notice !== undefined) this.#output?.send(notice);
  }

  /**
   * Ends a draining circuit once no call is in flight either way: the page has said Drained (an
   * older client cannot: for it, once idle), no host call waits for the page, every page call
   * has been answered, no host stream is still being sent, and the page has acknowledged every
   * frame (nothing left to replay). Only while connected, so the page learns the reason from the
   * End frame rather than from a failed resume.
   */
  #endIfDrained(): void {
    if (!this.#drain.awaitsIdle || this.#endReason !== undefined || !this.#socket) return;
    this.#writer?.flush(); // answers queued in this task count as unacknowledged frames
    const core = this.#host.core;
    const idle = core.pendingCallCount === 0 && core.pendingCallsFromJSCount === 0 && this.#host.streamsInFlight === 0;
    if (idle && this.#outbox.size === 0) this.end(SERVER_DRAINING);
  }

  /**
   * Closes the current connection without ending the circuit, as a network failure would: the
   * page reconnects and both sides replay what the other missed. For tests and fault drills.
   */
  dropConnection(): void {
    this.#socket?.terminate();
  }

  /** @internal Starts serving a page on `socket`: a new circuit (peerReceived undefined) or a resumed one. */
  connect(socket: WebSocket, stream: Socket, peerReceived?: number, opener?: CircuitOrigin): boolean {
    if (this.#endReason !== undefined) return false;
    if (opener) this.#opener = opener;
    if (peerReceived !== undefined && !this.#outbox.ack(peerReceived)) {
      this.end(`The page resumed with an impossible receive count ${peerReceived}; the circuit cannot be replayed.`);
      return false;
    }
    const previous = this.#socket;
    if (previous) {
      // The page reconnected before we noticed the old connection die: the new one wins.
      this.#detach(previous);
      previous.terminate();
    }
    const attached: Attached = socket;
    attached[CIRCUIT] = this;
    this.#socket = attached;
    const output = (this.#output = new OutputBudget(socket, stream, this.#settings.maxOutputBufferBytes));
    this.#alive = true;
    for (const [event, listener] of Circuit.#listeners) socket.on(event, listener);
    if (peerReceived === undefined) {
      const { maxMessageSize, heartbeatInterval, retention, maxCallSize } = this.#settings;
      const started = [Control.Started, this.id, this.#identity.secret.toString('base64url'), maxMessageSize, heartbeatInterval, retention];
      // Only a page that splits messages learns the cap; an older client gets the Started it knows.
      if (this.#splits || this.#streamWindow) started.push(maxCallSize);
      if (this.#streamWindow) started.push(this.#streamWindow, this.#settings.pageAckBytes);
      // A page that reads chunk frames also sends byte arrays as a header frame and bytes frames.
      if (this.#bytesFrames) started.push(ServerFeature.BytesFrames);
      output.send(JSON.stringify(started));
    } else {
      output.send(JSON.stringify([Control.Resumed, this.#receipts.acking()]));
      this.#tellDraining(); // the Draining sent to the lost connection may never have arrived
    }
    for (const frame of this.#outbox.pending()) output.send(frame);
    return true;
  }

  /** @internal Called every heartbeat interval by the server. */
  heartbeat(): void {
    const socket = this.#socket;
    const output = this.#output;
    if (!socket || !output) return;
    // A page whose frames are not read (backpressure) can send no sign of life; reading what it is sent is one.
    const draining = output.drainedSinceLastBeat() && output.readsPaused;
    if (!this.#alive && !draining) return void socket.terminate(); // nothing since the last beat: treat as gone
    this.#alive = false;
    output.pingWith(JSON.stringify([Control.Heartbeat, this.#receipts.acking()]));
    this.#endIfDrained();
  }

  // ---- host → page ----

  #send(message: HostToPage): void {
    if (this.#endReason !== undefined) return;
    // Thrown from here, the call rejects unsent (src/host/core.ts). Reads of a page stream go on:
    // they finish work in flight (a page call that uploads a file), and start nothing new.
    if (message[0] === Msg.BeginInvokeJS && this.#drain.draining && !(message[5] === this.#pageHelpersId && message[2] === 'readStreamChunk')) {
      throw new JSDisconnectedException(SERVER_DRAINING);
    }
    if (message[0] === Msg.BeginInvokeJS && this.#host.core.pendingCallCount > this.#settings.maxPendingCalls) {
      throw new RangeError(`Too many calls to JavaScript are waiting for this circuit's page (limit ${this.#settings.maxPendingCalls}); await some before starting more.`);
    }
    this.#writing().send(message);
  }

  // ---- page → host ----

  #onMessage(data: Buffer, isBinary: boolean): void {
    const refusals = this.#refusals;
    this.#reading().read(data, isBinary);
    // A refused frame is no sign of life: a page that floods junk and reads nothing is still dropped.
    if (this.#refusals === refusals) this.#alive = true;
    // A completion, an Ack or Drained may be what the drain waited for.
    if (this.#drain.draining) this.#endIfDrained();
  }

  #control(message: unknown[]): void {
    let control;
    try {
      control = checkPageControl(message);
    } catch (error) {
      return this.#refuse(error as Error);
    }
    if (control[0] === Control.Ack) {
      if (!this.#outbox.ack(control[1])) this.#refuse(new RangeError(`Invalid Ack: ${control[1]} is not between the frames acknowledged (${this.#outbox.acknowledged}) and sent (${this.#outbox.sent}).`));
    } else if (control[0] === Control.End) {
      this.end(`The page ended the circuit: ${control[1]}`);
    } else if (control[0] === Control.Drained) {
      this.#drain.pageDrained(); // checked by #onMessage, after this frame
    } else {
      this.#refuse(new Error('Unexpected Resume: this connection already carries a circuit.'));
    }
  }

  /**
   * An acknowledgement that came with a StreamCredit. Being in a numbered frame, it may be replayed
   * after a reconnect, behind the count the page resumed with: such a count is old news, not an error.
   */
  #acked(count: unknown): boolean {
    if (typeof count === 'number' && Number.isSafeInteger(count) && count >= 0 && count <= this.#outbox.acknowledged) return true;
    if (typeof count === 'number' && this.#outbox.ack(count)) return true;
    this.#refuse(new RangeError(`Invalid StreamCredit: its acknowledgement ${excerpt(String(JSON.stringify(count)))} is not a count between the frames acknowledged (${this.#outbox.acknowledged}) and sent (${this.#outbox.sent}).`));
    return false;
  }

  #ack(): void {
    this.#output?.send(JSON.stringify([Control.Ack, this.#receipts.acking()]));
  }

  #refuse(error: Error): void {
    if (this.#endReason !== undefined) return;
    this.#refusals++;
    this.#events.protocolError(error, this);
    const { maxProtocolErrors, protocolErrorWindow } = this.#settings;
    if ((this.#refusedFrameLimit ??= new RefusedFrameLimit(maxProtocolErrors, protocolErrorWindow)).exceeded(performance.now())) {
      const reason = `The page sent more than ${maxProtocolErrors} messages the server had to refuse within ${protocolErrorWindow} ms (maxProtocolErrors); the server ended the circuit. The official client sends none: check what else connects to this endpoint.`;
      return this.#finish(reason, reason, POLICY_VIOLATION, 'Too many malformed or refused messages; the circuit has ended. Reload the page.');
    }
    // An excerpt: the answer to a bad frame must stay small, whatever the frame held.
    this.#output?.send(JSON.stringify([Control.Rejected, excerpt(error.message, REJECTED_CHARS)]));
  }

  // ---- connection events ----

  /** One set of listeners for every circuit's socket; `this` is the socket. */
  static readonly #listeners: readonly [string, (this: Attached, ...args: any[]) => void][] = [
    ['message', function (data: Buffer, isBinary: boolean) {
      const circuit = this[CIRCUIT];
      if (circuit) circuit.#onMessage(data, isBinary);
    }],
    ['pong', function () {
      const circuit = this[CIRCUIT];
      if (circuit) circuit.#alive = true;
    }],
    ['close', function () {
      const circuit = this[CIRCUIT];
      if (!circuit || circuit.#socket !== this) return;
      circuit.#detach(this);
      if (circuit.#endReason === undefined) circuit.#events.disconnected(circuit);
    }],
    // ws reports protocol violations here (oversized or malformed frames) and then closes the socket.
    ['error', function (error: Error & { code?: string }) {
      const circuit = this[CIRCUIT];
      if (!circuit) return;
      circuit.#events.protocolError(error, circuit);
      const limit = `${circuit.#settings.maxMessageSize} bytes`;
      const what = error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? `a frame larger than the server accepts (${limit})` : 'a malformed WebSocket frame';
      circuit.end(`The page sent ${what}: ${error.message}`);
    }],
  ];

  #detach(socket: Attached): void {
    for (const [event, listener] of Circuit.#listeners) socket.off(event, listener);
    // ws emits 'error' before closing on a protocol violation; keep one listener so it is never unhandled.
    socket.on('error', noop);
    delete socket[CIRCUIT];
    if (this.#socket === socket) {
      this.#socket = undefined;
      this.#output?.release();
      this.#output = undefined;
    }
  }
}

const noop = (): void => {};
