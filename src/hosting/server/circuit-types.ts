/*
 * The shapes a circuit shares with the server and the application: its state and stats, what
 * the server learns from it, and the request that opened it.
 */
import type { InteropStats } from '../../host/types.js';
import type { Circuit } from './circuit.js';

/** Where a circuit is in its life. */
export type CircuitState = 'connected' | 'disconnected' | 'ended';

/** A circuit's interop tables plus its replay buffer. */
export interface CircuitStats extends InteropStats {
  readonly state: CircuitState;
  /** Frames sent to the page and not yet acknowledged (kept for replay). */
  readonly unacknowledgedFrames: number;
  /** Their total size (bytes; UTF-16 units for text). */
  readonly unacknowledgedBytes: number;
  /** Bytes written to the connected page that it has not read yet (the socket's send buffer). */
  readonly outputBufferedBytes: number;
  /** True while the server does not read the page's frames, until that buffer drains (`maxOutputBufferBytes`). */
  readonly readsPaused: boolean;
  /** Bytes held for a message from the page still arriving in parts (at most `maxCallSize`). */
  readonly splitMessageBytes: number;
}

/** What the server learns about a circuit's connection and lifecycle. */
export interface CircuitEvents {
  disconnected(circuit: Circuit): void;
  ended(circuit: Circuit, reason: string): void;
  protocolError(error: Error, circuit: Circuit): void;
}

/** Facts about the request that opened (or last resumed) the circuit. */
export interface CircuitOrigin {
  /** The page's origin (the Origin header), undefined for clients that are not browsers. */
  readonly origin: string | undefined;
  readonly remoteAddress: string | undefined;
  /** What `authenticate` returned for the request; undefined without `authenticate`. */
  readonly user: unknown;
}
