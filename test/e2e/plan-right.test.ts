/**
 * The plan is right (issue 11), end to end with a real server and simulated CPEs:
 * - `drift: report` applies a value to a device that first matches, then reports (never reverts) a later local
 *   change; `/plan` and `converge plan` list that drift;
 * - a task that writes a policy-managed value is healed by the reconciler in the same session, so the status
 *   that session writes is true (it used to end "Converged" with the task's value on the device).
 */
import test, { after, before } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { deviceIdOf } from "../../src/domain/device.js";
import { SimDevice } from "../../src/sim/device.js";
import { runSession } from "../../src/sim/client.js";
import { runPlan } from "../../src/cli/plan.js";
import { apiClient } from "../support/api-client.js";
import { startTestServer, type TestServer } from "../support/server.js";
import { model } from "../support/fleet-models.js";

const PII = "Device.ManagementServer.PeriodicInformInterval";
const NTP = "Device.Time.NTPServer1";
let server: TestServer;
let api: ReturnType<typeof apiClient>;

before(async () => {
  server = await startTestServer();
  mkdirSync(server.policiesDir, { recursive: true });
  writeFileSync(
    join(server.policiesDir, "inform-report.yaml"),
    "name: inform-report\npriority: 10\nmatch:\n  dataModel: tr181\nparameters:\n  Device.ManagementServer.PeriodicInformInterval: 1800\nverify: { every: 1s }\ndrift: report\n",
  );
  writeFileSync(
    join(server.policiesDir, "ntp-heal.yaml"),
    "name: ntp-heal\npriority: 10\nmatch:\n  dataModel: tr181\nparameters:\n  Device.Time.NTPServer1: ntp1.isp.example\ndrift: heal\n",
  );
  api = apiClient(server.apiUrl);
  const r = await api<{ ok: boolean }>("POST", "/api/policies/reload");
  assert.equal(r.status, 200, JSON.stringify(r.json));
});
after(async () => server.close());

interface Condition {
  type: string;
  status: boolean;
  reason: string;
}
const session = async (d: SimDevice): Promise<string[]> => {
  const r = await runSession(d, { acsUrl: server.cwmpUrl, timeoutMs: 10_000, maxMessages: 200 });
  assert.equal(r.ok, true, r.error);
  return r.rpcs;
};
const conditions = async (d: SimDevice): Promise<Condition[]> =>
  (await api<{ device: { status: { conditions: Condition[] } } }>("GET", `/api/devices/${encodeURIComponent(deviceIdOf(d.deviceId))}`)).json.device.status
    .conditions;
const condition = (cs: Condition[], type: string): Condition | undefined => cs.find((c) => c.type === type);

void test("drift: report applies to a device that first matches, then reports a local change without reverting it", async () => {
  const d = new SimDevice(model("tplink-ex220-tr181.csv"), { serialNumber: "DRIFTREPORT1" });
  assert.notEqual(d.get(PII)?.value, "1800");
  await session(d);
  assert.equal(d.get(PII)?.value, "1800", "a device that first matches gets the value");
  assert.equal(condition(await conditions(d), "Converged")?.status, true);
  d.setLocal(PII, "900"); // someone changes it on the device (web UI)
  await new Promise((r) => setTimeout(r, 1100)); // verify.every: 1s
  const rpcs = await session(d);
  assert.equal(d.get(PII)?.value, "900", "report-mode drift is not reverted");
  assert.ok(!rpcs.includes("SetParameterValues"), `no write: ${rpcs.join(",")}`);
  const cs = await conditions(d);
  assert.equal(condition(cs, "Drifted")?.status, true);
  assert.equal(condition(cs, "Drifted")?.reason, "DriftReported");
  const id = encodeURIComponent(deviceIdOf(d.deviceId));
  const plan = await api<{ plan: { steps: unknown[]; notes: { kind: string; path: string; reported: string; healed: boolean }[] } }>(
    "GET",
    `/api/devices/${id}/plan`,
  );
  assert.deepEqual(plan.json.plan.steps, []);
  assert.deepEqual(
    plan.json.plan.notes.filter((n) => n.kind === "drift").map((n) => [n.path, n.reported, n.healed]),
    [[PII, "900", false]],
  );
  let out = "";
  const code = await runPlan(
    [server.policiesDir, "--db", server.dbPath, "--json", "--device", deviceIdOf(d.deviceId)],
    { stdout: (s) => (out += s), stderr: (s) => (out += s) },
    {},
  );
  assert.equal(code, 0, out);
  const json = JSON.parse(out) as { summary: { drifted: number }; devices: { drift: { path: string; reported: string }[] }[] };
  assert.equal(json.summary.drifted, 1);
  assert.deepEqual(json.devices[0]?.drift, [{ path: PII, desired: "1800", reported: "900" }]);
});

void test("a task that writes a policy-managed value is healed in the same session; the status stays true", async () => {
  const d = new SimDevice(model("tplink-ex220-tr181.csv"), { serialNumber: "TASKHEAL0001" });
  await session(d);
  assert.equal(d.get(NTP)?.value, "ntp1.isp.example");
  const id = encodeURIComponent(deviceIdOf(d.deviceId));
  const t = await api("POST", `/api/devices/${id}/tasks`, { method: "SetParameterValues", values: [{ name: NTP, value: "ntp.evil.example" }] });
  assert.equal(t.status, 201);
  const rpcs = await session(d);
  assert.equal(rpcs.filter((m) => m === "SetParameterValues").length, 2, `the task's write, then the heal: ${rpcs.join(",")}`);
  assert.equal(d.get(NTP)?.value, "ntp1.isp.example", "healed in the same session");
  assert.equal(condition(await conditions(d), "Converged")?.status, true);
  const plan = await api<{ plan: { converged: boolean; steps: unknown[] } }>("GET", `/api/devices/${id}/plan`);
  assert.equal(plan.json.plan.converged, true, JSON.stringify(plan.json.plan));
});
