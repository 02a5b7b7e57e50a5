/**
 * Operator tasks (issue 11) against a real server and simulated CPEs: SetParameterValues typed from the data
 * model (the Nokia G-1425G-A refuses xsd:int for an unsignedInt with 9006), Upload (a configuration backup),
 * ScheduleInform and SetParameterAttributes (body validation, the RPC on the wire, the CPE's answer), and the
 * audit trail: each task records the token that queued it, shown on the device and queryable fleet-wide.
 */
import test, { after, before } from "node:test";
import assert from "node:assert/strict";
import { deviceIdOf } from "../../src/domain/device.js";
import { SimDevice } from "../../src/sim/device.js";
import { runSession } from "../../src/sim/client.js";
import { hashToken } from "../../src/auth/tokens.js";
import { apiClient } from "../support/api-client.js";
import { startTestServer, type TestServer } from "../support/server.js";
import { model } from "../support/fleet-models.js";

const OPS = "ops-write-token-0123456789abcdef";
const CI = "ci-write-token-0123456789abcdef0";
const MS = "InternetGatewayDevice.ManagementServer.";
let server: TestServer;
let ops: ReturnType<typeof apiClient>;
let ci: ReturnType<typeof apiClient>;
let nokia: SimDevice;
/** The simulated CPE's own clock, standing still: what it schedules is exact. */
const CPE_NOW = Date.now();
let id: string;

interface Task {
  id: number;
  deviceId: string;
  state: string;
  queuedBy?: string;
  request: { method: string; values?: { name: string; value: string; type: string }[]; fileType?: string };
  outcome?: unknown;
}

before(async () => {
  server = await startTestServer({ env: { CONVERGE_API_TOKENS: `ops:${hashToken(OPS)}:write,ci:${hashToken(CI)}:write` } });
  ops = apiClient(server.apiUrl, OPS);
  ci = apiClient(server.apiUrl, CI);
  nokia = new SimDevice(model("nokia-g1425ga-tr098.csv"), { serialNumber: "TASKS0001", clock: () => CPE_NOW });
  const r = await runSession(nokia, { acsUrl: server.cwmpUrl, timeoutMs: 10_000, maxMessages: 200 });
  assert.equal(r.ok, true, r.error);
  id = encodeURIComponent(deviceIdOf(nokia.deviceId));
});
after(async () => server.close());

async function queue(api: ReturnType<typeof apiClient>, body: unknown): Promise<{ status: number; task: Task | undefined; error?: string }> {
  const r = await api<{ task?: Task; error?: { message: string } }>("POST", `/api/devices/${id}/tasks`, body);
  return { status: r.status, task: r.json.task, ...(r.json.error ? { error: r.json.error.message } : {}) };
}

async function run(): Promise<string[]> {
  const r = await runSession(nokia, { acsUrl: server.cwmpUrl, timeoutMs: 10_000, maxMessages: 200 });
  assert.equal(r.ok, true, r.error);
  return r.rpcs;
}

async function tasks(): Promise<Task[]> {
  return (await ops<{ tasks: Task[] }>("GET", `/api/devices/${id}`)).json.tasks;
}

void test("SetParameterValues: a JSON number gets the data model's type (unsignedInt, string), not xsd:int", async () => {
  const q = await queue(ops, {
    method: "SetParameterValues",
    values: [
      { name: `${MS}PeriodicInformInterval`, value: 1234 },
      { name: "InternetGatewayDevice.Time.NTPServer1", value: 42 },
    ],
  });
  assert.equal(q.status, 201, q.error);
  assert.deepEqual(
    q.task?.request.values?.map((v) => v.type),
    ["xsd:unsignedInt", "xsd:string"],
  );
  await run();
  assert.equal(nokia.get(`${MS}PeriodicInformInterval`)?.value, "1234", "the CPE accepted it (no 9006)");
  assert.equal(nokia.get("InternetGatewayDevice.Time.NTPServer1")?.value, "42");
  const done = (await tasks()).find((t) => t.id === q.task?.id);
  assert.equal(done?.state, "done", JSON.stringify(done?.outcome));
});

