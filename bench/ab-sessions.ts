/**
 * Same-run A/B of two source trees' servers (not part of `run.ts`): the server CPU per session (user + system of the
 * `converge serve` child, /proc/<pid>/stat) of benchmark 1 (converged check-ins, replayed by the lean generator) or
 * benchmark 2 (converge sessions: a new PeriodicInformInterval each round, reloaded through the API), the two trees'
 * servers measured alternately (A B A B ...) after a warm-up, by the same client code (this tree's fleet).
 *
 *   node --import tsx bench/ab-sessions.ts converge /work/wt/old . [pairs] [devices]
 *   node --import tsx bench/ab-sessions.ts minimal /work/main . [pairs] [devices]
 *
 * AB_PROF=<dir>: each server runs with bench/support/prof-hook.ts preloaded, its CPU profiler started after the
 * warm-up and stopped after the last measured round (<dir>/A.0.cpuprofile, <dir>/B.0.cpuprofile). AB_HOOK=<module> preloads
 * another module instead, signalled the same way (SIGUSR2 after the warm-up and after the last round).
 */
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Fleet } from "../src/sim/fleet.js";
import { encodedInforms, fleetOptions, writeIntervalPolicies } from "./support/fleet.js";
import { leanRun } from "./support/lean-load.js";
import { cpuMs, freePort, ROOT } from "./support/procs.js";

const [mode = "converge", treeA = "/work/wt/old", treeB = ".", pairsArg, devicesArg] = process.argv.slice(2);
const PAIRS = Number(pairsArg ?? 4);
const DEVICES = Number(devicesArg ?? 600);
const PROF = process.env["AB_PROF"];
const SLICE_S = Number(process.env["AB_SLICE_S"] ?? 3);
/** AB_CONCURRENT=1: each pair's two slices run at the same time (same load for both) instead of one after the other. */
const CONCURRENT = process.env["AB_CONCURRENT"] === "1";

interface Target {
  readonly label: string;
  readonly tree: string;
  readonly pid: number;
  readonly cwmpUrl: string;
  readonly apiUrl: string;
  readonly policies: string;
  stop(): Promise<void>;
}

