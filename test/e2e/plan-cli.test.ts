/**
 * `converge plan` against a stored fleet: after simulated CPEs converged under the example policies, the same
 * folder plans no change; an edited folder plans exactly the edited value on the devices it matches. The same
 * through a running server's REST API (`--api`, write-scope token) as through its database file (`--db`).
 */
import test, { after, before } from "node:test";
import assert from "node:assert/strict";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SimDevice } from "../../src/sim/device.js";
import { runSession } from "../../src/sim/client.js";
import { runPlan } from "../../src/cli/plan.js";
import { hashToken } from "../../src/auth/tokens.js";
import { deviceIdOf } from "../../src/domain/device.js";
import { openSqliteStore } from "../../src/store/sqlite-store.js";
import { CR_PASSWORD } from "../../src/server/desired-resolver.js";
import { apiClient } from "../support/api-client.js";
import { EXAMPLE_POLICIES, startTestServer, type TestServer } from "../support/server.js";
import { model } from "../support/fleet-models.js";

let server: TestServer;
// The state endpoint holds hashes of write-only values: a write-scope token (a read token gets 403, below).
const PLAN_TOKEN = "plan-write-token-0123456789abcdef";
const READ_ONLY = "plan-read-token-0123456789abcdef";
const sims: SimDevice[] = [];
const files = ["zte-h199a-tr098.csv", "nokia-g1425ga-tr098.csv", "tplink-ex220-tr181.csv"] as const;

before(async () => {
  server = await startTestServer({
    policies: EXAMPLE_POLICIES,
    env: { CONVERGE_API_TOKENS: `planner:${hashToken(PLAN_TOKEN)}:write,reader:${hashToken(READ_ONLY)}:read` },
  });
  for (const f of files) {
    const d = new SimDevice(model(f), { serialNumber: `PLAN${f.slice(0, 4).toUpperCase()}` });
    sims.push(d);
    for (let i = 0; i < 3; i++) {
      const r = await runSession(d, { acsUrl: server.cwmpUrl, timeoutMs: 10_000, maxMessages: 200 });
      assert.equal(r.ok, true, r.error);
    }
  }
});
after(async () => server.close());

interface PlanJson {
  summary: { devices: number; changing: number };
  devices: { deviceId: string; writes: { kind: string; values?: { name: string; value: string }[] }[] }[];
}

async function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await runPlan(args, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) }, env);
  return { code, stdout, stderr };
}

const source = (via: "db" | "api"): string[] => (via === "db" ? ["--db", server.dbPath] : ["--api", server.apiUrl, "--token", PLAN_TOKEN]);

async function plan(dir: string, via: "db" | "api" = "db"): Promise<{ code: number; out: PlanJson }> {
  const r = await cli([dir, ...source(via), "--json", "--detailed-exitcode"]);
  assert.equal(r.stderr, "");
  return { code: r.code, out: JSON.parse(r.stdout) };
}

function editedFolder(): string {
  const edited = join(server.dir, "edited");
  cpSync(server.policiesDir, edited, { recursive: true });
  const file = join(edited, "inform-tr098.yaml");
  writeFileSync(file, readFileSync(file, "utf8").replace("PeriodicInformInterval: 3600", "PeriodicInformInterval: 1800"));
  return edited;
}

void test("the folder the fleet converged to plans no change (exit 0)", async () => {
  const r = await plan(server.policiesDir);
  assert.equal(r.out.summary.devices, 3);
  assert.deepEqual(r.out.devices, []);
  assert.equal(r.code, 0);
});

void test("an edited folder plans the edited value on the TR-098 devices only (exit 2)", async () => {
  const r = await plan(editedFolder());
  assert.equal(r.code, 2);
  assert.equal(r.out.summary.changing, 2);
  for (const d of r.out.devices) {
    assert.match(d.deviceId, /ZXHN|G%2D1425G%2DA/);
    assert.deepEqual(
      d.writes.map((w) => w.kind),
      ["setValues"],
    );
    // Exactly the edited value: the connection-request password (write-only) is not re-sent, because the CPE
    // still carries a ParameterKey Converge set (cwmp-notes §7.5) and the password's hash is unchanged.
    const values = d.writes[0]?.values?.map((v) => [v.name, v.value]);
    assert.deepEqual(values, [["InternetGatewayDevice.ManagementServer.PeriodicInformInterval", "1800"]]);
  }
});

