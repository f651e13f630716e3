/*
 * The application each process of the scale-out test runs: docs/deploy.md's server.mjs imports
 * `startApp` from `./app.mjs`, which re-exports this. It reports to the test on stdout, one line
 * of JSON after {@link REPORT} per event (a write to a pipe is synchronous on Linux, so the
 * reports of a drain are all out before the process exits), and checks its side of every call:
 *
 * - each circuit hands its page a host object whose `ping(seq)` must see 1, 2, 3… (exactly once,
 *   in order, across reconnects);
 * - each ping calls the page back (`scaleEcho(circuitId, n)`, n = 1, 2, 3… per circuit; the page
 *   checks the order) and answers once that call has completed, so calls are in flight both ways;
 * - a host call made while the server drains must be refused unsent, with SERVER_DRAINING.
 */
import { HostObjectReference } from '../../src/index.js';
import { SERVER_DRAINING, type Circuit, type InteropServer } from '../../src/server.js';

/** What a process tells the test. `at`: milliseconds on the machine's clock (performance.timeOrigin + now()). */
export type AppReport =
  | { readonly kind: 'circuit'; readonly id: string }
  | { readonly kind: 'up'; readonly id: string; readonly at: number }
  | { readonly kind: 'refused'; readonly reason: string }
  | { readonly kind: 'end'; readonly id: string; readonly reason: string; readonly tally: CircuitTally };

/** The host's side of one circuit's calls, when it ended. */
export interface CircuitTally {
  /** The last ping seen (pings 1..lastPing were each seen once, in order, unless `problems` says otherwise). */
  readonly lastPing: number;
  /** Calls back to the page made, completed, and refused unsent because the server was draining. */
  readonly echoes: number;
  readonly echoed: number;
  readonly refusedEchoes: number;
  readonly problems: readonly string[];
}

/** The start of a report line. */
export const REPORT = '@scale-app ';

const report = (message: AppReport): void => {
  process.stdout.write(`${REPORT}${JSON.stringify(message)}\n`);
};
const now = (): number => performance.timeOrigin + performance.now();

function serve(interop: InteropServer, circuit: Circuit): void {
  let lastPing = 0;
  let echoes = 0;
  let echoed = 0;
  let refusedEchoes = 0;
  const problems: string[] = [];
  const pinger = HostObjectReference.create(
    {
      async ping(seq: number): Promise<number> {
        if (seq !== lastPing + 1) problems.push(`ping ${seq} arrived after ping ${lastPing}`);
        lastPing = Math.max(lastPing, seq);
        const n = ++echoes;
        const draining = interop.stats().draining;
        try {
          const answer = await circuit.js.invokeAsync<number>('scaleEcho', circuit.id, n);
          if (answer !== n) problems.push(`scaleEcho(${n}) answered ${answer}`);
          echoed++;
        } catch (error) {
          if (draining && (error as Error).message.includes(SERVER_DRAINING)) refusedEchoes++;
          else problems.push(`scaleEcho(${n}) failed${draining ? ' while draining' : ''}: ${(error as Error).message}`);
        }
        return seq;
      },
    },
    { invokable: ['ping'] },
  );
  circuit.js.invokeVoidAsync('scaleStart', circuit.id, pinger).catch((error: Error) => problems.push(`scaleStart failed: ${error.message}`));
  void circuit.ended.then((reason) => report({ kind: 'end', id: circuit.id, reason, tally: { lastPing, echoes, echoed, refusedEchoes, problems } }));
}

export function startApp(interop: InteropServer): void {
  interop.on('circuit', (circuit) => {
    report({ kind: 'circuit', id: circuit.id });
    serve(interop, circuit);
  });
  interop.on('connectionUp', (circuit) => report({ kind: 'up', id: circuit.id, at: now() }));
  interop.on('refused', (refusal) => report({ kind: 'refused', reason: refusal.reason }));
}
