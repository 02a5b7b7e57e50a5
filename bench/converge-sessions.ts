/**
 * Benchmark 2: converge sessions per second: every device's policy value changed since its last session, so
 * the session reads, sets and reads back (PeriodicInformInterval, a new value each round, reloaded through
 * the API), against the bare route doing GetParameterValues + SetParameterValues + read-back with the same
 * simulated devices and client. Run alone: node --import tsx bench/converge-sessions.ts
 */
import { Fleet, type FleetRunResult } from "../src/sim/fleet.js";
import { acsCounts } from "../src/sim/fleet-acs.js";
import { fleetOptions, tempWorkspace, writeIntervalPolicies } from "./support/fleet.js";
import { cpuMs, startBare, startServe } from "./support/procs.js";
import { QUICK, emit, log, ratio, table } from "./support/report.js";

const DEVICES = QUICK ? 300 : 1200;
const ROUNDS = 3;
const CONCURRENCY = 32;

interface Round {
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly sessions: number;
  readonly failed: number;
  readonly rpcsPerSession: number;
  readonly rpcs: Readonly<Record<string, number>>;
  /** The server child's CPU (user + system, /proc) per session over the round: less sensitive to a shared machine. */
  readonly cpuMsPerSession: number;
}

/** Runs the fleet once, the server child's CPU measured over the run. */
async function measured(fleet: Fleet, pid: number): Promise<Round> {
  const c0 = cpuMs(pid);
  const r = await fleet.run();
  return roundOf(r, cpuMs(pid) - c0);
}

function roundOf(r: FleetRunResult, cpu = 0): Round {
  const c = r.counters;
  const rpcs = Object.fromEntries(c.rpcs);
  const total = Object.values(rpcs).reduce((a, b) => a + b, 0);
  return {
    perSecond: c.sessionsOk / r.elapsedS,
    p50Ms: c.latency.quantile(0.5),
    p99Ms: c.latency.quantile(0.99),
    sessions: c.sessionsOk,
    failed: c.sessionsFailed,
    rpcsPerSession: c.sessionsOk > 0 ? total / c.sessionsOk : 0,
    rpcs,
    cpuMsPerSession: c.sessionsOk > 0 ? cpu / c.sessionsOk : 0,
  };
}

/** Edits the policies (a new interval), reloads them through the API, and runs every device once. */
async function changedRound(dir: string, apiUrl: string, i: number, fleet: Fleet, pid: number): Promise<Round> {
  writeIntervalPolicies(dir, 1000 + i);
  const reload = await fetch(`${apiUrl}/api/policies/reload`, { method: "POST" });
  if (!reload.ok) throw new Error(`policy reload: HTTP ${reload.status}`);
  return measured(fleet, pid);
}

/** The RPC methods of the probe session (in first-seen order) -> the bare route's steps. */
const RPC_SEQUENCE: Readonly<Record<string, string>> = {
  '["SetParameterValues","GetParameterValues"]': "spv,gpv",
  '["GetParameterValues","SetParameterValues"]': "gpv,spv,gpv",
};

const best = (rs: readonly Round[]): Round => rs.reduce((x, y) => (y.perSecond > x.perSecond ? y : x));

export async function convergeSessions(): Promise<Record<string, unknown>> {
  const ws = tempWorkspace(undefined);
  writeIntervalPolicies(ws.policies, 1000);
  const server = await startServe({ db: ws.db, policies: ws.policies });
  const opts = { count: DEVICES, concurrency: CONCURRENCY, seed: "converge" };
  const real = await Fleet.create(fleetOptions(server.cwmpUrl, opts));
  log(`converge: bootstrapping ${DEVICES} devices`);
  await real.run();
  const settled = roundOf(await real.run());
  // Round 1 of the real server shows which RPCs one changed value costs; the baseline then sends exactly those.
  const rr: Round[] = [await changedRound(ws.policies, server.apiUrl, 1, real, server.pid)];
  const sequence = RPC_SEQUENCE[JSON.stringify(Object.keys(rr[0]?.rpcs ?? {}))] ?? "gpv,spv,gpv";
  const bare = await startBare(`converge:${sequence}`);
  const base = await Fleet.create(fleetOptions(bare.url, opts));
  try {
    log(`converge: settled round ${settled.rpcsPerSession} RPCs/session; baseline sequence ${sequence}`);
    await base.run(); // warm-up of the baseline (same devices, same client)
    const rb: Round[] = [];
    for (let i = 1; i <= ROUNDS; i++) {
      if (i > 1) rr.push(await changedRound(ws.policies, server.apiUrl, i, real, server.pid));
      rb.push(await measured(base, bare.pid));
      log(`converge: round ${i}: ${rr.at(-1)?.perSecond.toFixed(0)}/s vs bare ${rb.at(-1)?.perSecond.toFixed(0)}/s`);
    }
    const counts = await acsCounts(server.apiUrl);
    const [r, b] = [best(rr), best(rb)];
    process.stdout.write(
      `\nBenchmark 2: converge sessions/s (${DEVICES} devices, six models, new PeriodicInformInterval each round, ${CONCURRENCY} in flight, best of ${ROUNDS})\n`,
    );
    process.stdout.write(
      table(
        ["target", "sessions/s", "server CPU ms/session", "p50 ms", "p99 ms", "RPCs/session", "failed"],
        [
          ["converge serve", r.perSecond, r.cpuMsPerSession, r.p50Ms, r.p99Ms, r.rpcsPerSession, r.failed],
          ["bare fastify route", b.perSecond, b.cpuMsPerSession, b.p50Ms, b.p99Ms, b.rpcsPerSession, b.failed],
        ],
      ),
    );
    process.stdout.write(
      `ratio converge/bare: ${(ratio(r.perSecond, b.perSecond) * 100).toFixed(1)}% (server CPU per session: bare/converge ${(ratio(b.cpuMsPerSession, r.cpuMsPerSession) * 100).toFixed(1)}%); converge RPCs ${JSON.stringify(r.rpcs)}; converged after: ${counts.converged}/${counts.devices}\n`,
    );
    return {
      devices: DEVICES,
      concurrency: CONCURRENCY,
      converge: r,
      bare: b,
      ratio: ratio(r.perSecond, b.perSecond),
      cpuRatio: ratio(b.cpuMsPerSession, r.cpuMsPerSession),
      convergedAfter: counts.converged,
    };
  } finally {
    await Promise.all([real.close(), base.close()]);
    await Promise.all([server.stop(), bare.stop()]);
    ws.cleanup();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) emit("converge-sessions", await convergeSessions());
