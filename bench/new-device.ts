/**
 * Issue 16: server CPU per session of a device seen for the first time (BOOTSTRAP Inform, then the three
 * values a policy sets converged in 3 RPCs: read, set, read back), against a converged device's periodic
 * check-in measured in the same run on the same server. Each new-device session is a new device (a fresh
 * serial from the fleet's seed and index offset), 8 in flight like the issue's emulated CPE; the server's CPU
 * (user + system, every thread, /proc/<pid>/stat) over a slice divided by the sessions of the slice.
 * Alternating slices of each kind, each keeps its best (lowest CPU per session).
 * Run alone: node --import tsx bench/new-device.ts   (BENCH_CPU_PROF=<dir> writes the server's .cpuprofile;
 * BENCH_AB_ROOT=<another checkout with node_modules> runs both trees' servers at once, slices interleaved;
 * BENCH_NEW_GROUP_AB=1 does the same with this tree on both sides, A with the SQLite group commit off
 * (CONVERGE_SQLITE_GROUP_COMMIT=0), B with it on)
 */
import { readFileSync } from "node:fs";
import { Fleet } from "../src/sim/fleet.js";
import { acsCounts } from "../src/sim/fleet-acs.js";
import { encodedInforms, fleetOptions, tempWorkspace, writePerModelPolicies } from "./support/fleet.js";
import { leanRun } from "./support/lean-load.js";
import { cpuMs, startServe, writtenBytes } from "./support/procs.js";
import { QUICK, emit, log, ratio, table } from "./support/report.js";
import { startPg } from "../test/support/pg-cluster.js";

/** New devices per slice, slices per kind, in flight. */
const PER_SLICE = Number(process.env["BENCH_NEW_DEVICES"] ?? (QUICK ? 300 : 1000));
const SLICES = 3;
const CONCURRENCY = 8;
const CHECKIN_SECONDS = QUICK ? 2 : 4;
/** BENCH_NEW_ONLY=1: new-device slices only (for a profile of that path alone). */
const NEW_ONLY = process.env["BENCH_NEW_ONLY"] === "1";
/** BENCH_AB_ROOT=<dir>: interleaved A/B against the tree at <dir> (see abRun); BENCH_AB_SLICES slices per side. */
const AB_ROOT = process.env["BENCH_AB_ROOT"];
const AB_SLICES = Number(process.env["BENCH_AB_SLICES"] ?? 6);
/** BENCH_NEW_GROUP_AB=1: the same A/B with this tree on both sides, the SQLite group commit off (A) and on (B). */
const GROUP_AB = process.env["BENCH_NEW_GROUP_AB"] === "1";

/** Three values on every model, none of them in the Inform: the session reads, sets and reads back. */
function writePolicies(dir: string): void {
  writePerModelPolicies(dir, "three", {
    "ManagementServer.PeriodicInformInterval": 1800,
    "Time.NTPServer1": "ntp1.isp.example",
    "Time.NTPServer2": "ntp2.isp.example",
  });
}

interface Slice {
  readonly sessions: number;
  readonly failed: number;
  readonly cpuMsPerSession: number;
  /** Bytes the server wrote per session (WAL + HTTP responses; /proc/<pid>/io wchar). */
  readonly bytesPerSession: number;
  readonly perSecond: number;
  readonly rpcsPerSession: number;
  readonly rpcs: Readonly<Record<string, number>>;
}

const best = (xs: readonly Slice[]): Slice => xs.reduce((a, b) => (b.cpuMsPerSession < a.cpuMsPerSession ? b : a));

