/*
 * The server's circuits by id, and the retention of disconnected ones (Blazor's
 * DisconnectedCircuitRetentionPeriod and DisconnectedCircuitMaxRetained): a disconnected circuit
 * waits for its page for the retention period, and when more than the maximum are waiting,
 * the one that has waited longest ends first.
 */
import type { Circuit } from './circuit.js';

export class CircuitRegistry {
  readonly #circuits = new Map<string, Circuit>();
  /** Disconnected circuits in the order they disconnected, with their retention timers. */
  readonly #retained = new Map<Circuit, ReturnType<typeof setTimeout>>();

  constructor(
    private readonly retention: number,
    private readonly maxRetained: number,
  ) {}

  get size(): number {
    return this.#circuits.size;
  }

  get retainedCount(): number {
    return this.#retained.size;
  }

  add(circuit: Circuit): void {
    this.#circuits.set(circuit.id, circuit);
  }

  get(id: string): Circuit | undefined {
    return this.#circuits.get(id);
  }

  values(): IterableIterator<Circuit> {
    return this.#circuits.values();
  }

  /** The circuit lost its page: keep it for the retention period, within the maximum. */
  retain(circuit: Circuit): void {
    this.release(circuit);
    const timer = setTimeout(() => circuit.end(`The page did not reconnect within ${this.retention} ms.`), this.retention);
    timer.unref?.();
    this.#retained.set(circuit, timer);
    if (this.#retained.size > this.maxRetained) {
      const oldest = this.#retained.keys().next().value!;
      oldest.end(`More than ${this.maxRetained} circuits were waiting for their pages to reconnect; this one had waited longest.`);
    }
  }

  /** The circuit's page is back (or the circuit ended): stop its retention timer. */
  release(circuit: Circuit): void {
    const timer = this.#retained.get(circuit);
    if (timer === undefined) return;
    clearTimeout(timer);
    this.#retained.delete(circuit);
  }

  remove(circuit: Circuit): void {
    this.release(circuit);
    if (this.#circuits.get(circuit.id) === circuit) this.#circuits.delete(circuit.id);
  }
}
