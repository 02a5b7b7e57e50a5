/**
 * PostgreSQL against SQLite, one node each, in the same run: minimal sessions/s (converged devices replaying
 * their periodic Inform, measured in alternating slices), converge sessions/s (a new PeriodicInformInterval
 * each round, reloaded through the API), the `converge serve` process's CPU per session (utime + stime of the
 * server process from /proc; PostgreSQL's own backends are not counted), and PostgreSQL's store bytes per device
 * (pg_total_relation_size of every table, indexes and TOAST included; SQLite's are bench/store-cost.ts). Target: PostgreSQL >= 60% of SQLite's
 * minimal sessions/s. Run alone: node --import tsx bench/pg-sessions.ts
 */
import { readFileSync } from "node:fs";
import pg from "pg";
import { Fleet } from "../src/sim/fleet.js";
import { acsCounts } from "../src/sim/fleet-acs.js";
import { pgAvailability, startPg } from "../test/support/pg-cluster.js";
import { encodedInforms, fleetOptions, tempWorkspace, writeIntervalPolicies } from "./support/fleet.js";
import { leanRun, type LeanResult } from "./support/lean-load.js";
import { startServe, type ServerChild } from "./support/procs.js";
import { QUICK, emit, log, ratio, table } from "./support/report.js";

const DEVICES = QUICK ? 300 : 1000;
const SECONDS = QUICK ? 3 : 9;
const SLICES = 3;
const CONCURRENCY = 32;
const TICK_MS = 10;

/** CPU seconds (user + system) the process used so far. */
function cpuS(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8");
  const rest = f.slice(f.lastIndexOf(")") + 2).split(" ");
  // Fields 14 and 15 of stat (utime, stime) are 12 and 13 after the command name.
  return (Number(rest[11]) + Number(rest[12])) * (TICK_MS / 1000);
}

interface Target {
  readonly name: string;
  readonly server: ServerChild;
  readonly policies: string;
  readonly informs: Buffer[];
  readonly fleet: Fleet;
}

interface Measured extends LeanResult {
  readonly cpuMsPerSession: number;
}

async function measured(t: Target, seconds: number): Promise<Measured> {
  const c0 = cpuS(t.server.pid);
  const r = await leanRun(t.server.cwmpUrl, t.informs, CONCURRENCY, seconds);
  const cpu = cpuS(t.server.pid) - c0;
  return { ...r, cpuMsPerSession: r.sessions > 0 ? (cpu * 1000) / r.sessions : 0 };
}

async function convergeRound(t: Target, i: number): Promise<{ perSecond: number; cpuMsPerSession: number; sessions: number }> {
  writeIntervalPolicies(t.policies, 1000 + i);
  const reload = await fetch(`${t.server.apiUrl}/api/policies/reload`, { method: "POST" });
  if (!reload.ok) throw new Error(`policy reload: HTTP ${reload.status}`);
  const c0 = cpuS(t.server.pid);
  const r = await t.fleet.run();
  const cpu = cpuS(t.server.pid) - c0;
  const n = r.counters.sessionsOk;
  return { perSecond: n / r.elapsedS, cpuMsPerSession: n > 0 ? (cpu * 1000) / n : 0, sessions: n };
}

const best = <T extends { readonly perSecond: number }>(rs: readonly T[]): T => rs.reduce((x, y) => (y.perSecond > x.perSecond ? y : x));

async function pgBytes(url: string): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query("CHECKPOINT");
    const r = await c.query<{ b: string }>(
      `SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::text AS b FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'public' AND c.relkind = 'r'`,
    );
    return Number(r.rows[0]?.b ?? 0);
  } finally {
    await c.end();
  }
}

export async function pgSessions(): Promise<Record<string, unknown>> {
  const why = pgAvailability();
  if (why !== undefined) {
    process.stdout.write(`pg-sessions skipped: ${why}\n`);
    return { skipped: why };
  }
  const cluster = await startPg();
  const wsL = tempWorkspace("policies");
  const wsP = tempWorkspace("policies");
  const targets: Target[] = [];
  try {
    for (const [name, ws, db] of [
      ["sqlite", wsL, wsL.db],
      ["postgres", wsP, cluster.url],
    ] as const) {
      const server = await startServe({ db, policies: ws.policies });
      log(`pg-sessions: ${name}: converging ${DEVICES} devices to the example policies`);
      const fleet = await Fleet.create(fleetOptions(server.cwmpUrl, { count: DEVICES, rounds: 3, seed: "pg", concurrency: CONCURRENCY }));
      await fleet.run();
      const counts = await acsCounts(server.apiUrl);
      log(`pg-sessions: ${name}: ${counts.converged}/${counts.devices} converged`);
      targets.push({ name, server, policies: ws.policies, informs: encodedInforms(fleet), fleet });
    }
    const [lite, pgt] = targets as [Target, Target];
    const pgBytesPerDevice = (await pgBytes(cluster.url)) / DEVICES;
    await measured(lite, 1);
    await measured(pgt, 1);
    const ml: Measured[] = [];
    const mp: Measured[] = [];
    for (let i = 0; i < SLICES; i++) {
      ml.push(await measured(lite, SECONDS / SLICES));
      mp.push(await measured(pgt, SECONDS / SLICES));
    }
    const [minL, minP] = [best(ml), best(mp)];
    const cl = [];
    const cp = [];
    for (let i = 1; i <= 2; i++) {
      cl.push(await convergeRound(lite, i));
      cp.push(await convergeRound(pgt, i));
    }
    const [convL, convP] = [best(cl), best(cp)];
    process.stdout.write(`\nPostgreSQL vs SQLite, one node each (${DEVICES} devices, six models, ${CONCURRENCY} in flight)\n`);
    process.stdout.write(
      table(
        ["store", "minimal/s", "p99 ms", "CPU ms/minimal", "converge/s", "CPU ms/converge"],
        [
          ["sqlite", minL.perSecond, minL.p99Ms, minL.cpuMsPerSession, convL.perSecond, convL.cpuMsPerSession],
          ["postgres", minP.perSecond, minP.p99Ms, minP.cpuMsPerSession, convP.perSecond, convP.cpuMsPerSession],
        ],
      ),
    );
    const minimalRatio = ratio(minP.perSecond, minL.perSecond);
    process.stdout.write(`postgres store bytes per device: ${pgBytesPerDevice.toFixed(0)}\n`);
    process.stdout.write(`minimal sessions/s postgres/sqlite: ${(minimalRatio * 100).toFixed(1)}% (target >= 60%)\n`);
    return {
      devices: DEVICES,
      concurrency: CONCURRENCY,
      minimal: { sqlite: minL, postgres: minP, ratio: minimalRatio },
      converge: { sqlite: convL, postgres: convP, ratio: ratio(convP.perSecond, convL.perSecond) },
      pgBytesPerDevice,
    };
  } finally {
    for (const t of targets) {
      await t.fleet.close();
      await t.server.stop();
    }
    wsL.cleanup();
    wsP.cleanup();
    await cluster.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) emit("pg-sessions", await pgSessions());
