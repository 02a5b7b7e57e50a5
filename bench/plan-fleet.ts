/**
 * Benchmark 4: `converge plan policies/ --db file --json` over 1,000,000 stored devices (issue 16; BENCH_QUICK:
 * 10,000; BENCH_PLAN_DEVICES=n for any size), the store written in bulk (bench/support/big-store.ts: each device
 * the Inform's forced parameters plus 250 values of its model, ~253 reported values, about 10 GB at 1,000,000;
 * cached in the temp dir by size and layout): seconds and peak memory of the CLI process (GNU time -v when
 * present, else /proc VmHWM sampled). Baseline: the same command over a store of 1,000 devices (fixed costs:
 * start-up, policy load), so the per-device cost shows. Targets: <= 60 s and <= 1.5 GB at 1,000,000.
 * Stores above 100,000 devices are grown in SQL from their first 30,000 (`replicate`, bulk-store.ts).
 * Run alone: node --import tsx bench/plan-fleet.ts [--devices 100000]
 */
import { spawn } from "node:child_process";
import { parseArgs } from "node:util";
import { existsSync, readFileSync, statSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { bigStore } from "./support/big-store.js";
import { ROOT } from "./support/procs.js";
import { QUICK, emit, log, table } from "./support/report.js";

const { values: flags } = parseArgs({ args: process.argv.slice(2), options: { devices: { type: "string" } }, strict: true });
const PLAN_DEVICES = Number(flags.devices ?? process.env["BENCH_PLAN_DEVICES"] ?? (QUICK ? 10_000 : 1_000_000));
const BASE_DEVICES = 1000;
const GNU_TIME = "/usr/bin/time";

interface PlanRun {
  readonly seconds: number;
  readonly peakRssBytes: number;
  /** User + system CPU of the CLI (all threads; GNU time), the measure that holds on a loaded machine. */
  readonly cpuSeconds: number | undefined;
  readonly outputBytes: number;
  readonly exitCode: number;
  readonly summary: unknown;
}

function runPlan(db: string): Promise<PlanRun> {
  const useTime = existsSync(GNU_TIME);
  const cmd = [process.execPath, "--import", "tsx", "bench/support/cli-main.ts", "plan", "policies", "--db", db, "--json"];
  const t0 = performance.now();
  const child = useTime ? spawn(GNU_TIME, ["-v", ...cmd], { cwd: ROOT }) : spawn(cmd[0] as string, cmd.slice(1), { cwd: ROOT });
  let out = Buffer.alloc(0);
  let outBytes = 0;
  let err = "";
  let peakSampled = 0;
  const sampler = setInterval(() => {
    try {
      const kb = Number(/^VmHWM:\s+(\d+)/m.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"))?.[1] ?? 0);
      peakSampled = Math.max(peakSampled, kb * 1024);
    } catch {
      // exited
    }
  }, 200);
  child.stdout.on("data", (b: Buffer) => {
    outBytes += b.length;
    if (out.length < 4096) out = Buffer.concat([out, b.subarray(0, 4096)]);
  });
  child.stderr.on("data", (b: Buffer) => void (err += b.toString()));
  return new Promise((resolve) => {
    child.on("exit", (code) => {
      clearInterval(sampler);
      const seconds = (performance.now() - t0) / 1000;
      const gnuPeak = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(err)?.[1] ?? 0) * 1024;
      const summaryJson = /"summary":(\{.*?\}),"byModel"/.exec(out.toString())?.[1];
      let summary: unknown = undefined;
      try {
        summary = summaryJson ? JSON.parse(`${summaryJson}}`) : undefined;
      } catch {
        summary = undefined;
      }
      const exitCode = Number(/Exit status: (\d+)/.exec(err)?.[1] ?? code ?? 1);
      if (exitCode !== 0)
        process.stderr.write(
          err
            .split("\n")
            .filter((l) => !l.startsWith("\t"))
            .join("\n"),
        );
      const user = /User time \(seconds\): ([\d.]+)/.exec(err)?.[1];
      const system = /System time \(seconds\): ([\d.]+)/.exec(err)?.[1];
      const cpuSeconds = user !== undefined && system !== undefined ? Number(user) + Number(system) : undefined;
      resolve({ seconds, peakRssBytes: gnuPeak || peakSampled, cpuSeconds, outputBytes: outBytes, exitCode, summary });
    });
  });
}

export async function planFleet(): Promise<Record<string, unknown>> {
  const big = await bigStore(PLAN_DEVICES);
  const storeBytes = ["", "-wal"].reduce((sum, suffix) => sum + (existsSync(`${big.file}${suffix}`) ? statSync(`${big.file}${suffix}`).size : 0), 0);
  log(
    `plan: store of ${PLAN_DEVICES} devices ${big.reused ? "reused" : `written in ${big.seconds.toFixed(1)} s`} (${(storeBytes / 1e6).toFixed(0)} MB on disk)`,
  );
  const small = await bigStore(BASE_DEVICES);
  const base = await runPlan(small.file);
  const run = await runPlan(big.file);
  const perDeviceUs = ((run.seconds - base.seconds) / (PLAN_DEVICES - BASE_DEVICES)) * 1e6;
  process.stdout.write(
    `\nBenchmark 4: converge plan policies/ --db <store> --json (a CLI child process; peak RSS via ${existsSync(GNU_TIME) ? "GNU time -v" : "/proc VmHWM"})\n`,
  );
  process.stdout.write(
    table(
      ["stored devices", "seconds", "CPU s", "peak RSS MB", "JSON out MB", "exit"],
      [
        [PLAN_DEVICES, run.seconds, run.cpuSeconds ?? "-", run.peakRssBytes / 1e6, run.outputBytes / 1e6, run.exitCode],
        [`${BASE_DEVICES} (baseline)`, base.seconds, base.cpuSeconds ?? "-", base.peakRssBytes / 1e6, base.outputBytes / 1e6, base.exitCode],
      ],
    ),
  );
  process.stdout.write(`marginal cost: ${perDeviceUs.toFixed(0)} µs per device; store written in ${big.reused ? "(reused)" : `${big.seconds.toFixed(1)} s`}\n`);
  return {
    devices: PLAN_DEVICES,
    seconds: run.seconds,
    peakRssBytes: run.peakRssBytes,
    exitCode: run.exitCode,
    outputBytes: run.outputBytes,
    baseline: { devices: BASE_DEVICES, seconds: base.seconds, peakRssBytes: base.peakRssBytes },
    marginalUsPerDevice: perDeviceUs,
    storeWriteSeconds: big.reused ? null : big.seconds,
    storeBytes,
    cpuSeconds: run.cpuSeconds,
    summary: run.summary,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) emit("plan-fleet", await planFleet());
