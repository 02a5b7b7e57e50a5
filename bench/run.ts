/**
 * `npm run bench`: every benchmark in its own child process (fresh memory, no shared JIT state), their
 * tables streamed, their JSON lines collected into bench/results/latest.json and a Markdown summary
 * bench/results/latest.md with the machine. BENCH_QUICK=1 for a smoke run of about a minute; BENCH_ONLY=a,b for a subset.
 */
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { ROOT } from "./support/procs.js";
import { QUICK, fmtNum, machine } from "./support/report.js";

const BENCHES = [
  "codec-micro",
  "compile-policies",
  "minimal-sessions",
  "converge-sessions",
  "new-device",
  "boot-storm",
  "boot-storm-nodes",
  "plan-fleet",
  "store-cost",
  "console-api",
  "rollout-sessions",
  "pg-sessions",
] as const;
type Json = Record<string, unknown>;

function runOne(name: string): Promise<Json | undefined> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", `bench/${name}.ts`], { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
    let buf = "";
    let result: Json | undefined;
    child.stdout.on("data", (b: Buffer) => {
      buf += b.toString();
      for (let nl = buf.indexOf("\n"); nl >= 0; nl = buf.indexOf("\n")) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.startsWith('{"bench":')) result = JSON.parse(line) as Json;
        else process.stdout.write(`${line}\n`);
      }
    });
    child.on("exit", (code) => {
      if (code !== 0) process.stderr.write(`[bench] ${name} exited with ${code}\n`);
      resolve(result);
    });
  });
}

const num = (v: unknown): number => (typeof v === "number" ? v : 0);
const get = (o: unknown, ...path: string[]): unknown => path.reduce<unknown>((x, k) => (typeof x === "object" && x !== null ? (x as Json)[k] : undefined), o);
const pct = (x: number): string => `${(x * 100).toFixed(0)}%`;

