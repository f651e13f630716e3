/*
 * The memory a hostile page can make the server hold, measured: a server in a child process
 * with a 96 MB heap (flood-server.ts) faces clients that never read what it sends and flood it,
 * one with junk and large refused frames, one with large valid calls, while a well-behaved page
 * (the real client) calls the host and answers the host's calls. The child reports its memory
 * after a full garbage collection at every round of the well-behaved page's calls. The floods
 * are bounded by count, and each phase ends on an event of the server, never on a timer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { connectToServer } from '../../../src/server-client.js';
import * as Msg from '../../../src/protocol/message-codes.js';
import { freshDotNet, resolveReleasesOnOwnInstance } from '../../support/page.js';
import { DeafClient } from './deaf-client.js';
import type { FloodReport, FloodRequest, Memory } from './flood-server.js';
import { definePageGlobals } from './server-support.js';

const MiB = 1024 * 1024;
/**
 * The bounds docs/security.md states for one hostile connection with the default options
 * ("What a hostile connection can cost"): its replay buffer (`maxUnacknowledgedBytes`, 16 MiB,
 * kept while its circuit is retained) on the heap, its send buffer (`maxOutputBufferBytes`,
 * 1 MiB, plus the answers to the rest of the chunk being read) outside it.
 */
const HEAP_BOUND = 24 * MiB;
const EXTERNAL_BOUND = 8 * MiB;

type Request = FloodRequest extends infer R ? (R extends { seq: number } ? Omit<R, 'seq'> : never) : never;

/** The child process and its IPC: requests answered by seq, events waited for. */
class FloodServer {
  #seq = 0;
  readonly #answers = new Map<number, (report: FloodReport) => void>();
  readonly #waiters: { match: (report: FloodReport) => boolean; resolve: (report: FloodReport) => void }[] = [];
  readonly #exited: Promise<never>;

