/**
 * Issue 16: server CPU per session of a device seen for the first time (BOOTSTRAP Inform, then the three
 * values a policy sets converged in 3 RPCs: read, set, read back), against a converged device's periodic
 * check-in measured in the same run on the same server. Each new-device session is a new device (a fresh
 * serial from the fleet's seed and index offset), 8 in flight like the emulated CPE; the server's CPU
 * (user + system, every thread, /proc/<pid>/stat) over a slice divided by the sessions of the slice.
 * Alternating slices of each kind, each keeps its best (lowest CPU per session).
 * Run alone: node --import tsx bench/new-device.ts   (BENCH_CPU_PROF=<dir> writes the server's .cpuprofile)
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Fleet } from "../src/sim/fleet.js";
import { acsCounts } from "../src/sim/fleet-acs.js";
import { encodedInforms, fleetOptions, tempWorkspace } from "./support/fleet.js";
import { leanRun } from "./support/lean-load.js";
import { cpuMs, startServe, writtenBytes } from "./support/procs.js";
import { QUICK, emit, log, ratio, table } from "./support/report.js";

/** New devices per slice, slices per kind, in flight. */
const PER_SLICE = Number(process.env["BENCH_NEW_DEVICES"] ?? (QUICK ? 300 : 1000));
const SLICES = 3;
const CONCURRENCY = 8;
const CHECKIN_SECONDS = QUICK ? 2 : 4;
/** BENCH_NEW_ONLY=1: new-device slices only (for a profile of that path alone). */
const NEW_ONLY = process.env["BENCH_NEW_ONLY"] === "1";

/** Three values on every model, none of them in the Inform: the session reads, sets and reads back. */
function writePolicies(dir: string): void {
  for (const [name, root, model] of [
    ["three-tr098", "InternetGatewayDevice.", "tr098"],
    ["three-tr181", "Device.", "tr181"],
  ] as const) {
    writeFileSync(
      join(dir, `${name}.yaml`),
      `name: ${name}\npriority: 10\nmatch:\n  dataModel: ${model}\nparameters:\n  ${root}ManagementServer.PeriodicInformInterval: 1800\n  ${root}Time.NTPServer1: ntp1.isp.example\n  ${root}Time.NTPServer2: ntp2.isp.example\n`,
    );
  }
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

export async function newDevice(): Promise<Record<string, unknown>> {
  const ws = tempWorkspace(undefined);
  writePolicies(ws.policies);
  const server = await startServe({ db: ws.db, policies: ws.policies });
  let offset = 0;
  /** One slice of PER_SLICE devices never seen before, each one BOOTSTRAP session. */
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
  try {
    log(`new-device: warming up with ${PER_SLICE} new devices`);
    const warm = await fresh(PER_SLICE);
    const informs = encodedInforms(warm.fleet);
    await warm.fleet.close();
    await checkIn(informs);
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
    await server.stop();
    ws.cleanup();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) emit("new-device", await newDevice());
