/**
 * Benchmark: minimal sessions per second with a staged rollout in progress, against the same fleet with none,
 * same run (issue 13: at least 95%). Two `converge serve` child processes over the example policies; in both,
 * inform-tr098.yaml's interval is changed after the fleet converged. Server A applies it immediately; server B
 * (rollout.default staged: waves [50%, 100%], a day of soak) holds a rollout at its first wave, so half of the
 * TR-098 devices are pinned to the canary and half to the stable version. Each fleet converges again, then every
 * device's next periodic Inform is replayed against both, in alternating slices (best slice each).
 * Run alone: node --import tsx bench/rollout-sessions.ts
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Fleet } from "../src/sim/fleet.js";
import { fleetOptions, encodedInforms, tempWorkspace } from "./support/fleet.js";
import { leanRun, type LeanResult } from "./support/lean-load.js";
import { startServe, type ServerChild } from "./support/procs.js";
import { QUICK, emit, log, ratio, table } from "./support/report.js";
import { best } from "./minimal-sessions.js";

const DEVICES = QUICK ? 300 : 1200;
const SECONDS = QUICK ? 4 : 12;
const CONCURRENCY = 32;
const SLICES = 3;
const STAGED = JSON.stringify({ waves: ["50%", "100%"], soak: "1d", gate: { converged: "95%", maxFaulted: "5%", within: "2d" } });

interface Side {
  readonly server: ServerChild;
  readonly ws: ReturnType<typeof tempWorkspace>;
  informs: Buffer[];
}

async function prepare(name: string, env: Record<string, string>): Promise<Side> {
  const ws = tempWorkspace("policies");
  const server = await startServe({ db: ws.db, policies: ws.policies, env });
  const fleet = await Fleet.create(fleetOptions(server.cwmpUrl, { count: DEVICES, rounds: 3, seed: "rollout" }));
  await fleet.run();
  const file = join(ws.policies, "inform-tr098.yaml");
  writeFileSync(file, readFileSync(file, "utf8").replace("PeriodicInformInterval: 3600", "PeriodicInformInterval: 1800"));
  const r = await fetch(`${server.apiUrl}/api/policies/reload`, { method: "POST" });
  if (r.status !== 200) throw new Error(`${name}: reload failed: ${r.status}`);
  await fleet.run();
  await fleet.run();
  const rollouts = (await (await fetch(`${server.apiUrl}/api/rollouts`)).json()) as {
    rollouts: { id: string; state: string; waves: { devices: number; converged: number }[] }[];
  };
  log(
    `${name}: rollouts ${JSON.stringify(rollouts.rollouts.map((x) => ({ id: x.id, state: x.state, waves: x.waves.map((w) => `${w.converged}/${w.devices}`) })))}`,
  );
  const informs = encodedInforms(fleet);
  await fleet.close();
  return { server, ws, informs };
}

export async function rolloutSessions(): Promise<Record<string, unknown>> {
  const none = await prepare("no rollout", {});
  const staged = await prepare("rollout in progress", { CONVERGE_ROLLOUT_DEFAULT: STAGED });
  try {
    const a: LeanResult[] = [];
    const b: LeanResult[] = [];
    await leanRun(none.server.cwmpUrl, none.informs, CONCURRENCY, QUICK ? 1 : 2);
    await leanRun(staged.server.cwmpUrl, staged.informs, CONCURRENCY, QUICK ? 1 : 2);
    for (let i = 0; i < SLICES; i++) {
      a.push(await leanRun(none.server.cwmpUrl, none.informs, CONCURRENCY, SECONDS / SLICES));
      b.push(await leanRun(staged.server.cwmpUrl, staged.informs, CONCURRENCY, SECONDS / SLICES));
    }
    const base = best(a),
      real = best(b);
    for (const [name, s] of [
      ["none", none],
      ["staged", staged],
    ] as const) {
      const m = await (await fetch(`${s.server.apiUrl}/metrics`)).text();
      log(
        `${name}: ${m
          .split("\n")
          .filter((l) => /^converge_(fast_path_sessions_total|sessions_total)/.test(l))
          .join("; ")}`,
      );
    }
    process.stdout.write(
      `\nBenchmark: minimal sessions/s with a rollout in progress (${DEVICES} devices, six models, ${CONCURRENCY} in flight, best of ${SLICES} alternating slices)\n`,
    );
    process.stdout.write(
      table(
        ["target", "sessions/s", "p50 ms", "p99 ms", "sessions", "failures"],
        [
          ["rollout in progress", real.perSecond, real.p50Ms, real.p99Ms, real.sessions, real.failures],
          ["no rollout", base.perSecond, base.p50Ms, base.p99Ms, base.sessions, base.failures],
        ],
      ),
    );
    process.stdout.write(`ratio rollout/none: ${(ratio(real.perSecond, base.perSecond) * 100).toFixed(1)}% (target >= 95%)\n`);
    return { devices: DEVICES, concurrency: CONCURRENCY, rollout: real, none: base, ratio: ratio(real.perSecond, base.perSecond) };
  } finally {
    await Promise.allSettled([none.server.stop(), staged.server.stop()]);
    none.ws.cleanup();
    staged.ws.cleanup();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) emit("rollout-sessions", await rolloutSessions());