/** One Markdown row per figure: what, Converge, baseline, ratio. */
function rows(r: Readonly<Record<string, Json | undefined>>): string[][] {
  const out: string[][] = [];
  const m = r["minimal-sessions"];
  if (m)
    out.push([
      "1. minimal sessions/s (converged, 0 RPC)",
      fmtNum(num(get(m, "converge", "perSecond"))),
      `bare fastify route ${fmtNum(num(get(m, "bare", "perSecond")))}`,
      pct(num(m["ratio"])),
    ]);
  const c = r["converge-sessions"];
  if (c)
    out.push([
      `2. converge sessions/s (${fmtNum(num(get(c, "converge", "rpcsPerSession")))} RPCs: SPV + read-back)`,
      fmtNum(num(get(c, "converge", "perSecond"))),
      `bare route, same RPCs ${fmtNum(num(get(c, "bare", "perSecond")))}`,
      pct(num(c["ratio"])),
    ]);
  const nd = r["new-device"];
  if (nd)
    out.push([
      "new device (BOOTSTRAP + 3 values, 3 RPCs): server CPU ms/session",
      fmtNum(num(get(nd, "newDevice", "cpuMsPerSession"))),
      `converged check-in, same run ${fmtNum(num(get(nd, "checkIn", "cpuMsPerSession")))} ms`,
      `${fmtNum(num(nd["times"]))}x`,
    ]);
  const b = r["boot-storm"];
  if (b) {
    out.push([
      `3. boot storm ${fmtNum(num(b["devices"]))} devices: all converged (s)`,
      fmtNum(num(b["allConvergedS"])),
      `bare route, 1 minimal session each: ${fmtNum(num(get(b, "baseline", "elapsedS")))} s`,
      "-",
    ]);
    out.push([
      "3. boot storm: p99 session latency (ms) / 503 shed",
      `${fmtNum(num(b["p99Ms"]))} / ${fmtNum(num(b["shed"]))}`,
      `bare p99 ${fmtNum(num(get(b, "baseline", "p99Ms")))}`,
      "-",
    ]);
    out.push([
      "3. boot storm: lost devices / sessions / unconverged",
      `${num(get(b, "lost", "devices"))} / ${num(get(b, "lost", "sessions"))} / ${num(get(b, "lost", "unconverged"))}`,
      "0 / 0 / 0",
      "-",
    ]);
  }
  const n = r["boot-storm-nodes"];
  if (n && n["skipped"] === undefined)
    out.push([
      `3b. boot storm ${fmtNum(num(n["devices"]))} devices on PostgreSQL: 2 nodes done (s)`,
      fmtNum(num(get(n, "two", "elapsedS"))),
      `1 node: ${fmtNum(num(get(n, "one", "elapsedS")))} s`,
      `${(num(n["speedup"]) * 100).toFixed(0)}% speed`,
    ]);
  const p = r["plan-fleet"];
  if (p)
    out.push([
      `4. converge plan over ${fmtNum(num(p["devices"]))} devices: s / peak RSS MB (target <= 60 s / 1500 MB at 1,000,000)`,
      `${fmtNum(num(p["seconds"]))} / ${fmtNum(num(p["peakRssBytes"]) / 1e6)}`,
      `${fmtNum(num(get(p, "baseline", "devices")))} devices: ${fmtNum(num(get(p, "baseline", "seconds")))} s / ${fmtNum(num(get(p, "baseline", "peakRssBytes")) / 1e6)} MB`,
      `${fmtNum(num(p["marginalUsPerDevice"]))} µs/device`,
    ]);
  const s = r["store-cost"];
  if (s) {
    out.push([
      "5. store: bytes per device / per reported parameter (target <= 40)",
      `${fmtNum(num(s["bytesPerDevice"]))} / ${fmtNum(num(s["bytesPerParameter"]))}`,
      `${fmtNum(num(s["reported"]) / Math.max(1, num(s["devices"])))} params/device`,
      "-",
    ]);
    out.push([
      `5. serve RSS holding ${fmtNum(num(s["devices"]))} devices (MB)`,
      fmtNum(num(get(s, "serveRss", "rss")) / 1e6),
      `empty store ${fmtNum(num(get(s, "baselineServeRss", "rss")) / 1e6)}`,
      pct(num(s["rssRatio"])),
    ]);
  }
  const ro = r["rollout-sessions"];
  if (ro)
    out.push([
      "6. minimal sessions/s with a rollout in progress",
      fmtNum(num(get(ro, "rollout", "perSecond"))),
      `no rollout, same run ${fmtNum(num(get(ro, "none", "perSecond")))}`,
      pct(num(ro["ratio"])),
    ]);
  const pgs = r["pg-sessions"];
  if (pgs && pgs["skipped"] === undefined) {
    out.push([
      "8. PostgreSQL minimal sessions/s (1 node) / server CPU ms per session",
      `${fmtNum(num(get(pgs, "minimal", "postgres", "perSecond")))} / ${fmtNum(num(get(pgs, "minimal", "postgres", "cpuMsPerSession")))}`,
      `SQLite ${fmtNum(num(get(pgs, "minimal", "sqlite", "perSecond")))} / ${fmtNum(num(get(pgs, "minimal", "sqlite", "cpuMsPerSession")))} (target >= 60%)`,
      pct(num(get(pgs, "minimal", "ratio"))),
    ]);
    out.push([
      "8. PostgreSQL converge sessions/s (1 node) / server CPU ms per session",
      `${fmtNum(num(get(pgs, "converge", "postgres", "perSecond")))} / ${fmtNum(num(get(pgs, "converge", "postgres", "cpuMsPerSession")))}`,
      `SQLite ${fmtNum(num(get(pgs, "converge", "sqlite", "perSecond")))} / ${fmtNum(num(get(pgs, "converge", "sqlite", "cpuMsPerSession")))}`,
      pct(num(get(pgs, "converge", "ratio"))),
    ]);
    out.push(["8. PostgreSQL store bytes per device", fmtNum(num(pgs["pgBytesPerDevice"])), `${fmtNum(num(pgs["devices"]))} devices, example policies`, "-"]);
  }
  const k = r["codec-micro"];
  const micro = Array.isArray(k?.["results"]) ? (k["results"] as Json[]) : [];
  for (const x of micro)
    out.push([`6. ${String(x["what"])} /s`, fmtNum(num(x["perSecond"])), `fast-xml-parser ${fmtNum(num(x["baselinePerSecond"]))}`, pct(num(x["ratio"]))]);
  const ca = r["console-api"];
  const timings = Array.isArray(ca?.["timings"]) ? (ca["timings"] as Json[]) : [];
  if (ca) {
    const worst = (prefix: string): number => Math.max(0, ...timings.filter((t) => String(t["what"]).startsWith(prefix)).map((t) => num(t["maxMs"])));
    const base = `GET /api/me ${fmtNum(num(get(ca, "baseline", "medianMs")))} ms`;
    out.push([`7. console overview calls, ${fmtNum(num(ca["devices"]))} devices: slowest (ms)`, fmtNum(worst("overview")), base, "-"]);
    out.push([
      `7. console device search calls, ${fmtNum(num(ca["devices"]))} devices: slowest (ms)`,
      fmtNum(Math.max(worst("search"), worst("devices"))),
      base,
      "-",
    ]);
  }
  const cp = r["compile-policies"];
  if (cp)
    out.push([
      `compile desired state, 1 device vs ${fmtNum(num(cp["policies"]))} policies (/s)`,
      fmtNum(num(cp["compilesPerSecond"])),
      `1 policy ${fmtNum(num(cp["baselinePerSecond"]))}`,
      pct(num(cp["ratio"])),
    ]);
  return out;
}