  private constructor(readonly child: ChildProcess) {
    child.on('message', (report: FloodReport) => {
      if ('seq' in report) return this.#answers.get(report.seq)?.(report);
      for (const waiter of this.#waiters.filter((w) => w.match(report))) {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        waiter.resolve(report);
      }
    });
    this.#exited = new Promise((_, reject) =>
      child.once('exit', (code, signal) => reject(new Error(`the server process exited (code ${code}, signal ${signal}): it ran out of memory or failed`))),
    );
    this.#exited.catch(() => {});
  }

  static async start(): Promise<{ server: FloodServer; url: string }> {
    const child = fork(fileURLToPath(new URL('./flood-server.js', import.meta.url)), [], {
      execArgv: ['--max-old-space-size=96', '--expose-gc'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const server = new FloodServer(child);
    const listening = await server.next((r) => 'event' in r && r.event === 'listening');
    return { server, url: (listening as { url: string }).url };
  }

  /** The next event for which `match` holds; rejects if the process exits first. */
  next(match: (report: FloodReport) => boolean): Promise<FloodReport> {
    return Promise.race([new Promise<FloodReport>((resolve) => this.#waiters.push({ match, resolve })), this.#exited]);
  }

  request(request: Request): Promise<FloodReport> {
    const seq = ++this.#seq;
    const answered = new Promise<FloodReport>((resolve) => this.#answers.set(seq, resolve));
    this.child.send({ ...request, seq });
    return Promise.race([answered, this.#exited]).finally(() => this.#answers.delete(seq));
  }

  async measure(): Promise<Memory> {
    return ((await this.request({ op: 'measure' })) as { memory: Memory }).memory;
  }

  stop(): void {
    if (this.child.connected) this.child.disconnect();
    this.child.kill();
  }
}

const eventOf = (name: string, circuitId?: string) => (r: FloodReport) => 'event' in r && r.event === name && (circuitId === undefined || ('circuitId' in r && r.circuitId === circuitId));

test('a page that stops reading and floods cannot take the memory of a server with a 96 MB heap; a well-behaved circuit keeps answering throughout', { timeout: 300_000 }, async (t) => {
  const { server, url } = await FloodServer.start();
  t.after(() => server.stop());
  definePageGlobals(t, { floodDouble: (x: number) => 2 * x });
  const DotNet = await freshDotNet();
  resolveReleasesOnOwnInstance(DotNet);
  const good = await connectToServer(url, { WebSocket: WebSocket as any, DotNet });
  t.after(() => good.close());

  const baseline = await server.measure();
  const peak = { heapUsed: baseline.heapUsed, external: baseline.external };
  let rounds = 0;
  /** One round of the well-behaved page: a call each way, then the server's memory. */
  const round = async (): Promise<void> => {
    const n = ++rounds;
    assert.equal(await DotNet.invokeMethodAsync('FloodTest', 'Echo', n), n);
    assert.equal(((await server.request({ op: 'callPage', circuitId: good.circuitId, value: n })) as { result: unknown }).result, 2 * n);
    const memory = await server.measure();
    peak.heapUsed = Math.max(peak.heapUsed, memory.heapUsed);
    peak.external = Math.max(peak.external, memory.external);
  };
  let flooding = true;
  const traffic = (async () => {
    while (flooding) await round();
  })();
  traffic.catch(() => {});

  // 1. Junk: 200,000 frames, nearly all one byte that is not JSON, with bait for long answers
  // (an unknown message type of 30,000 characters, which the answer names) and frames over maxMessageSize.
  const JUNK = 200_000;
  await server.request({ op: 'notifyAtProtocolErrors', count: JUNK });
  let opened = server.next(eventOf('circuit'));
  const junk = await DeafClient.open(url);
  t.after(() => junk.destroy());
  const junkCircuit = ((await opened) as { circuitId: string }).circuitId;
  const bait = JSON.stringify(['x'.repeat(30_000)]);
  const oversized = 'y'.repeat(40_000);
  for (let i = 0; i < JUNK; i++) junk.send(i % 2000 === 0 ? bait : i % 2000 === 1 ? oversized : 'x');
  // Over when the server ended the circuit, or (without a limit on refused frames) has refused every frame.
  const junkOver = await Promise.race([server.next(eventOf('circuitEnd', junkCircuit)), server.next(eventOf('protocolErrors')), traffic.then(() => assert.fail('traffic stopped'))]);
  await round();

  // 2. Large valid calls: 1,500 calls of 30,000 characters each, whose answers the page never reads.
  opened = server.next(eventOf('circuit'));
  const caller = await DeafClient.open(url);
  t.after(() => caller.destroy());
  const callerCircuit = ((await opened) as { circuitId: string }).circuitId;
  const arg = JSON.stringify(['z'.repeat(30_000)]);
  for (let i = 0; i < 1500; i++) caller.send(JSON.stringify([Msg.BeginInvokeDotNet, `${i}`, 'FloodTest', 'Echo', 0, arg]));
  // Over when the server dropped the page (it stopped reading it, so the page gave no sign of life) or ended its circuit.
  const callsOver = await Promise.race([server.next(eventOf('connectionDown', callerCircuit)), server.next(eventOf('circuitEnd', callerCircuit)), traffic.then(() => assert.fail('traffic stopped'))]);
  await round();
  flooding = false;
  await traffic;
  await round();

  const grew = { heapUsed: peak.heapUsed - baseline.heapUsed, external: peak.external - baseline.external };
  t.diagnostic(`rounds ${rounds}; baseline heap ${(baseline.heapUsed / MiB).toFixed(1)} MiB; peak growth: heap ${(grew.heapUsed / MiB).toFixed(1)} MiB, external ${(grew.external / MiB).toFixed(1)} MiB; calls phase ended by ${JSON.stringify(callsOver)}`);
  assert.equal(server.child.exitCode, null, 'the server process is alive');
  assert.ok(grew.heapUsed <= HEAP_BOUND, `heap grew by ${grew.heapUsed} bytes, more than the documented ${HEAP_BOUND}`);
  assert.ok(grew.external <= EXTERNAL_BOUND, `memory outside the heap grew by ${grew.external} bytes, more than the documented ${EXTERNAL_BOUND}`);
  assert.ok(rounds >= 4, 'the well-behaved page made calls both ways during each flood');
  assert.equal((junkOver as { event: string }).event, 'circuitEnd', `the junk page was cut off: ${JSON.stringify(junkOver)}`);
  assert.match((junkOver as { reason: string }).reason, /messages the server had to refuse/);
});
