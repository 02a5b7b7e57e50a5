/**
 * The reconciler end to end over real HTTP: simulated CPEs from every real data model converge to the example
 * policies; their next session is Inform -> 204 with no RPC; a policy edit while serving converges them to the
 * new revision; a firmware pin drives Download -> TransferComplete -> BOOT; a device that faults on one path
 * converges on the others and shows the fault.
 */
import test, { after, before } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { deviceIdOf } from "../../src/domain/device.js";
import { SimDevice } from "../../src/sim/device.js";
import { runSession, type SessionResult } from "../../src/sim/client.js";
import { EXAMPLE_POLICIES, startTestServer, type TestServer } from "../support/server.js";
import { MODEL_FILES, model } from "../support/fleet-models.js";
import { apiClient } from "../support/api-client.js";

let server: TestServer;
let api: ReturnType<typeof apiClient>;

before(async () => {
  server = await startTestServer({ policies: EXAMPLE_POLICIES });
  api = apiClient(server.apiUrl);
});
after(async () => server.close());

interface Condition {
  type: string;
  status: boolean;
  reason: string;
  message: string;
}
interface DeviceView {
  device: { status?: { conditions: Condition[]; appliedRevision?: string } };
  faults: { code: string; path?: string }[];
}

const session = (d: SimDevice): Promise<SessionResult> => runSession(d, { acsUrl: server.cwmpUrl, timeoutMs: 10_000, maxMessages: 200 });

async function view(d: SimDevice): Promise<DeviceView> {
  const r = await api<DeviceView>("GET", `/api/devices/${encodeURIComponent(deviceIdOf(d.deviceId))}`);
  assert.equal(r.status, 200);
  return r.json;
}

const converged = (v: DeviceView): boolean => v.device.status?.conditions.some((c) => c.type === "Converged" && c.status) ?? false;

/** Sessions until the device reports converged; bounded (a firmware pin needs a reboot in between). */
async function convergeDevice(d: SimDevice, maxSessions = 4): Promise<SessionResult[]> {
  const runs: SessionResult[] = [];
  for (let i = 0; i < maxSessions; i++) {
    const r = await session(d);
    assert.equal(r.ok, true, `session ${i + 1}: ${r.error}`);
    runs.push(r);
    if (converged(await view(d))) return runs;
  }
  assert.fail(`not converged after ${maxSessions} sessions: ${JSON.stringify((await view(d)).device.status)} rpcs=${JSON.stringify(runs.map((x) => x.rpcs))}`);
}

const devices = new Map<string, SimDevice>();

for (const file of MODEL_FILES) {
  void test(`${file}: converges to the example policies, then its next session costs no RPC`, async () => {
    const d = new SimDevice(model(file), { serialNumber: `E2E${file.slice(0, 6).toUpperCase()}01` });
    devices.set(file, d);
    await convergeDevice(d);
    const root = model(file).kind === "tr098" ? "InternetGatewayDevice." : "Device.";
    assert.equal(d.get(`${root}ManagementServer.PeriodicInformInterval`)?.value, "3600");
    const again = await session(d);
    assert.equal(again.ok, true, again.error);
    assert.deepEqual(again.rpcs, [], "a converged device with fresh values gets no RPC");
  });
}

void test("a firmware pin drives Download -> TransferComplete -> BOOT with the new version", () => {
  const d = devices.get("huawei-eg8145v5-tr098.csv");
  assert.ok(d, "the EG8145V5 test ran first");
  assert.equal(d.softwareVersion, "V5R020C10S115");
});

void test("a policy edit while serving converges devices to the new revision on their next Inform", async () => {
  const before = (await api<{ revision: string }>("GET", "/api/policies")).json.revision;
  const file = join(server.policiesDir, "inform-tr098.yaml");
  writeFileSync(file, readFileSync(file, "utf8").replace("PeriodicInformInterval: 3600", "PeriodicInformInterval: 1800"));
  let revision = before;
  for (let i = 0; i < 100 && revision === before; i++) {
    await new Promise((r) => setTimeout(r, 50));
    revision = (await api<{ revision: string }>("GET", "/api/policies")).json.revision;
  }
  assert.notEqual(revision, before, "the edit was picked up");
  const d = devices.get("zte-h199a-tr098.csv");
  assert.ok(d);
  const r = await session(d);
  assert.equal(r.ok, true, r.error);
  assert.ok(r.rpcs.includes("SetParameterValues"), JSON.stringify(r.rpcs));
  assert.equal(d.get("InternetGatewayDevice.ManagementServer.PeriodicInformInterval")?.value, "1800");
  const v = await view(d);
  assert.equal(v.device.status?.appliedRevision, revision);
  const tr181 = devices.get("tplink-ex220-tr181.csv");
  assert.ok(tr181);
  assert.deepEqual((await session(tr181)).rpcs, [], "a TR-181 device is not affected by a TR-098 policy edit");
});

void test("a device that faults on one path converges on all the others and shows the fault", async () => {
  const d = new SimDevice(model("nokia-g1425ga-tr098.csv"), { serialNumber: "E2EFAULT01" });
  d.failPaths.set("InternetGatewayDevice.Time.NTPServer2", 9007);
  const first = await session(d);
  assert.equal(first.ok, true, first.error);
  await session(d);
  assert.equal(d.get("InternetGatewayDevice.Time.NTPServer1")?.value, "ntp1.isp.example");
  assert.equal(d.get("InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.SSID")?.value, "isp-LT01");
  const v = await view(d);
  assert.ok(
    v.faults.some((f) => f.code === "9007" && f.path === "InternetGatewayDevice.Time.NTPServer2"),
    JSON.stringify(v.faults),
  );
  const faulted = v.device.status?.conditions.find((c) => c.type === "Faulted");
  assert.equal(faulted?.status, true, JSON.stringify(v.device.status));
});

void test("an invalid policy edit while serving is rejected whole: the previous revision keeps serving and the error is visible", async () => {
  const before = (await api<{ revision: string }>("GET", "/api/policies")).json.revision;
  const file = join(server.policiesDir, "ntp-tr098.yaml");
  const good = readFileSync(file, "utf8");
  writeFileSync(file, good.replace("priority: 10", "priority: ten\nparamters: {}"));
  let view: { revision: string; errors: unknown[] } = { revision: before, errors: [] };
  for (let i = 0; i < 100 && view.errors.length === 0; i++) {
    await new Promise((r) => setTimeout(r, 50));
    view = (await api<{ revision: string; errors: unknown[] }>("GET", "/api/policies")).json;
  }
  assert.ok(view.errors.length > 0, "the rejected change is visible in GET /api/policies");
  assert.equal(view.revision, before, "the last good revision keeps serving");
  const reload = await api<{ error: { code: string } }>("POST", "/api/policies/reload");
  assert.equal(reload.status, 422);
  assert.equal(reload.json.error.code, "policy_invalid");
  writeFileSync(file, good);
});

void test("GET /api/policies counts, per policy, the devices it matched at their last session", async () => {
  const view = (await api<{ policies: { name: string; matches: number }[] }>("GET", "/api/policies")).json;
  const matches = Object.fromEntries(view.policies.map((p) => [p.name, p.matches]));
  assert.equal(matches["inform-tr181"], 2, JSON.stringify(matches));
  // The pin matches "<V5R020C10S115": the EG8145V5 it upgraded no longer matches it.
  assert.equal(matches["firmware-eg8145v5"], 0, JSON.stringify(matches));
  assert.equal(matches["port-forward-tr098"], 3, JSON.stringify(matches));
  assert.ok((matches["inform-tr098"] ?? 0) >= 4, JSON.stringify(matches));
});
