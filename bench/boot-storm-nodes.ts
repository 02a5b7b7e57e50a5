/**
 * Benchmark 3b: a boot storm on PostgreSQL, on one node and on two (issue 15). 10,000 devices of the six models
 * (BENCH_QUICK: 1,000; BENCH_NODES_DEVICES to choose) converge to the example policies (three rounds, as
 * benchmark 3) through a sticky HTTP load balancer (test/support/sticky-lb.ts, in the load generator's process,
 * the same hop in both runs) in front of N `converge serve` children sharing one throwaway PostgreSQL (store and
 * cluster), each with CONVERGE_MAX_SESSIONS=200. Figures: seconds until the run is done, sessions/s, and the
 * two-node run's speed-up over the one-node run measured just before it. Needs PostgreSQL (skipped otherwise).
 * Run alone: node --import tsx bench/boot-storm-nodes.ts
 */
import { performance } from "node:perf_hooks";
import { Fleet } from "../src/sim/fleet.js";
import { acsCounts } from "../src/sim/fleet-acs.js";
import { fleetOptions, tempWorkspace } from "./support/fleet.js";
import { startServe, type ServerChild } from "./support/procs.js";
import { QUICK, emit, log, table } from "./support/report.js";
import { pgAvailability, startPg } from "../test/support/pg-cluster.js";
import { startStickyLb } from "../test/support/sticky-lb.js";

const DEVICES = Number(process.env["BENCH_NODES_DEVICES"] ?? (QUICK ? 1000 : 10_000));
const CONCURRENCY = 400;

interface StormRun {
  readonly nodes: number;
  readonly elapsedS: number;
  readonly sessions: number;
  readonly perSecond: number;
  readonly p99Ms: number;
  readonly shed: number;
  readonly converged: number;
  readonly devices: number;
}

async function storm(nodes: number, url: string, policies: string): Promise<StormRun> {
  const lb = await startStickyLb();
  const servers: ServerChild[] = [];
  try {
    for (let i = 0; i < nodes; i++) {
      const s = await startServe({ db: url, policies, env: { CONVERGE_MAX_SESSIONS: "200", CONVERGE_NODE_ID: `bench-${nodes}-${i}` } });
      servers.push(s);
      lb.add(s.cwmpUrl);
    }
    const fleet = await Fleet.create(
      fleetOptions(lb.url, { count: DEVICES, concurrency: CONCURRENCY, rounds: 3, seed: `nodes${nodes}`, intervalS: 1, deadlineS: 300 }),
    );
    const t0 = performance.now();
    const run = await fleet.run({
      onProgress: (p) => log(`storm on ${nodes} node(s): ${p.elapsedS.toFixed(0)}s ${p.sessionsOk} sessions, done ${p.done}, 503 ${p.shed}`),
      progressEveryMs: 10_000,
    });
    const elapsedS = (performance.now() - t0) / 1000;
    await fleet.close();
    const counts = await acsCounts(servers[0]!.apiUrl);
    const c = run.counters;
    return {
      nodes,
      elapsedS,
      sessions: c.sessionsOk,
      perSecond: c.sessionsOk / elapsedS,
      p99Ms: c.latency.quantile(0.99),
      shed: c.shed,
      converged: counts.converged,
      devices: counts.devices,
    };
  } finally {
    for (const s of servers) await s.stop();
    await lb.close();
  }
}

export async function bootStormNodes(): Promise<Record<string, unknown>> {
  const why = pgAvailability();
  if (why !== undefined) {
    log(`boot-storm-nodes skipped: ${why}`);
    return { skipped: why };
  }
  const pg = await startPg();
  const ws = tempWorkspace("policies");
  try {
    const one = await storm(1, await pg.createDatabase("storm_one"), ws.policies);
    const two = await storm(2, await pg.createDatabase("storm_two"), ws.policies);
    process.stdout.write(
      `\nBenchmark 3b: boot storm of ${DEVICES} devices on PostgreSQL, 1 node vs 2 nodes (sticky load balancer, max 200 sessions per node)\n`,
    );
    process.stdout.write(
      table(
        ["nodes", "done s", "sessions", "sessions/s", "p99 ms", "503 shed", "converged"],
        [one, two].map((r) => [r.nodes, r.elapsedS, r.sessions, r.perSecond, r.p99Ms, r.shed, `${r.converged}/${r.devices}`]),
      ),
    );
    return { devices: DEVICES, one, two, speedup: one.elapsedS / two.elapsedS };
  } finally {
    ws.cleanup();
    await pg.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) emit("boot-storm-nodes", await bootStormNodes());