void test("SetParameterValues: a value that does not fit the parameter's type is refused with 400", async () => {
  for (const value of [-1, 4294967296, true, "many"]) {
    const q = await queue(ops, { method: "SetParameterValues", values: [{ name: `${MS}PeriodicInformInterval`, value }] });
    assert.equal(q.status, 400, `${JSON.stringify(value)}: ${q.status}`);
  }
  const explicit = await queue(ops, { method: "SetParameterValues", values: [{ name: "X_VENDOR.Thing", value: 5 }] });
  assert.equal(explicit.task?.request.values?.[0]?.type, "xsd:int", "a parameter no model knows keeps the JSON value's type");
});

void test("Upload (configuration backup), ScheduleInform and SetParameterAttributes are queued, sent and answered", async () => {
  for (const bad of [
    { method: "Upload" },
    { method: "ScheduleInform" },
    { method: "ScheduleInform", delaySeconds: 0 },
    { method: "SetParameterAttributes" },
    { method: "SetParameterAttributes", attributes: [{ name: `${MS}URL` }] },
  ]) {
    assert.equal((await queue(ops, bad)).status, 400, JSON.stringify(bad));
  }
  const up = await queue(ops, { method: "Upload", url: "http://127.0.0.1:9/backup/nokia.cfg" });
  assert.equal(up.status, 201, up.error);
  assert.equal(up.task?.request.fileType, "1 Vendor Configuration File");
  const si = await queue(ops, { method: "ScheduleInform", delaySeconds: 600 });
  const spa = await queue(ops, { method: "SetParameterAttributes", attributes: [{ name: `${MS}PeriodicInformInterval`, notification: 2 }] });
  assert.equal(si.status, 201, si.error);
  assert.equal(spa.status, 201, spa.error);
  const rpcs = await run();
  for (const m of ["Upload", "ScheduleInform", "SetParameterAttributes"]) assert.ok(rpcs.includes(m), `${m} sent: ${rpcs.join(",")}`);
  const byId = new Map((await tasks()).map((t) => [t.id, t]));
  for (const t of [up, si, spa]) assert.equal(byId.get(t.task?.id ?? -1)?.state, "done", JSON.stringify(byId.get(t.task?.id ?? -1)?.outcome));
  assert.equal(nokia.scheduledInformAt, CPE_NOW + 600_000, "the CPE scheduled an Inform in 600 s");
  // The upload ran between sessions: the CPE reports it with TransferComplete, which the ACS acknowledges.
  assert.equal((await runSession(nokia, { acsUrl: server.cwmpUrl, timeoutMs: 10_000, maxMessages: 200 })).ok, true);
});

void test("the audit trail: each task records the token that queued it, on the device and fleet-wide", async () => {
  const a = await queue(ops, { method: "GetRPCMethods" });
  const b = await queue(ci, { method: "GetParameterValues", names: [`${MS}URL`] });
  assert.equal(a.task?.queuedBy, "ops");
  assert.equal(b.task?.queuedBy, "ci");
  const shown = new Map((await tasks()).map((t) => [t.id, t.queuedBy]));
  assert.equal(shown.get(a.task?.id ?? -1), "ops");
  assert.equal(shown.get(b.task?.id ?? -1), "ci");
  const byCi = await ops<{ tasks: Task[]; next: number | null }>("GET", "/api/tasks?queuedBy=ci");
  assert.equal(byCi.status, 200);
  assert.deepEqual(
    byCi.json.tasks.map((t) => [t.id, t.queuedBy, t.deviceId]),
    [[b.task?.id, "ci", deviceIdOf(nokia.deviceId)]],
  );
  const page = await ops<{ tasks: Task[]; next: number | null }>("GET", "/api/tasks?limit=2");
  assert.equal(page.json.tasks.length, 2);
  assert.equal(page.json.tasks[0]?.id, b.task?.id, "newest first");
  const rest = await ops<{ tasks: Task[] }>("GET", `/api/tasks?limit=100&before=${page.json.next}`);
  assert.ok(rest.json.tasks.every((t) => t.id < (page.json.next ?? 0)));
  assert.ok(rest.json.tasks.some((t) => t.queuedBy === "ops"));
});
