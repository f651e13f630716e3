/*
 * The pages of the scale-out test, all in the test process: each is a NodePage (its own instance
 * of the official package, the real client, its own `ws` socket) connected through nginx, with
 * the page's side of the call checks of scale-app.ts:
 *
 * - `ping(seq)` on the host object its circuit handed it, seq = 1, 2, 3…; each call must complete
 *   with its own seq, or (only while its server drains) be refused unsent with SERVER_DRAINING;
 * - the host's `scaleEcho(circuitId, n)` calls must arrive n = 1, 2, 3…, each once.
 */
import { SERVER_DRAINING } from '../../src/server-client.js';
import { openNodePage, type NodePage } from '../support/node-page.js';

interface HostObject {
  invokeMethodAsync(method: string, ...args: unknown[]): Promise<unknown>;
}

export class ScalePage {
  nextSeq = 0;
  /** Seqs whose call completed, in the order they did. */
  readonly completed: number[] = [];
  /** Seqs refused unsent because the server was draining. */
  readonly refused: number[] = [];
  readonly problems: string[] = [];
  lastEcho = 0;
  echoes = 0;
  /** Set to cut the socket when the next `scaleEcho` arrives (a host call in flight); then the time of the cut. */
  cutOnEcho = false;
  cutAt: number | undefined;
  #holdNext: (() => void) | undefined;
  #release: (() => void) | undefined;
  ended: string | undefined;
  readonly #inFlight = new Set<Promise<void>>();

  constructor(readonly page: NodePage, readonly circuitId: string, private readonly pinger: HostObject) {
    void page.connection.ended.then((reason) => (this.ended = reason));
  }

  /** The owner's node name: the circuit id up to its first dot. */
  get node(): string {
    return this.circuitId.slice(0, this.circuitId.indexOf('.'));
  }

  /** One ping; settles when it has (never rejects: the outcome is recorded). */
  call(): Promise<void> {
    const seq = ++this.nextSeq;
    const call = this.pinger.invokeMethodAsync('ping', seq).then(
      (answer) => {
        if (answer !== seq) this.problems.push(`ping(${seq}) answered ${String(answer)}`);
        this.completed.push(seq);
      },
      (error: Error) => {
        if (error.message.includes(SERVER_DRAINING)) this.refused.push(seq);
        else this.problems.push(`ping(${seq}) failed: ${error.message}`);
      },
    );
    this.#inFlight.add(call);
    void call.then(() => this.#inFlight.delete(call));
    return call;
  }

  /** Calls made and not settled yet. */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** Resolves when every call made so far has settled. */
  async settled(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all(this.#inFlight);
  }

  echo(n: number): number | Promise<number> {
    if (n !== this.lastEcho + 1) this.problems.push(`scaleEcho(${n}) arrived after scaleEcho(${this.lastEcho})`);
    this.lastEcho = Math.max(this.lastEcho, n);
    this.echoes++;
    if (this.cutOnEcho) {
      this.cutOnEcho = false;
      this.cutAt = performance.timeOrigin + performance.now();
      this.page.drop();
    }
    if (this.#holdNext) {
      this.#holdNext();
      this.#holdNext = undefined;
      return new Promise((resolve) => (this.#release = () => resolve(n)));
    }
    return n;
  }

  /** Keeps the next `scaleEcho` unanswered (a host call in flight) until {@link release}; resolves when it has arrived. */
  holdNextEcho(): Promise<void> {
    return new Promise((resolve) => (this.#holdNext = resolve));
  }

  /** Answers the held `scaleEcho`. */
  release(): void {
    this.#release?.();
    this.#release = undefined;
  }
}

/** Every page of the test, by circuit id; opens new ones through `url`. */
export class ScalePages {
  readonly byCircuit = new Map<string, ScalePage>();
  /** Host objects that arrived before their page's connectToServer resolved, and pages waiting for theirs. */
  readonly #pingers = new Map<string, HostObject>();
  readonly #waiting = new Map<string, (pinger: HostObject) => void>();

  /** Where the client listens for `pagehide`, standing in for the browser's window. */
  readonly #window = new EventTarget();
  /** The disconnect beacons sent (POSTs through nginx), as the browser's sendBeacon would. */
  readonly #beacons = new Set<Promise<void>>();
  readonly beaconStatuses: number[] = [];

  constructor(private readonly url: string, private readonly origin: string) {
    const global = globalThis as Record<string, unknown>;
    // What a browser gives the client for its disconnect beacon: `pagehide` on the window, and navigator.sendBeacon.
    global.addEventListener = this.#window.addEventListener.bind(this.#window);
    global.removeEventListener = this.#window.removeEventListener.bind(this.#window);
    global.navigator = {
      sendBeacon: (url: string, body: URLSearchParams) => {
        const beacon = fetch(url, { method: 'POST', body, headers: { origin } }).then(
          async (response) => {
            await response.arrayBuffer();
            this.beaconStatuses.push(response.status);
          },
          (error: Error) => {
            this.beaconStatuses.push(0);
            throw error;
          },
        );
        this.#beacons.add(beacon);
        return true;
      },
    };
    // Window functions are global: every page instance's dispatcher finds these, so they name the circuit.
    global.scaleStart = (circuitId: string, pinger: HostObject) => {
      const waiting = this.#waiting.get(circuitId);
      if (waiting) waiting(pinger);
      else this.#pingers.set(circuitId, pinger);
    };
    global.scaleEcho = (circuitId: string, n: number) => {
      const page = this.byCircuit.get(circuitId);
      if (!page) throw new Error(`scaleEcho for circuit ${circuitId}, which has no page here`);
      return page.echo(n);
    };
  }

  /** Opens a page through nginx, or at another address (`url`, with the `origin` of a page served there). */
  async open(url = this.url, origin = this.origin): Promise<ScalePage> {
    // The page's Origin, as a browser's on nginx's address: the server's same-origin check needs nginx to pass Host as sent.
    const page = await openNodePage(url, {}, { origin });
    const id = page.connection.circuitId;
    const pinger = this.#pingers.get(id) ?? (await new Promise<HostObject>((resolve) => this.#waiting.set(id, resolve)));
    this.#pingers.delete(id);
    this.#waiting.delete(id);
    const scalePage = new ScalePage(page, id, pinger);
    this.byCircuit.set(id, scalePage);
    return scalePage;
  }

  /** Opens `count` pages through nginx, `parallel` at a time. */
  async openMany(count: number, parallel = 50): Promise<ScalePage[]> {
    const opened: ScalePage[] = [];
    while (opened.length < count) {
      const batch = Math.min(parallel, count - opened.length);
      opened.push(...(await Promise.all(Array.from({ length: batch }, () => this.open()))));
    }
    return opened;
  }

  /** The pages whose circuit has not ended. */
  live(): ScalePage[] {
    return [...this.byCircuit.values()].filter((page) => page.ended === undefined);
  }

  close(): void {
    for (const page of this.live()) page.page.connection.close();
  }

  /** Every page goes away as a browser tab closes (`pagehide`): each sends its disconnect beacon. Resolves when every beacon has been answered. */
  async hide(): Promise<void> {
    this.#window.dispatchEvent(new Event('pagehide'));
    await Promise.all(this.#beacons);
  }
}
