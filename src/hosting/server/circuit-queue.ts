/*
 * `for await (const circuit of server)`: new circuits, in arrival order, for as long as the
 * server runs. Circuits are queued only while an iteration is active, so a server used with
 * `onCircuit` or the `circuit` event does not hold on to circuits nobody will take.
 */
import type { Circuit } from './circuit.js';

export class CircuitQueue implements AsyncIterableIterator<Circuit> {
  readonly #queued: Circuit[] = [];
  readonly #waiting: ((result: IteratorResult<Circuit>) => void)[] = [];
  #done = false;

  constructor(private readonly onDone: (queue: CircuitQueue) => void) {}

  push(circuit: Circuit): void {
    if (this.#done) return;
    const waiter = this.#waiting.shift();
    if (waiter) waiter({ value: circuit, done: false });
    else this.#queued.push(circuit);
  }

  next(): Promise<IteratorResult<Circuit>> {
    const circuit = this.#queued.shift();
    if (circuit) return Promise.resolve({ value: circuit, done: false });
    if (this.#done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  /** Ends the iteration (the loop was left, or the server closed). */
  return(): Promise<IteratorResult<Circuit>> {
    if (!this.#done) {
      this.#done = true;
      this.#queued.length = 0;
      for (const waiter of this.#waiting.splice(0)) waiter({ value: undefined, done: true });
      this.onDone(this);
    }
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
