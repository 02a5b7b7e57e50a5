/**
 * Benchmark 3b: a boot storm on PostgreSQL, on one node and on two (issue 15). 10,000 devices of the six models
 * (BENCH_QUICK: 1,000; BENCH_NODES_DEVICES to choose) converge to the example policies (three rounds, as
 * benchmark 3) through a sticky HTTP load balancer (test/support/sticky-lb.ts, in the load generator's process,
 * the same hop in both runs) in front of N `converge serve` children sharing one throwaway PostgreSQL (store and
 * cluster), each with CONVERGE_MAX_SESSIONS=200 and the per-source share lifted to it (every session reaches a node
 * from the balancer's one address; with the default share of 64, one node would admit 64 and two 128). Figures: seconds until the run is done, sessions/s, and the
 * two-node run's speed-up over the one-node run measured just before it. Needs PostgreSQL (skipped otherwise).
 * Each storm is bounded by BENCH_NODES_DEADLINE_S (default: 300 s, or 0.2 s per device when larger: 2,000 s at
 * 10,000). Nothing may be lost: after each storm the run checks that every device did its rounds, is stored and
 * converged, that every session the nodes ended is recorded once, that no two sessions of one device overlap and
 * that no lease is left held; a failed check is printed and makes the process exit 1.
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
import pg from "pg";

const DEVICES = Number(process.env["BENCH_NODES_DEVICES"] ?? (QUICK ? 1000 : 10_000));
const CONCURRENCY = 400;
/** Each storm's time cap: 300 s, or more for a larger fleet (three rounds each, 0.165 s per device measured on one loaded node at 1,000). */
const DEADLINE_S = Number(process.env["BENCH_NODES_DEADLINE_S"] ?? Math.max(300, Math.ceil(DEVICES * 0.2)));

interface StormRun {
  readonly nodes: number;
  readonly elapsedS: number;
  readonly sessions: number;
  readonly perSecond: number;
  readonly p99Ms: number;
  readonly shed: number;
  readonly converged: number;
  readonly devices: number;
  readonly stopped: string;
  /** What the "nothing lost" checks found wrong (empty: nothing lost). */
  readonly lost: readonly string[];
}

/** Reads the shared database after the nodes stopped (their deferred session rows flushed): what was lost. */
async function lostIn(url: string, sessionsEnded: number): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const out: string[] = [];
    const one = async (text: string): Promise<number> => Number(((await client.query(text)).rows[0] as { n: unknown }).n);
    const devices = await one("SELECT count(*)::int AS n FROM devices");
    if (devices !== DEVICES) out.push(`${devices}/${DEVICES} devices stored`);
    const ok = await one("SELECT count(*)::int AS n FROM sessions");
    if (ok < sessionsEnded) out.push(`${ok} sessions recorded < ${sessionsEnded} the fleet completed`);
    const overlaps = await one(
      "SELECT count(*)::int AS n FROM (SELECT started_at, lag(ended_at) OVER (PARTITION BY dev ORDER BY started_at) AS prev FROM sessions) s WHERE s.started_at < s.prev",
    );
    if (overlaps > 0) out.push(`${overlaps} sessions overlap another session of the same device`);
    const held = await one("SELECT count(*)::int AS n FROM converge_cluster_leases WHERE node IS NOT NULL");
    if (held > 0) out.push(`${held} leases still held after the nodes stopped`);
    return out;
  } finally {
    await client.end();
  }
}

async function storm(nodes: number, url: string, policies: string): Promise<StormRun> {
  const lb = await startStickyLb();
  const servers: ServerChild[] = [];
  try {
    for (let i = 0; i < nodes; i++) {
      const s = await startServe({
        db: url,
        policies,
        env: { CONVERGE_MAX_SESSIONS: "200", CONVERGE_MAX_SESSIONS_PER_SOURCE: "200", CONVERGE_NODE_ID: `bench-${nodes}-${i}` },
      });
      servers.push(s);
      lb.add(s.cwmpUrl);
    }
    const fleet = await Fleet.create(
      fleetOptions(lb.url, { count: DEVICES, concurrency: CONCURRENCY, rounds: 3, seed: `nodes${nodes}`, intervalS: 1, deadlineS: DEADLINE_S }),
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
    for (const s of servers.splice(0)) await s.stop();
    const lost: string[] = [];
    if (run.stopped !== "done") lost.push(`the storm stopped on its ${run.stopped} (${DEADLINE_S} s), not done`);
    if (counts.converged !== DEVICES) lost.push(`${counts.converged}/${DEVICES} converged`);
    lost.push(...(await lostIn(url, c.sessionsOk)));
    return {
      nodes,
      elapsedS,
      sessions: c.sessionsOk,
      perSecond: c.sessionsOk / elapsedS,
      p99Ms: c.latency.quantile(0.99),
      shed: c.shed,
      converged: counts.converged,
      devices: counts.devices,
      stopped: run.stopped,
      lost,
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
    for (const r of [one, two]) {
      if (r.lost.length === 0)
        process.stdout.write(`${r.nodes} node(s): nothing lost (every device stored and converged, every session recorded, none overlapping, no lease left)\n`);
      else {
        process.stdout.write(`${r.nodes} node(s): LOST: ${r.lost.join("; ")}\n`);
        process.exitCode = 1;
      }
    }
    return {
      devices: DEVICES,
      deadlineS: DEADLINE_S,
      one,
      two,
      speedup: one.elapsedS / two.elapsedS,
      nothingLost: one.lost.length === 0 && two.lost.length === 0,
    };
  } finally {
    ws.cleanup();
    await pg.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) emit("boot-storm-nodes", await bootStormNodes());