void test("markdown output fits a PR comment and names the policy", async () => {
  const edited = join(server.dir, "edited");
  let out = "";
  const code = await runPlan([edited, "--db", server.dbPath, "--markdown"], { stdout: (s) => (out += s), stderr: (s) => (out += s) }, {});
  assert.equal(code, 0);
  assert.match(out, /### Converge plan/);
  assert.match(out, /\| inform-tr098 \| 2 \| 2 setValues \| 0 \|/);
});

void test("--api plans the same as --db, for the converged folder and for the edited one", async () => {
  for (const dir of [server.policiesDir, editedFolder()]) {
    const [db, api] = [await plan(dir, "db"), await plan(dir, "api")];
    assert.equal(api.code, db.code, dir);
    assert.deepEqual(api.out, db.out, dir);
  }
  assert.equal((await plan(editedFolder(), "api")).out.summary.changing, 2);
});

void test("--api --device plans one device; the token may come from CONVERGE_API_TOKEN", async () => {
  const sim = sims[0];
  assert.ok(sim);
  const id = deviceIdOf(sim.deviceId);
  const r = await cli([editedFolder(), "--api", server.apiUrl, "--device", id, "--json"], { CONVERGE_API_TOKEN: PLAN_TOKEN });
  assert.equal(r.code, 0, r.stderr);
  const out: PlanJson = JSON.parse(r.stdout);
  assert.equal(out.summary.devices, 1);
  assert.deepEqual(
    out.devices.map((d) => d.deviceId),
    [id],
  );
});

void test("--api errors exit 1 with the reason: no token (401), an unknown device, nothing listening", async () => {
  const noToken = await cli([server.policiesDir, "--api", server.apiUrl, "--json"]);
  assert.equal(noToken.code, 1);
  assert.match(noToken.stderr, /HTTP 401/);
  const ghost = await cli([server.policiesDir, ...source("api"), "--device", "000000-Nope-1"]);
  assert.equal(ghost.code, 1);
  assert.match(ghost.stderr, /no device 000000-Nope-1/);
  const down = await cli([server.policiesDir, "--api", "http://127.0.0.1:1", "--token", PLAN_TOKEN]);
  assert.equal(down.code, 1);
  assert.match(down.stderr, /127\.0\.0\.1:1/);
  const both = await cli([server.policiesDir, "--db", server.dbPath, "--api", server.apiUrl]);
  assert.equal(both.code, 2);
});

void test("GET /api/devices/:id/state: record, reported state and inventory, and never the generated secrets", async () => {
  const sim = sims[0];
  assert.ok(sim);
  const id = deviceIdOf(sim.deviceId);
  const r = await apiClient(server.apiUrl, PLAN_TOKEN)<{
    device: { deviceId: string };
    reported: { parameterKey: string; params: Record<string, { value: string }> };
    inventory: { writeOnlyHashes: Record<string, string>; appliedKeys?: string[] };
    managedCredentials: boolean;
  }>("GET", `/api/devices/${encodeURIComponent(id)}/state`);
  assert.equal(r.status, 200);
  assert.equal(r.json.device.deviceId, id);
  assert.equal(r.json.managedCredentials, true);
  assert.equal(r.json.reported.params["InternetGatewayDevice.ManagementServer.PeriodicInformInterval"]?.value, "3600");
  assert.ok(r.json.inventory.appliedKeys?.includes(r.json.reported.parameterKey), "the CPE carries a key Converge set");
  const store = openSqliteStore(server.dbPath);
  try {
    const password = await store.getSecret(id, CR_PASSWORD);
    assert.ok(password !== undefined && password.length > 0);
    assert.equal(JSON.stringify(r.json).includes(password), false, "the connection-request password is not in the state");
  } finally {
    await store.close();
  }
  const unknown = await apiClient(server.apiUrl, PLAN_TOKEN)("GET", "/api/devices/000000-Nope-1/state");
  assert.equal(unknown.status, 404);
});

void test("the state endpoint needs a write-scope token (it holds hashes of write-only values): a read token gets 403", async () => {
  const sim = sims[0];
  assert.ok(sim);
  const r = await apiClient(server.apiUrl, READ_ONLY)("GET", `/api/devices/${encodeURIComponent(deviceIdOf(sim.deviceId))}/state`);
  assert.equal(r.status, 403);
  const plan = await cli([server.policiesDir, "--api", server.apiUrl, "--token", READ_ONLY]);
  assert.equal(plan.code, 1);
});