/** A server under test with its own store, and the two kinds of slice measured against it. */
async function rig(root?: string, db?: string, env?: Record<string, string>) {
  const ws = tempWorkspace(undefined);
  writePolicies(ws.policies);
  const server = await startServe({ db: db ?? ws.db, policies: ws.policies, ...(root !== undefined ? { root } : {}), ...(env !== undefined ? { env } : {}) });
  let offset = 0;
  /** One slice of `count` devices never seen before, each one BOOTSTRAP session. */
  const fresh = async (count: number): Promise<{ slice: Slice; fleet: Fleet }> => {
    const fleet = await Fleet.create(fleetOptions(server.cwmpUrl, { count, concurrency: CONCURRENCY, seed: "new-device", indexOffset: offset }));
    offset += count;
    const [c0, w0] = [cpuMs(server.pid), writtenBytes(server.pid)];
    const r = await fleet.run();
    const cpu = cpuMs(server.pid) - c0;
    const written = writtenBytes(server.pid) - w0;
    const c = r.counters;
    const rpcs = Object.fromEntries(c.rpcs);
    const total = Object.values(rpcs).reduce((a, b) => a + b, 0);
    const n = Math.max(1, c.sessionsOk);
    const slice = {
      sessions: c.sessionsOk,
      failed: c.sessionsFailed,
      cpuMsPerSession: cpu / n,
      bytesPerSession: written / n,
      perSecond: c.sessionsOk / r.elapsedS,
      rpcsPerSession: total / n,
      rpcs,
    };
    return { slice, fleet };
  };
  const checkIn = async (informs: readonly Buffer[]): Promise<Slice> => {
    if (NEW_ONLY) return { sessions: 0, failed: 0, cpuMsPerSession: 0, bytesPerSession: 0, perSecond: 0, rpcsPerSession: 0, rpcs: {} };
    const [c0, w0] = [cpuMs(server.pid), writtenBytes(server.pid)];
    const r = await leanRun(server.cwmpUrl, informs, CONCURRENCY, CHECKIN_SECONDS);
    const cpu = cpuMs(server.pid) - c0;
    const n = Math.max(1, r.sessions);
    return {
      sessions: r.sessions,
      failed: r.failures,
      cpuMsPerSession: cpu / n,
      bytesPerSession: (writtenBytes(server.pid) - w0) / n,
      perSecond: r.perSecond,
      rpcsPerSession: 0,
      rpcs: {},
    };
  };
  /** The warm-up slice; returns the informs of its (now converged) devices for the check-in slices. */
  const warm = async (): Promise<readonly Buffer[]> => {
    const w = await fresh(PER_SLICE);
    const informs = encodedInforms(w.fleet);
    await w.fleet.close();
    await checkIn(informs);
    return informs;
  };
  const stop = async (): Promise<void> => {
    await server.stop();
    ws.cleanup();
  };
  return { server, fresh, checkIn, warm, stop };
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
};
const loadAverage = (): string => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");

/**
 * BENCH_AB_ROOT=<another checkout>: a same-run A/B. Server A runs from that tree, server B from this one, both
 * at once; their slices alternate (A B, then B A, ...) so both see the same machine load. Per side: the median,
 * the lowest and the highest server CPU per session over AB_SLICES slices of each kind.
 */
async function abRun(root: string | undefined): Promise<Record<string, unknown>> {
  // BENCH_NEW_PG=1: each side's store is a fresh database of one throwaway PostgreSQL cluster.
  const pgc = process.env["BENCH_NEW_PG"] === "1" ? await startPg() : undefined;
  const dbs = pgc ? [await pgc.createDatabase(`newdev_a_${process.pid}`), await pgc.createDatabase(`newdev_b_${process.pid}`)] : [];
  const sides = GROUP_AB
    ? { A: await rig(undefined, dbs[0], { CONVERGE_SQLITE_GROUP_COMMIT: "0" }), B: await rig(undefined, dbs[1], { CONVERGE_SQLITE_GROUP_COMMIT: "1" }) }
    : { A: await rig(root, dbs[0]), B: await rig(undefined, dbs[1]) };
  const load0 = loadAverage();
  const got = { A: { nd: [] as number[], ci: [] as number[], bytes: [] as number[] }, B: { nd: [] as number[], ci: [] as number[], bytes: [] as number[] } };
  try {
    const informs = { A: await sides.A.warm(), B: await sides.B.warm() };
    for (let i = 0; i < AB_SLICES; i++) {
      for (const side of i % 2 === 0 ? (["A", "B"] as const) : (["B", "A"] as const)) {
        const f = await sides[side].fresh(PER_SLICE);
        await f.fleet.close();
        got[side].nd.push(f.slice.cpuMsPerSession);
        got[side].bytes.push(f.slice.bytesPerSession);
        if (f.slice.failed > 0) log(`new-device: ${side} slice ${i + 1}: ${f.slice.failed} failed sessions`);
        got[side].ci.push((await sides[side].checkIn(informs[side])).cpuMsPerSession);
      }
      log(
        `new-device A/B: pair ${i + 1}: A new ${got.A.nd.at(-1)?.toFixed(3)} check-in ${got.A.ci.at(-1)?.toFixed(3)} | B new ${got.B.nd.at(-1)?.toFixed(3)} check-in ${got.B.ci.at(-1)?.toFixed(3)} ms/session`,
      );
    }
  } finally {
    await sides.A.stop();
    await sides.B.stop();
    await pgc?.stop();
  }
  const load1 = loadAverage();
  const summary = (xs: readonly number[]) => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs) });
  const out = {
    A: {
      root: GROUP_AB ? "this tree, group commit off" : (root ?? ""),
      newDevice: summary(got.A.nd),
      checkIn: summary(got.A.ci),
      bytesPerSession: median(got.A.bytes),
    },
    B: {
      root: GROUP_AB ? "this tree, group commit on" : "this tree",
      newDevice: summary(got.B.nd),
      checkIn: summary(got.B.ci),
      bytesPerSession: median(got.B.bytes),
    },
    slices: AB_SLICES,
    perSlice: PER_SLICE,
    store: pgc ? "postgresql" : "sqlite",
    load: [load0, load1],
  };
  process.stdout.write(
    `\nNew device A/B (${out.store}): server CPU ms/session, ${AB_SLICES} interleaved slices of ${PER_SLICE} per side, load average ${load0} -> ${load1}\n`,
  );
  process.stdout.write(
    table(
      ["side", "new device median", "min", "max", "check-in median", "min", "max", "ratio (medians)", "new device bytes written/session"],
      (["A", "B"] as const).map((k) => {
        const o = out[k];
        return [
          `${k} (${o.root})`,
          o.newDevice.median,
          o.newDevice.min,
          o.newDevice.max,
          o.checkIn.median,
          o.checkIn.min,
          o.checkIn.max,
          o.checkIn.median > 0 ? o.newDevice.median / o.checkIn.median : 0,
          o.bytesPerSession,
        ];
      }),
    ),
  );
  const paired = median(got.B.nd.map((b, i) => b / (got.A.nd[i] ?? b)));
  process.stdout.write(
    `B / A new device: ${(out.B.newDevice.median / out.A.newDevice.median).toFixed(3)} (medians), ${paired.toFixed(3)} (median of the pairs' ratios)\n`,
  );
  return { ...out, pairedRatio: paired };
}

