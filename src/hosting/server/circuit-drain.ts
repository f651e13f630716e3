/*
 * A circuit's part in a server drain (InteropServer.drain): the deadline, telling the page
 * (Draining), the page's answer (Drained), and when the circuit may end because nothing is in
 * flight either way. The circuit owns one and ends itself when `ready` says so.
 */
import { Control, SERVER_DRAINING } from '../../protocol/circuit-control.js';

export class CircuitDrain {
  /** The page's client answers Draining with Drained (PageFeature.Drain). */
  readonly #knowsDrain: boolean;
  /** While the server drains: when the circuit ends at the latest (a `Date.now()` time). */
  #deadline: number | undefined;
  /** The page said Drained: it starts no more calls. */
  #pageDrained = false;

  constructor(knowsDrain: boolean) {
    this.#knowsDrain = knowsDrain;
  }

  /** True once the server asked this circuit to drain. */
  get draining(): boolean {
    return this.#deadline !== undefined;
  }

  /** Starts draining until `deadline`; false if it already was. */
  start(deadline: number): boolean {
    if (this.#deadline !== undefined) return false;
    this.#deadline = deadline;
    return true;
  }

  /** The page said Drained. */
  pageDrained(): void {
    this.#pageDrained = true;
  }

  /** The Draining frame to tell the page, if it is draining and the page's client understands it. */
  notice(): string | undefined {
    if (!this.#knowsDrain || this.#deadline === undefined) return undefined;
    return JSON.stringify([Control.Draining, Math.max(0, this.#deadline - Date.now()), SERVER_DRAINING]);
  }

  /**
   * Whether the drain may look at the circuit's calls yet: it is draining and the page has said
   * Drained (an older client cannot: for it, once idle counts alone).
   */
  get awaitsIdle(): boolean {
    return this.#deadline !== undefined && (!this.#knowsDrain || this.#pageDrained);
  }
}