const t0 = performance.now();
const results: Record<string, Json | undefined> = {};
// BENCH_ONLY=minimal-sessions,boot-storm runs a subset (the summary then has only their rows).
const only = (process.env["BENCH_ONLY"] ?? "").split(",").filter((x) => x !== "");
const unknown = only.filter((x) => !(BENCHES as readonly string[]).includes(x));
if (unknown.length > 0) throw new Error(`BENCH_ONLY: no benchmark ${unknown.join(", ")} (known: ${BENCHES.join(", ")})`);
for (const name of BENCHES.filter((b) => only.length === 0 || only.includes(b))) {
  process.stdout.write(`\n=== ${name} ===\n`);
  results[name] = await runOne(name);
}
const mach = machine();
const when = new Date().toISOString();
const seconds = (performance.now() - t0) / 1000;
mkdirSync(new URL("./results/", import.meta.url), { recursive: true });
writeFileSync(new URL("./results/latest.json", import.meta.url), `${JSON.stringify({ when, quick: QUICK, seconds, machine: mach, results }, null, 2)}\n`);
const md = [
  `Measured ${when} with \`${QUICK ? "BENCH_QUICK=1 " : ""}${only.length > 0 ? `BENCH_ONLY=${only.join(",")} ` : ""}npm run bench\` (${seconds.toFixed(0)} s) on ${mach.cpu}, ${mach.cores} cores, Node.js ${mach.node} (${mach.platform}); everything on 127.0.0.1, the server in a child process, each baseline measured in the same run.`,
  "",
  "| benchmark | Converge | baseline | ratio |",
  "|---|---:|---|---:|",
  ...rows(results).map((r) => `| ${r.join(" | ")} |`),
  "",
];
writeFileSync(new URL("./results/latest.md", import.meta.url), md.join("\n"));
process.stdout.write(`\n${md.join("\n")}\nwritten: bench/results/latest.json, bench/results/latest.md\n`);
const missing = BENCHES.filter((b) => (only.length === 0 || only.includes(b)) && results[b] === undefined);
if (missing.length > 0) {
  process.stderr.write(`[bench] no result from: ${missing.join(", ")}\n`);
  process.exitCode = 1;
}
