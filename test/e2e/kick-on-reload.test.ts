/**
 * A merged policy change reaches a fleet in seconds, not a day (issue 6): 204 simulated CPEs over the six
 * real data models, one shared connection-request listener, converged first; then inform-tr098.yaml is
 * edited in the served policies folder with kicking on. Every TR-098 device is kicked (connection request,
 * `6 CONNECTION REQUEST` session) and ends with the new interval; no TR-181 device is kicked. The rate itself is
 * checked on a fake clock, exactly (test/unit/kick-pacer.test.ts, test/integration/kick-pacing.test.ts at 400/s):
 * this test only reports the wall-clock span as a diagnostic, never asserts on it.
 */
import test from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SimDevice } from "../../src/sim/device.js";
import { runSession, type SessionResult } from "../../src/sim/client.js";
import { ConnReqListener } from "../../src/sim/connreq-listener.js";
import { EXAMPLE_POLICIES, startTestServer, type TestServer } from "../support/server.js";
import { MODEL_FILES, model } from "../support/fleet-models.js";

const PER_MODEL = 34; // 204 devices, 136 of them TR-098
const CONCURRENCY = 20;

const isTr098 = (d: SimDevice): boolean => d.model.kind === "tr098";
const interval = (d: SimDevice): string | undefined => d.get(`${d.model.root}ManagementServer.PeriodicInformInterval`)?.value;

/** Runs `work` over `items` with at most `n` in flight. */
async function pool<T>(items: readonly T[], n: number, work: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: n }, async () => {
    while (next < items.length) {
      const item = items[next++];
      if (item !== undefined) await work(item);
    }
  });
  await Promise.all(lanes);
}

/** A served fleet: every device registered with one shared listener that records kicks and runs their sessions. */
class Fleet {
  readonly devices: SimDevice[] = [];
  /** Connection requests each device accepted (ms epoch). */
  readonly kicks = new Map<SimDevice, number[]>();
  readonly kickSessions: Promise<SessionResult>[] = [];
  private constructor(
    readonly server: TestServer,
    readonly listener: ConnReqListener,
  ) {}

  static async start(rate: number): Promise<Fleet> {
    const server = await startTestServer({ policies: EXAMPLE_POLICIES, env: { CONVERGE_KICK_ON_RELOAD: "true", CONVERGE_KICK_PER_SECOND: String(rate) } });
    let fleet: Fleet | undefined;
    const listener = await ConnReqListener.start({
      onRequest: (d) => {
        if (!fleet) return;
        fleet.kicks.get(d)?.push(Date.now());
        fleet.kickSessions.push(fleet.session(d));
      },
    });
    fleet = new Fleet(server, listener);
    for (const [m, file] of MODEL_FILES.entries()) {
      for (let i = 0; i < PER_MODEL; i++) {
        const d = new SimDevice(model(file), { serialNumber: `KICK${m}${String(i).padStart(4, "0")}` });
        listener.register(d);
        fleet.kicks.set(d, []);
        fleet.devices.push(d);
      }
    }
    return fleet;
  }

  session(d: SimDevice): Promise<SessionResult> {
    return runSession(d, { acsUrl: this.server.cwmpUrl, timeoutMs: 10_000, maxMessages: 200 });
  }

  async converge(d: SimDevice, max = 5): Promise<void> {
    for (let i = 0; i < max; i++) {
      const r = await this.session(d);
      assert.equal(r.ok, true, `${d.deviceId.serialNumber} session ${i + 1}: ${r.error}`);
      if (r.rpcs.length === 0) return;
    }
    assert.fail(`${d.deviceId.serialNumber} not converged after ${max} sessions`);
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.kickSessions);
    await this.listener.close();
    await this.server.close();
  }
}

const RATE = 100;

void test(`kicking at ${RATE}/s: a policy reload converges every affected device, and only those`, async (t) => {
  const fleet = await Fleet.start(RATE);
  try {
    await reloadAndCheck(fleet, RATE, t);
  } finally {
    await fleet.close();
  }
});

async function reloadAndCheck(fleet: Fleet, rate: number, t: { diagnostic(m: string): void }): Promise<void> {
  const { devices, kicks, kickSessions, server } = fleet;
  await pool(devices, CONCURRENCY, (d) => fleet.converge(d));
  assert.ok(devices.every((d) => interval(d) === "3600"));
  assert.ok(
    [...kicks.values()].every((k) => k.length === 0),
    "nothing is kicked before the edit",
  );

  const file = join(server.policiesDir, "inform-tr098.yaml");
  const text = readFileSync(file, "utf8");
  assert.match(text, /PeriodicInformInterval: 3600/);
  const edited = Date.now();
  writeFileSync(file, text.replace("PeriodicInformInterval: 3600", "PeriodicInformInterval: 1800"));

  const tr098 = devices.filter(isTr098);
  const tr181 = devices.filter((d) => !isTr098(d));
  const deadline = edited + 20_000;
  const done = (): boolean => tr098.every((d) => interval(d) === "1800");
  while (Date.now() < deadline && !done()) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 200)); // late duplicate kicks would show up here
  const settled = await Promise.all(kickSessions);

  assert.ok(
    tr098.every((d) => kicks.get(d)?.length === 1),
    "each TR-098 device was kicked exactly once",
  );
  assert.deepEqual(
    tr181.filter((d) => (kicks.get(d)?.length ?? 0) > 0).map((d) => d.deviceId.serialNumber),
    [],
    "no TR-181 device was kicked",
  );
  assert.ok(tr181.every((d) => interval(d) === "3600"));
  const behind = tr098.filter((d) => interval(d) !== "1800").map((d) => d.deviceId.serialNumber);
  assert.deepEqual(behind, [], "every TR-098 device has the new interval");
  assert.equal(settled.length, tr098.length);
  assert.ok(
    settled.every((r) => r.ok),
    JSON.stringify(settled.filter((r) => !r.ok).map((r) => r.error)),
  );
  assert.ok(
    settled.every((r) => r.rpcs.includes("SetParameterValues")),
    "every kicked session wrote the new value",
  );

  const times = tr098.flatMap((d) => kicks.get(d) ?? []).sort((a, b) => a - b);
  const span = (times[times.length - 1] ?? 0) - (times[0] ?? 0);
  const idealMs = ((times.length - 1) / rate) * 1000;
  t.diagnostic(`${rate}/s: ${times.length} kicks over ${span} ms (ideal ${Math.round(idealMs)} ms); fleet converged ${Date.now() - edited} ms after the edit`);
}
