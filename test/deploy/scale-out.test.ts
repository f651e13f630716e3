/*
 * docs/deploy.md, run: Debian's nginx with the documented configuration in front of three
 * processes of the documented server.mjs (node names a, b, c), and 300 pages connected through
 * nginx. Each phase waits on events (reports from the processes, the pages' own promises), never
 * on time, and asserts no timing; the figures are printed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CIRCUIT_GONE, SERVER_DRAINING } from '../../src/server-client.js';
import { PAGE_CLOSED } from '../../src/server.js';
import { startNginx } from '../support/nginx.js';
import { DOC_NODES, freePorts, localConfig, readDeployExample } from './deploy-doc.js';
import { Circuits, NodeProcess } from './node-processes.js';
import { ScalePages, type ScalePage } from './scale-pages.js';

const PAGES = 300;
const DROPS = 200;
/** Drops at once (distinct circuits), and pings in flight on each when its socket is cut. */
const DROPS_AT_ONCE = 20;
const PINGS_PER_DROP = 4;
/** A phase that hangs (a resume that never comes, say) fails after this long instead of waiting for the whole test's timeout; not a timing check: a phase takes a few seconds. */
const PHASE_TIMEOUT = 180_000;

const here = path.dirname(fileURLToPath(import.meta.url));

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function countBy<T>(items: Iterable<T>, key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

function pick<T>(items: readonly T[], count: number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy.slice(0, count);
}

test('docs/deploy.md: three processes behind nginx keep every call through drops, a kill -9 and a rolling restart', { timeout: 600_000 }, async (t) => {
  const example = await readDeployExample();
  const [nginxPort, ...nodePorts] = await freePorts(1 + DOC_NODES.length);
  // server.mjs imports `jsinterop/server`: inside this repository that resolves to the package itself (its "exports").
  const directory = path.join(here, `example-${process.pid}`);
  await mkdir(directory, { recursive: true });
  t.after(() => rm(directory, { recursive: true, force: true }));
  await writeFile(path.join(directory, 'server.mjs'), example.serverEntry);
  await writeFile(path.join(directory, 'app.mjs'), "export { startApp } from '../scale-app.js';\n");

  const circuits = new Circuits();
  const nodes = DOC_NODES.map(({ name }, index) => new NodeProcess(name, nodePorts[index]!, directory, circuits.record));
  t.after(() => Promise.all(nodes.map((node) => node.stop())));
  const nodeNamed = (name: string): NodeProcess => nodes.find((node) => node.name === name)!;
  await Promise.all(nodes.map((node) => node.start()));

  const nginx = await startNginx(localConfig(example.nginxConfig, nodePorts, nginxPort!), nginxPort!);
  t.after(() => nginx.stop());
  const origin = `http://127.0.0.1:${nginxPort}`;
  const pages = new ScalePages(`ws://127.0.0.1:${nginxPort}/_jsinterop`, origin);
  t.after(() => pages.close());
  const failureDetail = (): string => `\nnginx:\n${nginx.log().slice(-4000)}\n${nodes.map((node) => `node ${node.name}:\n${node.output.slice(-2000)}`).join('\n')}`;

  /**
   * A restarted process is back in nginx's pool at once (`max_fails=0`), and holding no circuit it is the pool's
   * emptiest (`least_conn`): the next new circuit lands on it.
   */
  const assertPoolTakes = async (name: string): Promise<void> => {
    const next = await pages.open();
    assert.equal(next.node, name, `the first new circuit after process ${name} restarted went to ${next.node}${failureDetail()}`);
  };

  // ---- 300 new circuits, spread over the three processes ----
  const opened = await pages.openMany(PAGES);
  const perNode = countBy(opened, (page) => page.node);
  t.diagnostic(`circuits per process after opening ${PAGES} (50 at a time): ${JSON.stringify(perNode)}`);
  await circuits.until(() => opened.every((page) => circuits.byId.get(page.circuitId)?.node === page.node));
  for (const { name } of DOC_NODES) assert.ok((perNode[name] ?? 0) > 0, `no circuit landed on process ${name}: ${JSON.stringify(perNode)}`);
  await Promise.all(opened.map((page) => page.call()));

  /**
   * Cuts `page`'s socket when the first host call of a few pings arrives (calls in flight both ways), waits for its
   * circuit to resume and for the pings to complete; returns the time from the cut to the owner's connectionUp.
   */
  const dropAndResume = async (page: ScalePage): Promise<number> => {
    const record = circuits.byId.get(page.circuitId)!;
    const resumesBefore = record.resumes.length;
    page.cutOnEcho = true;
    await Promise.all(Array.from({ length: PINGS_PER_DROP }, () => page.call()));
    assert.equal(page.cutOnEcho, false, `circuit ${page.circuitId}: its socket was not cut`);
    await Promise.race([
      circuits.until(() => record.resumes.length > resumesBefore),
      page.page.connection.ended.then((reason) => assert.fail(`circuit ${page.circuitId} ended instead of resuming: ${reason}`)),
    ]);
    const resume = record.resumes[resumesBefore]!;
    assert.equal(resume.node, page.node, `circuit ${page.circuitId} resumed on process ${resume.node}, not its owner`);
    return resume.at - page.cutAt!;
  };
  const summary = (ms: number[]): string => {
    ms.sort((x, y) => x - y);
    return `median ${percentile(ms, 50).toFixed(1)} ms, p99 ${percentile(ms, 99).toFixed(1)} ms, max ${ms.at(-1)!.toFixed(1)} ms`;
  };

  await t.test('200 connection drops with calls in flight both ways: every resume reaches its owner, every call completes once, in order', { timeout: PHASE_TIMEOUT }, async () => {
    const resumeMs: number[] = [];
    let dropped = 0;
    while (dropped < DROPS) {
      const batch = pick(pages.live(), Math.min(DROPS_AT_ONCE, DROPS - dropped));
      dropped += batch.length;
      resumeMs.push(...(await Promise.all(batch.map(dropAndResume))));
    }
    const resumes = [...circuits.byId.values()].flatMap((record) => record.resumes);
    for (const page of pages.live()) {
      assert.deepEqual(page.problems, [], `circuit ${page.circuitId}`);
      assert.deepEqual([...page.completed].sort((x, y) => x - y), Array.from({ length: page.nextSeq }, (_, i) => i + 1), `circuit ${page.circuitId}: every ping completed once`);
    }
    // The same drops, as many at once, on pages connected to process a directly: what nginx adds to a resume.
    const direct = await Promise.all(Array.from({ length: DROPS_AT_ONCE }, () => pages.open(`ws://127.0.0.1:${nodePorts[0]}/_jsinterop`, `http://127.0.0.1:${nodePorts[0]}`)));
    await circuits.until(() => direct.every((page) => circuits.byId.has(page.circuitId)));
    const directMs: number[] = [];
    for (let round = 0; round < 2; round++) directMs.push(...(await Promise.all(direct.map(dropAndResume))));
    for (const page of direct) page.page.connection.close();
    await circuits.until(() => direct.every((page) => circuits.byId.get(page.circuitId)?.end !== undefined));
    t.diagnostic(`${DROPS} drops: resumes per process ${JSON.stringify(countBy(resumes, (resume) => resume.node))}; ` +
      `resume through nginx, cut → owner's connectionUp: ${summary(resumeMs)}; ` +
      `the same for ${directMs.length} drops (${DROPS_AT_ONCE} at a time) of pages connected to process a without nginx: ${summary(directMs)}`);
  });

  await t.test('kill -9 of one process: only its circuits end, with CIRCUIT_GONE after one reconnect attempt; new circuits go to the live ones', { timeout: PHASE_TIMEOUT }, async () => {
    const victim = nodeNamed('c');
    const doomed = pages.live().filter((page) => page.node === victim.name);
    const spared = pages.live().filter((page) => page.node !== victim.name);
    const socketsBefore = new Map(doomed.map((page) => [page, page.page.sockets]));
    victim.signal('SIGKILL');
    await victim.exited();
    const started = performance.now();
    const reasons = await Promise.all(doomed.map((page) => page.page.connection.ended));
    const goneMs = performance.now() - started;
    for (const [index, page] of doomed.entries()) {
      assert.equal(reasons[index], CIRCUIT_GONE, `circuit ${page.circuitId}`);
      assert.equal(page.page.sockets - socketsBefore.get(page)!, 1, `circuit ${page.circuitId}: reconnect attempts after the kill`);
    }
    assert.deepEqual(spared.filter((page) => page.ended !== undefined).map((page) => page.circuitId), [], 'circuits of the live processes that ended');
    await Promise.all(spared.map((page) => page.call()));
    for (const page of spared) assert.deepEqual(page.problems, [], `circuit ${page.circuitId}`);
    const fresh = await pages.openMany(30);
    const freshPerNode = countBy(fresh, (page) => page.node);
    assert.equal(freshPerNode[victim.name], undefined, `new circuits on the dead process: ${JSON.stringify(freshPerNode)}`);
    await Promise.all(fresh.map((page) => page.call()));
    t.diagnostic(`kill -9 of ${victim.name}: its ${doomed.length} circuits ended with CIRCUIT_GONE, all within ${goneMs.toFixed(0)} ms of its exit; ` +
      `${spared.length} others kept working; 30 new circuits: ${JSON.stringify(freshPerNode)}`);

    await victim.start();
    await assertPoolTakes(victim.name);
  });

  await t.test('rolling restart with drain: every call completes or is refused unsent with SERVER_DRAINING; circuits end only with SERVER_DRAINING; then beacons end the rest on their owners', { timeout: PHASE_TIMEOUT }, async () => {
    const before = new Set(pages.live());
    const replacements: ScalePage[] = [];
    const opening = new Set<Promise<void>>();
    let running = true;
    // Every page that ends with SERVER_DRAINING opens a new circuit at once, as an application would.
    const replaceWhenDrained = (page: ScalePage): void => {
      void page.page.connection.ended.then((reason) => {
        if (reason !== SERVER_DRAINING || !running) return;
        const replacement = pages.open().then((next) => {
          replacements.push(next);
          replaceWhenDrained(next);
        });
        opening.add(replacement);
        void replacement.finally(() => opening.delete(replacement));
      });
    };
    for (const page of before) replaceWhenDrained(page);
    // Load: 4 pages call the host every 10 ms (each page about every 0.8 s), so calls are in flight when each drain starts.
    const load = setInterval(() => {
      for (const page of pick(pages.live(), 4)) void page.call();
    }, 10);
    t.after(() => clearInterval(load));
    const drains: string[] = [];
    for (const node of nodes) {
      const owned = pages.live().filter((page) => page.node === node.name);
      assert.ok(owned.length > 0, `no circuit on process ${node.name} to drain`);
      // One of its pages holds a call from the host unanswered, so the drain lasts until the test releases it.
      const holder = owned[0]!;
      const held = holder.holdNextEcho();
      void holder.call();
      await held;
      // And every one of its pages has calls in flight both ways when the drain starts.
      for (const page of owned) for (let i = 0; i < 2; i++) void page.call();
      const inFlight = owned.reduce((sum, page) => sum + page.inFlight, 0);
      const started = performance.now();
      node.signal('SIGTERM');
      // The others end once their calls are done; the process, still draining, is the pool's emptiest: new
      // circuits try it first, get its 503 and go on to another process.
      await Promise.all(owned.filter((page) => page !== holder).map((page) => page.page.connection.ended));
      const refusedBefore = circuits.refusals[node.name]?.draining ?? 0;
      const duringDrain = await pages.openMany(10);
      for (const page of duringDrain) replaceWhenDrained(page);
      assert.deepEqual(duringDrain.filter((page) => page.node === node.name).map((page) => page.circuitId), [], `new circuits on draining process ${node.name}`);
      await circuits.until(() => (circuits.refusals[node.name]?.draining ?? 0) > refusedBefore);
      const refusedWhileDraining = circuits.refusals[node.name]!.draining! - refusedBefore;
      holder.release();
      const { code, signal } = await node.exited();
      assert.equal(code, 0, `process ${node.name} exited with ${signal ?? code} after SIGTERM${failureDetail()}`);
      const drainedMs = performance.now() - started;
      const reasons = await Promise.all(owned.map((page) => page.page.connection.ended));
      for (const [index, page] of owned.entries()) assert.equal(reasons[index], SERVER_DRAINING, `circuit ${page.circuitId}`);
      await node.start();
      await assertPoolTakes(node.name);
      drains.push(`${node.name}: ${owned.length} circuits with ${inFlight} pings in flight at SIGTERM, ${refusedWhileDraining} new circuits refused while draining (503) and opened elsewhere, ` +
        `SIGTERM → exit ${drainedMs.toFixed(0)} ms (held call included)`);
    }
    running = false;
    clearInterval(load);
    while (opening.size > 0) await Promise.all(opening);
    const all = [...pages.byCircuit.values()];
    await Promise.all(all.map((page) => page.settled()));

    // Every circuit now open works; then every page goes away, its disconnect beacon (POST …/disconnect?circuit=<id>)
    // reaches the circuit's owner through nginx, which ends it; the processes report each circuit's host side.
    await Promise.all(pages.live().map((page) => page.call()));
    const open = pages.live();
    await pages.hide();
    const beaconsRefused = (): number => Object.values(circuits.refusals).reduce((sum, counts) => sum + (counts.beacon ?? 0), 0);
    await Promise.race([
      circuits.until(() => open.every((page) => circuits.byId.get(page.circuitId)?.end !== undefined)),
      // A beacon that reached a process without its circuit ends nothing there (and is reported as refused).
      circuits.until(() => beaconsRefused() > 0).then(() => assert.fail(`${beaconsRefused()} beacon(s) reached a process that does not hold the circuit`)),
    ]);
    assert.deepEqual(countBy(pages.beaconStatuses, String), { 204: open.length }, 'beacon answers');
    for (const page of open) assert.equal(circuits.byId.get(page.circuitId)!.end!.reason, PAGE_CLOSED, `circuit ${page.circuitId}: ended by its beacon`);

    let completed = 0;
    let refused = 0;
    for (const page of all) {
      const record = circuits.byId.get(page.circuitId)!;
      assert.deepEqual(page.problems, [], `circuit ${page.circuitId} (page side)`);
      completed += page.completed.length;
      refused += page.refused.length;
      if (page.ended === CIRCUIT_GONE) continue; // the kill -9's circuits: checked above, no host side left
      assert.ok(record.end, `circuit ${page.circuitId}: its process reported no end`);
      const { tally, reason } = record.end;
      assert.deepEqual(tally.problems, [], `circuit ${page.circuitId} (host side)`);
      // Exactly once, in order: the host saw pings 1..k, the page completed exactly those; the others were refused unsent, and only in a drain.
      const k = tally.lastPing;
      assert.deepEqual([...page.completed].sort((x, y) => x - y), Array.from({ length: k }, (_, i) => i + 1), `circuit ${page.circuitId}: completed pings`);
      assert.ok(page.refused.every((seq) => seq > k), `circuit ${page.circuitId}: a refused ping had reached the host`);
      if (page.refused.length > 0) assert.equal(reason, SERVER_DRAINING, `circuit ${page.circuitId}: pings refused, yet it ended with "${reason}"`);
      assert.equal(page.refused.length + page.completed.length, page.nextSeq, `circuit ${page.circuitId}: every ping settled`);
      assert.equal(tally.echoes - tally.refusedEchoes, tally.echoed, `circuit ${page.circuitId}: host calls`);
      assert.equal(page.echoes, tally.echoed, `circuit ${page.circuitId}: host calls the page answered`);
      if (before.has(page)) assert.equal(reason, SERVER_DRAINING, `circuit ${page.circuitId}`);
    }
    t.diagnostic(`rolling restart: ${drains.join('; ')}`);
    t.diagnostic(`then the ${open.length} pages open went away: each one's disconnect beacon, routed by nginx to its owner, ended its circuit with PAGE_CLOSED`);
    t.diagnostic(`calls over the whole test: ${completed} pings completed (each with a host call back), ${refused} refused unsent with SERVER_DRAINING, 0 failed; ` +
      `the ${before.size} circuits open before the restart all ended with SERVER_DRAINING; ${replacements.length} new circuits replaced them ` +
      `(${JSON.stringify(countBy(replacements, (page) => page.node))}; one opened on a process drained later was replaced again)`);
  });
  assert.deepEqual(circuits.problems, []);
});
