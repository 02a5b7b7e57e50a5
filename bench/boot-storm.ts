/**
 * Benchmark 3: a boot storm. 10,000 devices of the six models (BENCH_QUICK: 1,000) inform at once against a
 * `converge serve` child with CONVERGE_MAX_SESSIONS=200 and the example policies: time until all converged,
 * p99 session latency, 503s shed, and proof nothing was lost: every device stored (API), every successful
 * session recorded (the sessions table, read-only, equals the fleet's count), every device converged (API).
 * Baseline: the same storm of one minimal session per device against the bare route.
 * Run alone: node --import tsx bench/boot-storm.ts
 */
import Database from "better-sqlite3";
import { performance } from "node:perf_hooks";
import { Fleet } from "../src/sim/fleet.js";
import { acsCounts } from "../src/sim/fleet-acs.js";
import { fleetOptions, tempWorkspace } from "./support/fleet.js";
import { startBare, startServe } from "./support/procs.js";
import { QUICK, emit, log, table } from "./support/report.js";

const DEVICES = Number(process.env["BENCH_STORM_DEVICES"] ?? (QUICK ? 1000 : 10_000));
const MAX_SESSIONS = 200;
const CONCURRENCY = 400;

/** Polls the converged gauge once a second; resolves the elapsed seconds when it reaches `n`. */
function convergedWatch(apiUrl: string, n: number, t0: number): { readonly at: () => number | undefined; stop(): void } {
  let at: number | undefined;
  const timer = setInterval(() => {
    fetch(`${apiUrl}/metrics`)
      .then((r) => r.text())
      .then((t) => {
        const c = Number(/^converge_devices\{condition="converged"\} (\d+)/m.exec(t)?.[1] ?? 0);
        if (c >= n && at === undefined) at = (performance.now() - t0) / 1000;
      })
      .catch(() => undefined);
  }, 1000);
  return { at: () => at, stop: () => clearInterval(timer) };
}

export async function bootStorm(): Promise<Record<string, unknown>> {
  const ws = tempWorkspace("policies");
  const server = await startServe({ db: ws.db, policies: ws.policies, env: { CONVERGE_MAX_SESSIONS: String(MAX_SESSIONS) } });
  try {
    // Three rounds: bootstrap + converge; the firmware pin's TransferComplete + BOOT; one that must change nothing.
    const fleet = await Fleet.create(fleetOptions(server.cwmpUrl, { count: DEVICES, concurrency: CONCURRENCY, rounds: 3, seed: "storm", intervalS: 1 }));
    log(`storm: ${DEVICES} devices, ACS limit ${MAX_SESSIONS} sessions, ${CONCURRENCY} in flight`);
    const t0 = performance.now();
    const watch = convergedWatch(server.apiUrl, DEVICES, t0);
    const run = await fleet.run({
      onProgress: (p) => log(`storm: ${p.elapsedS.toFixed(0)}s ${p.sessionsOk} sessions, done ${p.done}, 503 ${p.shed}, errors ${p.errors}`),
      progressEveryMs: 10_000,
    });
    watch.stop();
    await fleet.close();
    const counts = await acsCounts(server.apiUrl);
    const db = new Database(ws.db, { readonly: true, fileMustExist: true });
    const recorded = db.prepare<[], { ok: number; total: number }>("SELECT sum(outcome = 'ok') AS ok, count(*) AS total FROM sessions").get();
    db.close();
    const c = run.counters;
    const convergedAt = watch.at() ?? (counts.converged === DEVICES ? run.elapsedS : undefined);
    await server.stop();

    const bare = await startBare("minimal");
    const baseFleet = await Fleet.create(fleetOptions(bare.url, { count: DEVICES, concurrency: CONCURRENCY, rounds: 1, seed: "storm" }));
    const base = await baseFleet.run().finally(() => Promise.all([baseFleet.close(), bare.stop()]));

    const lost = { devices: DEVICES - counts.devices, sessions: c.sessionsOk - (recorded?.ok ?? 0), unconverged: DEVICES - counts.converged };
    process.stdout.write(
      `\nBenchmark 3: boot storm of ${DEVICES} devices (six models, example policies), CONVERGE_MAX_SESSIONS=${MAX_SESSIONS}, ${CONCURRENCY} in flight\n`,
    );
    process.stdout.write(
      table(
        ["target", "all converged s", "elapsed s", "sessions", "sessions/s", "p50 ms", "p99 ms", "503 shed", "errors"],
        [
          [
            "converge serve (3 rounds)",
            convergedAt ?? -1,
            run.elapsedS,
            c.sessionsOk,
            c.sessionsOk / run.elapsedS,
            c.latency.quantile(0.5),
            c.latency.quantile(0.99),
            c.shed,
            c.sessionsFailed - c.shed,
          ],
          [
            "bare route (1 minimal session each)",
            "-",
            base.elapsedS,
            base.counters.sessionsOk,
            base.counters.sessionsOk / base.elapsedS,
            base.counters.latency.quantile(0.5),
            base.counters.latency.quantile(0.99),
            base.counters.shed,
            base.counters.sessionsFailed - base.counters.shed,
          ],
        ],
      ),
    );
    process.stdout.write(
      `nothing lost: stored ${counts.devices}/${DEVICES}, sessions recorded ok ${recorded?.ok}/${c.sessionsOk} (rows ${recorded?.total}), converged ${counts.converged}/${DEVICES}, pending ${counts.pending}, faulted ${counts.faulted}\n`,
    );
    return {
      devices: DEVICES,
      maxSessions: MAX_SESSIONS,
      concurrency: CONCURRENCY,
      allConvergedS: convergedAt ?? null,
      elapsedS: run.elapsedS,
      sessions: c.sessionsOk,
      p50Ms: c.latency.quantile(0.5),
      p99Ms: c.latency.quantile(0.99),
      shed: c.shed,
      errors: Object.fromEntries(c.errors),
      rpcs: Object.fromEntries(c.rpcs),
      acs: counts,
      sessionsRecorded: recorded,
      lost,
      baseline: { elapsedS: base.elapsedS, sessions: base.counters.sessionsOk, p99Ms: base.counters.latency.quantile(0.99) },
    };
  } finally {
    await server.stop();
    ws.cleanup();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) emit("boot-storm", await bootStorm());
