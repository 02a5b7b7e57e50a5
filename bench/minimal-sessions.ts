/**
 * Benchmark 1: minimal sessions per second (converged devices: Inform -> InformResponse -> empty POST -> 204)
 * through a real `converge serve` child process, against the bare fastify route (bench/support/bare-main.ts)
 * parsing the same Informs with the same parser options, both driven by the same lean load generator.
 * Devices are made converged first: the example policies, a few fleet rounds, then every device's next
 * periodic Inform is replayed. Run alone: node --import tsx bench/minimal-sessions.ts
 */
import { Fleet } from "../src/sim/fleet.js";
import { acsCounts } from "../src/sim/fleet-acs.js";
import { fleetOptions, encodedInforms, tempWorkspace } from "./support/fleet.js";
import { leanRun, type LeanResult } from "./support/lean-load.js";
import { startBare, startServe } from "./support/procs.js";
import { QUICK, emit, log, ratio, table } from "./support/report.js";

const DEVICES = QUICK ? 300 : 1200;
const SECONDS = QUICK ? 4 : 15;
const CONCURRENCY = 32;

const SLICES = 3;

/**
 * Both targets warmed up, then measured in alternating slices (the machine may be shared and noisy:
 * alternating exposes both to the same noise); each target's best slice is its figure.
 */
async function alternate(a: string, b: string, informs: readonly Buffer[]): Promise<[LeanResult, LeanResult]> {
  await leanRun(a, informs, CONCURRENCY, QUICK ? 1 : 2);
  await leanRun(b, informs, CONCURRENCY, QUICK ? 1 : 2);
  const ra: LeanResult[] = [];
  const rb: LeanResult[] = [];
  for (let i = 0; i < SLICES; i++) {
    ra.push(await leanRun(a, informs, CONCURRENCY, SECONDS / SLICES));
    rb.push(await leanRun(b, informs, CONCURRENCY, SECONDS / SLICES));
  }
  return [best(ra), best(rb)];
}

export function best<T extends { readonly perSecond: number }>(rs: readonly T[]): T {
  return rs.reduce((x, y) => (y.perSecond > x.perSecond ? y : x));
}

export async function minimalSessions(): Promise<Record<string, unknown>> {
  const ws = tempWorkspace("policies");
  const server = await startServe({ db: ws.db, policies: ws.policies });
  try {
    log(`minimal: converging ${DEVICES} devices to the example policies`);
    const fleet = await Fleet.create(fleetOptions(server.cwmpUrl, { count: DEVICES, rounds: 3, seed: "minimal" }));
    const warm = await fleet.run();
    const counts = await acsCounts(server.apiUrl);
    log(`minimal: ${warm.counters.sessionsOk} warm-up sessions; ${counts.converged}/${counts.devices} converged`);
    const informs = encodedInforms(fleet);
    await fleet.close();
    const bare = await startBare("minimal");
    const [real, base] = await alternate(server.cwmpUrl, bare.url, informs).finally(() => bare.stop());
    const rows = [
      ["converge serve", real.perSecond, real.p50Ms, real.p99Ms, real.sessions, real.failures],
      ["bare fastify route", base.perSecond, base.p50Ms, base.p99Ms, base.sessions, base.failures],
    ];
    process.stdout.write(
      `\nBenchmark 1: minimal sessions/s (${DEVICES} converged devices, six models, ${CONCURRENCY} in flight, best of ${SLICES} alternating ${(SECONDS / SLICES).toFixed(1)} s slices)\n`,
    );
    process.stdout.write(table(["target", "sessions/s", "p50 ms", "p99 ms", "sessions", "failures"], rows));
    process.stdout.write(`ratio converge/bare: ${(ratio(real.perSecond, base.perSecond) * 100).toFixed(1)}% (target >= 80%)\n`);
    if (real.failures > 0) process.stdout.write(`converge failures: ${JSON.stringify(real.failureKinds)}\n`);
    return {
      devices: DEVICES,
      converged: counts.converged,
      concurrency: CONCURRENCY,
      converge: real,
      bare: base,
      ratio: ratio(real.perSecond, base.perSecond),
    };
  } finally {
    await server.stop();
    ws.cleanup();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) emit("minimal-sessions", await minimalSessions());
