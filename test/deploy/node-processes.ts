/*
 * The jsinterop processes of the scale-out test: docs/deploy.md's server.mjs, run as printed with
 * its PORT and JSINTEROP_NODE_NAME, and what their application (scale-app.ts) reports about each
 * circuit: which process made it, every resume it took, and how it ended.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { createInterface } from 'node:readline';
import { REPORT, type AppReport, type CircuitTally } from './scale-app.js';

/** One circuit, as the processes reported it. */
export interface CircuitRecord {
  readonly id: string;
  /** The node name of the process that made it. */
  readonly node: string;
  /** Each resume: the node name of the process that took it, and when (the machine's clock, ms). */
  readonly resumes: { readonly node: string; readonly at: number }[];
  end?: { readonly node: string; readonly reason: string; readonly tally: CircuitTally };
}

/** Every process started and not yet exited, killed if the test process exits first. */
const alive = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of alive) child.kill('SIGKILL');
});

export class NodeProcess {
  #child: ChildProcess | undefined;
  #exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> = Promise.resolve({ code: 0, signal: null });
  #output = '';

  constructor(
    readonly name: string,
    readonly port: number,
    private readonly directory: string,
    private readonly onReport: (node: string, report: AppReport) => void,
  ) {}

  /** Starts `node server.mjs` and resolves when it says it listens. */
  start(): Promise<void> {
    const child = spawn(process.execPath, ['server.mjs'], {
      cwd: this.directory,
      env: { ...process.env, PORT: String(this.port), JSINTEROP_NODE_NAME: this.name },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#child = child;
    alive.add(child);
    this.#exited = new Promise((resolve) => child.once('exit', (code, signal) => {
      alive.delete(child);
      resolve({ code, signal });
    }));
    child.stderr!.setEncoding('utf8').on('data', (text: string) => (this.#output += text));
    return new Promise((resolve, reject) => {
      createInterface({ input: child.stdout! }).on('line', (line) => {
        if (line.startsWith(REPORT)) return this.onReport(this.name, JSON.parse(line.slice(REPORT.length)) as AppReport);
        this.#output += `${line}\n`;
        if (line.startsWith(`node ${this.name} listening on `)) resolve();
      });
      void this.#exited.then(({ code, signal }) => reject(new Error(`node ${this.name} exited (${signal ?? `code ${code}`}) before it listened:\n${this.#output}`)));
    });
  }

  /** What the process wrote, other than its reports. */
  get output(): string {
    return this.#output;
  }

  signal(signal: NodeJS.Signals): void {
    this.#child?.kill(signal);
  }

  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    return this.#exited;
  }

  /** Ends the process (SIGKILL) if it still runs, and waits for it. */
  async stop(): Promise<void> {
    if (this.#child && this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill('SIGKILL');
    await this.#exited;
  }
}

/** The processes' reports, gathered by circuit. `report` is emitted after each one is recorded. */
export class Circuits extends EventEmitter<{ report: [] }> {
  readonly byId = new Map<string, CircuitRecord>();
  readonly problems: string[] = [];
  /** Connections each process refused, by node name and reason. */
  readonly refusals: Record<string, Record<string, number>> = {};

  record = (node: string, report: AppReport): void => {
    if (report.kind === 'refused') {
      const counts = (this.refusals[node] ??= {});
      counts[report.reason] = (counts[report.reason] ?? 0) + 1;
    } else if (report.kind === 'circuit') {
      if (!report.id.startsWith(`${node}.`)) this.problems.push(`node ${node} made circuit ${report.id}, not named after it`);
      this.byId.set(report.id, { id: report.id, node, resumes: [] });
    } else {
      const circuit = this.byId.get(report.id);
      if (!circuit) this.problems.push(`node ${node} reported ${report.kind} of a circuit nobody made: ${report.id}`);
      else if (report.kind === 'up') circuit.resumes.push({ node, at: report.at });
      else circuit.end = { node, reason: report.reason, tally: report.tally };
    }
    this.emit('report');
  };

  /** Resolves once `done()` holds (checked now and after every report). */
  until(done: () => boolean): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve) => {
      const check = (): void => {
        if (!done()) return;
        this.off('report', check);
        resolve();
      };
      this.on('report', check);
    });
  }
}
