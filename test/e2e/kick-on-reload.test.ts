/**
 * A merged policy change reaches a fleet in seconds, not a day (issue 6): 204 simulated CPEs over the six
 * real data models, one shared connection-request listener, converged first; then inform-tr098.yaml is
 * edited in the served policies folder with kicking on. Every TR-098 device is kicked (connection request,
 * `6 CONNECTION REQUEST` session) and ends with the new interval; no TR-181 device is kicked; the kicks are
 * spread at the configured rate.
 */
import test, { after, before } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SimDevice } from "../../src/sim/device.js";
import { runSession, type SessionResult } from "../../src/sim/client.js";
import { ConnReqListener } from "../../src/sim/connreq-listener.js";
import { EXAMPLE_POLICIES, startTestServer, type TestServer } from "../support/server.js";
import { MODEL_FILES, model } from "../support/fleet-models.js";

const PER_MODEL = 34; // 204 devices
const RATE = 100; // kicks per second
const CONCURRENCY = 20;

let server: TestServer;
let listener: ConnReqListener;
const fleet: SimDevice[] = [];
/** Connection requests each device accepted (ms epoch), and the sessions they triggered. */
const kicks = new Map<SimDevice, number[]>();
const kickSessions: Promise<SessionResult>[] = [];

const session = (d: SimDevice): Promise<SessionResult> => runSession(d, { acsUrl: server.cwmpUrl, timeoutMs: 10_000, maxMessages: 200 });
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

async function converge(d: SimDevice, max = 5): Promise<void> {
  for (let i = 0; i < max; i++) {
    const r = await session(d);
    assert.equal(r.ok, true, `${d.deviceId.serialNumber} session ${i + 1}: ${r.error}`);
    if (r.rpcs.length === 0) return;
  }
  assert.fail(`${d.deviceId.serialNumber} not converged after ${max} sessions`);
}

before(async () => {
  server = await startTestServer({ policies: EXAMPLE_POLICIES, env: { CONVERGE_KICK_ON_RELOAD: "true", CONVERGE_KICK_PER_SECOND: String(RATE) } });
  listener = await ConnReqListener.start({
    onRequest: (d) => {
      kicks.get(d)?.push(Date.now());
      kickSessions.push(session(d));
    },
  });
  for (const [m, file] of MODEL_FILES.entries()) {
    for (let i = 0; i < PER_MODEL; i++) {
      const d = new SimDevice(model(file), { serialNumber: `KICK${m}${String(i).padStart(4, "0")}` });
      listener.register(d);
      kicks.set(d, []);
      fleet.push(d);
    }
  }
});
after(async () => {
  await Promise.allSettled(kickSessions);
  await listener.close();
  await server.close();
});

void test("a policy reload with kicking on converges every affected device at the configured rate", async (t) => {
  await pool(fleet, CONCURRENCY, converge);
  assert.ok(fleet.every((d) => interval(d) === "3600"));
  assert.ok([...kicks.values()].every((k) => k.length === 0), "nothing is kicked before the edit");

  const file = join(server.policiesDir, "inform-tr098.yaml");
  const text = readFileSync(file, "utf8");
  assert.match(text, /PeriodicInformInterval: 3600/);
  const edited = Date.now();
  writeFileSync(file, text.replace("PeriodicInformInterval: 3600", "PeriodicInformInterval: 1800"));

  const tr098 = fleet.filter(isTr098);
  const tr181 = fleet.filter((d) => !isTr098(d));
  const deadline = edited + 25_000;
  while (Date.now() < deadline && !tr098.every((d) => interval(d) === "1800")) await new Promise((r) => setTimeout(r, 50));
  const settled = await Promise.all(kickSessions);

  const behind = tr098.filter((d) => interval(d) !== "1800").map((d) => d.deviceId.serialNumber);
  assert.deepEqual(behind, [], "every TR-098 device has the new interval");
  assert.ok(tr098.every((d) => kicks.get(d)?.length === 1), "each TR-098 device was kicked exactly once");
  assert.deepEqual(tr181.filter((d) => (kicks.get(d)?.length ?? 0) > 0).map((d) => d.deviceId.serialNumber), [], "no TR-181 device was kicked");
  assert.ok(tr181.every((d) => interval(d) === "3600"));
  assert.ok(settled.every((r) => r.ok), JSON.stringify(settled.filter((r) => !r.ok).map((r) => r.error)));
  assert.ok(settled.every((r) => r.rpcs.includes("SetParameterValues")), "every kicked session wrote the new value");

  // Rate: n kicks at RATE/s cannot span less than (n - 1) / RATE seconds (10% slack for timer jitter).
  const times = tr098.flatMap((d) => kicks.get(d) ?? []).sort((a, b) => a - b);
  const first = times[0] ?? assert.fail("no kick");
  const last = times[times.length - 1] ?? first;
  const minSpanMs = ((times.length - 1) / RATE) * 1000 * 0.9;
  assert.ok(last - first >= minSpanMs, `${times.length} kicks in ${last - first} ms, faster than ${RATE}/s`);
  assert.ok(last - edited < 20_000, `the last kick came ${last - edited} ms after the edit`);
  t.diagnostic(`${times.length} kicks over ${last - first} ms (min ${Math.round(minSpanMs)} ms); fleet converged ${Date.now() - edited} ms after the edit`);
});
