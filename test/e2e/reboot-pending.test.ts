/**
 * A set the CPE applies only after a reboot (SetParameterValues status 1, TR-069 A.3.2.1) end to end: where a
 * policy allows it, Converge reboots the CPE and it converges after the BOOT; where none does, the device stays
 * Pending (RebootPending) across sessions and is never rebooted.
 */
import test, { after, before } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deviceIdOf } from "../../src/domain/device.js";
import { SimDevice } from "../../src/sim/device.js";
import { runSession, type SessionResult } from "../../src/sim/client.js";
import { startTestServer, type TestServer } from "../support/server.js";
import { model } from "../support/fleet-models.js";
import { apiClient } from "../support/api-client.js";

const PII = "Device.ManagementServer.PeriodicInformInterval";
const policy = (name: string, serial: string, allow: boolean): string =>
  [`name: ${name}`, "match:", `  serialNumber: ${serial}`, "parameters:", `  ${PII}: 1234`, `reboot: { allow: ${allow} }`, ""].join("\n");

let server: TestServer;
let api: ReturnType<typeof apiClient>;

before(async () => {
  const dir = mkdtempSync(join(tmpdir(), "converge-reboot-"));
  writeFileSync(join(dir, "allowed.yaml"), policy("reboot-allowed", "RBALLOW01", true));
  writeFileSync(join(dir, "denied.yaml"), policy("reboot-denied", "RBDENY01", false));
  try {
    server = await startTestServer({ policies: dir });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  api = apiClient(server.apiUrl);
});
after(async () => server.close());

interface Condition {
  type: string;
  status: boolean;
  reason: string;
}

const session = async (d: SimDevice): Promise<SessionResult> => {
  const r = await runSession(d, { acsUrl: server.cwmpUrl, timeoutMs: 10_000, maxMessages: 200 });
  assert.equal(r.ok, true, r.error);
  return r;
};

async function condition(d: SimDevice, type: string): Promise<Condition | undefined> {
  const r = await api<{ device: { status?: { conditions: Condition[] } } }>("GET", `/api/devices/${encodeURIComponent(deviceIdOf(d.deviceId))}`);
  assert.equal(r.status, 200);
  return r.json.device.status?.conditions.find((c) => c.type === type);
}

function device(serial: string): SimDevice {
  const d = new SimDevice(model("tplink-ex220-tr181.csv"), { serialNumber: serial });
  d.rebootRequiredPaths.add(PII);
  return d;
}

void test("reboot allowed: the status-1 set is followed by a Reboot, and the device converges after the BOOT", async () => {
  const d = device("RBALLOW01");
  const first = await session(d);
  assert.ok(first.rpcs.includes("SetParameterValues"), JSON.stringify(first.rpcs));
  assert.equal(first.rpcs.at(-1), "Reboot", JSON.stringify(first.rpcs));
  const boot = await session(d);
  assert.equal(boot.rpcs.includes("Reboot"), false, JSON.stringify(boot.rpcs));
  assert.equal(d.get(PII)?.value, "1234");
  assert.equal((await condition(d, "Converged"))?.status, true);
  assert.deepEqual(await condition(d, "Pending").then((c) => [c?.status, c?.reason]), [false, "NothingPending"]);
  const quiet = await session(d);
  assert.deepEqual(quiet.rpcs, [], "converged after the reboot: no RPC");
});

void test("reboot not allowed: the device stays Pending (RebootPending) across sessions and is never rebooted", async () => {
  const d = device("RBDENY01");
  const runs = [await session(d), await session(d), await session(d)];
  for (const r of runs) assert.equal(r.rpcs.includes("Reboot"), false, JSON.stringify(r.rpcs));
  assert.ok(runs[0]?.rpcs.includes("SetParameterValues"));
  const pending = await condition(d, "Pending");
  assert.deepEqual([pending?.status, pending?.reason], [true, "RebootPending"]);
  assert.equal((await condition(d, "Converged"))?.status, false);
  assert.deepEqual(runs[2]?.rpcs, [], "pending costs no RPC once everything else is done");
});