async function start(label: string, tree: string): Promise<Target> {
  const dir = mkdtempSync(join(tmpdir(), `converge-ab-${label}-`));
  const policies = join(dir, "policies");
  if (mode === "minimal") cpSync(join(tree, "policies"), policies, { recursive: true });
  else {
    cpSync(join(ROOT, "test/fixtures/empty-policies"), policies, { recursive: true });
    writeIntervalPolicies(policies, 1000);
  }
  const [cwmpPort, apiPort] = [await freePort(), await freePort()];
  const hook = PROF ? ["--import", process.env["AB_HOOK"] ?? join(ROOT, "bench/support/prof-hook.ts")] : [];
  const proc = spawn(process.execPath, ["--import", "tsx", ...hook, "bench/support/serve-main.ts"], {
    cwd: tree,
    env: {
      ...process.env,
      CONVERGE_CWMP_PORT: String(cwmpPort),
      CONVERGE_API_PORT: String(apiPort),
      CONVERGE_BIND: "127.0.0.1",
      CONVERGE_DB: join(dir, "converge.db"),
      CONVERGE_POLICIES: policies,
      CONVERGE_LOG_LEVEL: "error",
      ...(PROF ? { BENCH_PROF_OUT: join(PROF, label), BENCH_SQL_OUT: join(PROF, `sql-${label}`) } : {}),
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  for (let i = 0; ; i++) {
    if (proc.exitCode !== null || i > 300) throw new Error(`${label} (${tree}) did not come up`);
    const up = await fetch(`${apiUrl}/api/health`).then(
      (r) => r.status < 500,
      () => false,
    );
    if (up) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    label,
    tree,
    pid: proc.pid ?? 0,
    cwmpUrl: `http://127.0.0.1:${cwmpPort}/`,
    apiUrl,
    policies,
    stop: () =>
      new Promise<void>((done) => {
        proc.once("exit", () => {
          rmSync(dir, { recursive: true, force: true });
          done();
        });
        proc.kill("SIGTERM");
      }),
  };
}

interface Slice {
  readonly label: string;
  readonly sessions: number;
  readonly cpuMsPerSession: number;
  readonly perSecond: number;
}

const log = (s: string): void => void process.stderr.write(`${s}\n`);

async function main(): Promise<void> {
  const targets = [await start("A", resolve(treeA)), await start("B", resolve(treeB))];
  const load0 = loadavg();
  try {
    const fleets = await Promise.all(
      targets.map((t) => Fleet.create(fleetOptions(t.cwmpUrl, { count: DEVICES, concurrency: 32, rounds: mode === "minimal" ? 3 : 1, seed: `ab-${mode}` }))),
    );
    for (const f of fleets) await f.run(); // bootstrap (and, for minimal, converge)
    let round = 0;
    // A slice is prepared (the policy edit and its reload, outside the measure), then measured.
    let prepare: (t: Target) => Promise<void> = async () => undefined;
    let measure: (t: Target, i: number) => Promise<Slice>;
    if (mode === "minimal") {
      const informs = fleets.map((f) => encodedInforms(f));
      measure = async (t, i) => {
        const c0 = cpuMs(t.pid);
        const r = await leanRun(t.cwmpUrl, informs[i] ?? [], 32, SLICE_S);
        const cpu = cpuMs(t.pid) - c0;
        if (r.failures > 0) log(`${t.label}: ${r.failures} failures ${JSON.stringify(r.failureKinds)}`);
        return { label: t.label, sessions: r.sessions, cpuMsPerSession: cpu / r.sessions, perSecond: r.perSecond };
      };
    } else {
      for (const f of fleets) await f.run(); // settled
      prepare = async (t) => {
        writeIntervalPolicies(t.policies, 2000 + round);
        const reload = await fetch(`${t.apiUrl}/api/policies/reload`, { method: "POST" });
        if (!reload.ok) throw new Error(`${t.label} reload: HTTP ${reload.status}`);
      };
      measure = async (t, i) => {
        const c0 = cpuMs(t.pid);
        const r = await (fleets[i] as Fleet).run();
        const cpu = cpuMs(t.pid) - c0;
        const ok = r.counters.sessionsOk;
        if (r.counters.sessionsFailed > 0) log(`${t.label}: ${r.counters.sessionsFailed} failed sessions`);
        return { label: t.label, sessions: ok, cpuMsPerSession: cpu / ok, perSecond: ok / r.elapsedS };
      };
    }
    const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 300)); // the reload (and the file watcher's) outside the measure
    const slice = async (t: Target, i: number): Promise<Slice> => {
      await prepare(t);
      await settle();
      return measure(t, i);
    };
    // Warm-up: two slices each, not counted.
    for (let w = 0; w < 2; w++) for (const [i, t] of targets.entries()) (round++, await slice(t, i));
    if (PROF) for (const t of targets) process.kill(t.pid, "SIGUSR2");
    const slices: Slice[] = [];
    for (let p = 0; p < PAIRS; p++) {
      round++;
      if (CONCURRENT) {
        // Both targets at once: the same moment's load on the shared machine for both.
        for (const t of targets) await prepare(t);
        await settle();
        const both = await Promise.all(targets.map((t, i) => measure(t, i)));
        slices.push(...both);
        for (const s of both) log(`pair ${p + 1} ${s.label}: ${s.cpuMsPerSession.toFixed(3)} ms/session, ${s.perSecond.toFixed(0)}/s (${s.sessions})`);
        continue;
      }
      // A B, then B A: neither target always runs right after the other.
      const order = p % 2 === 0 ? [0, 1] : [1, 0];
      for (const i of order) {
        const t = targets[i] as Target;
        const s = await slice(t, i);
        slices.push(s);
        log(`pair ${p + 1} ${t.label}: ${s.cpuMsPerSession.toFixed(3)} ms/session, ${s.perSecond.toFixed(0)}/s (${s.sessions})`);
      }
    }
    if (PROF) {
      for (const t of targets) process.kill(t.pid, "SIGUSR2");
      await new Promise((r) => setTimeout(r, 1500));
    }
    await Promise.all(fleets.map((f) => f.close()));
    const load1 = loadavg();
    const stats = (label: string): string => {
      const v = slices.filter((s) => s.label === label).map((s) => s.cpuMsPerSession);
      const sorted = [...v].sort((a, b) => a - b);
      const med = sorted[Math.floor(sorted.length / 2)] ?? 0;
      const n = slices.filter((s) => s.label === label).reduce((a, s) => a + s.sessions, 0);
      return `${n} sessions, median ${med.toFixed(3)} ms, range ${sorted[0]?.toFixed(3)}-${sorted.at(-1)?.toFixed(3)} (${v.map((x) => x.toFixed(3)).join(" ")})`;
    };
    const mA = median(slices.filter((s) => s.label === "A").map((s) => s.cpuMsPerSession));
    const mB = median(slices.filter((s) => s.label === "B").map((s) => s.cpuMsPerSession));
    // Each pair's B/A (the two slices ran back to back, so under the same load): steadier than either median.
    const cpuOf = (label: string): number[] => slices.filter((s) => s.label === label).map((s) => s.cpuMsPerSession);
    const [ca, cb] = [cpuOf("A"), cpuOf("B")];
    const pairRatios = cb.map((b, i) => b / (ca[i] ?? b));
    const geo = Math.exp(pairRatios.reduce((a, r) => a + Math.log(r), 0) / pairRatios.length);
    process.stdout.write(
      `${mode}: ${PAIRS} pairs, ${DEVICES} devices, load ${load0.map((x) => x.toFixed(2)).join(" ")} -> ${load1.map((x) => x.toFixed(2)).join(" ")}\n` +
        `A ${treeA}: ${stats("A")}\nB ${treeB}: ${stats("B")}\nB/A of medians: ${((mB / mA) * 100).toFixed(1)}%; per pair B/A: median ${(median(pairRatios) * 100).toFixed(1)}%, geometric mean ${(geo * 100).toFixed(1)}% (${pairRatios.map((r) => (r * 100).toFixed(0)).join(" ")})\n`,
    );
  } finally {
    await Promise.all(targets.map((t) => t.stop()));
  }
}

function median(v: readonly number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

await main();