export async function newDevice(): Promise<Record<string, unknown>> {
  if (AB_ROOT !== undefined || GROUP_AB) return abRun(AB_ROOT);
  const { server, fresh, checkIn, warm, stop } = await rig();
  try {
    log(`new-device: warming up with ${PER_SLICE} new devices`);
    const informs = await warm();
    const nd: Slice[] = [];
    const ci: Slice[] = [];
    for (let i = 0; i < SLICES; i++) {
      const f = await fresh(PER_SLICE);
      await f.fleet.close();
      nd.push(f.slice);
      ci.push(await checkIn(informs));
      log(
        `new-device: slice ${i + 1}: new ${nd.at(-1)?.cpuMsPerSession.toFixed(3)} ms/session (${nd.at(-1)?.bytesPerSession.toFixed(0)} bytes written), check-in ${ci.at(-1)?.cpuMsPerSession.toFixed(3)} ms/session`,
      );
    }
    const counts = await acsCounts(server.apiUrl);
    const [n, c] = [best(nd), best(ci)];
    process.stdout.write(
      `\nNew device: server CPU per session (${PER_SLICE} new devices per slice, BOOTSTRAP + 3 values, six models, ${CONCURRENCY} in flight, best of ${SLICES} alternating slices)\n`,
    );
    process.stdout.write(
      table(
        ["session", "server CPU ms/session", "bytes written/session", "sessions/s", "RPCs/session", "sessions", "failed"],
        [
          ["new device (BOOTSTRAP, 3 values)", n.cpuMsPerSession, n.bytesPerSession, n.perSecond, n.rpcsPerSession, n.sessions, n.failed],
          ["converged check-in", c.cpuMsPerSession, c.bytesPerSession, c.perSecond, 0, c.sessions, c.failed],
        ],
      ),
    );
    const x = c.cpuMsPerSession > 0 ? n.cpuMsPerSession / c.cpuMsPerSession : 0;
    process.stdout.write(
      `new device / check-in: ${x.toFixed(2)}x (target <= 1.0 ms and <= 2x); RPCs ${JSON.stringify(n.rpcs)}; stored ${counts.devices}, converged ${counts.converged}\n`,
    );
    return {
      perSlice: PER_SLICE,
      concurrency: CONCURRENCY,
      newDevice: n,
      checkIn: c,
      times: Number(x.toFixed(3)),
      ratio: ratio(n.cpuMsPerSession, c.cpuMsPerSession),
      stored: counts.devices,
      converged: counts.converged,
    };
  } finally {
    await stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) emit("new-device", await newDevice());
