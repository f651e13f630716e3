/*
 * The server's drain (InteropServer.drain): asks every circuit to drain by one deadline, ends
 * those still open when it passes, and settles once every circuit has ended.
 */
import { SERVER_DRAINING } from '../../protocol/circuit-control.js';
import type { CircuitRegistry } from './circuit-registry.js';

export class ServerDrain {
  readonly #registry: CircuitRegistry;
  /** Settles when the drain has ended every circuit; set once the drain started. */
  #drained: Promise<void> | undefined;
  #resolveDrained: (() => void) | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(registry: CircuitRegistry) {
    this.#registry = registry;
  }

  /** The drain's promise once it started; undefined before. */
  get drained(): Promise<void> | undefined {
    return this.#drained;
  }

  /** Starts draining every circuit, ending them `deadline` ms from now at the latest (checked by the caller). */
  start(deadline: number): Promise<void> {
    this.#drained = new Promise((resolve) => {
      this.#resolveDrained = () => {
        clearTimeout(this.#timer); // nothing left to end: the timer must not hold the process open
        resolve();
      };
    });
    this.#timer = setTimeout(() => {
      for (const circuit of [...this.#registry.values()]) circuit.end(SERVER_DRAINING);
    }, deadline);
    const at = Date.now() + deadline;
    for (const circuit of [...this.#registry.values()]) circuit.drain(at);
    this.circuitEnded();
    return this.#drained;
  }

  /** A circuit has ended: the drain is over when it was the last. */
  circuitEnded(): void {
    if (this.#registry.size === 0) this.#resolveDrained?.();
  }

  /** The server closes: the deadline's timer must not fire. */
  stop(): void {
    clearTimeout(this.#timer);
  }
}
