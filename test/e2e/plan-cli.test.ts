/**
 * `converge plan` against a stored fleet: after simulated CPEs converged under the example policies, the same
 * folder plans no change; an edited folder plans exactly the edited value on the devices it matches.
 */
import test, { after, before } from "node:test";
import assert from "node:assert/strict";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SimDevice } from "../../src/sim/device.js";
import { runSession } from "../../src/sim/client.js";
import { runPlan } from "../../src/cli/plan.js";
import { EXAMPLE_POLICIES, startTestServer, type TestServer } from "../support/server.js";
import { model } from "../support/fleet-models.js";

let server: TestServer;
const files = ["zte-h199a-tr098.csv", "nokia-g1425ga-tr098.csv", "tplink-ex220-tr181.csv"] as const;

before(async () => {
  server = await startTestServer({ policies: EXAMPLE_POLICIES });
  for (const f of files) {
    const d = new SimDevice(model(f), { serialNumber: `PLAN${f.slice(0, 4).toUpperCase()}` });
    for (let i = 0; i < 3; i++) {
      const r = await runSession(d, { acsUrl: server.cwmpUrl, timeoutMs: 10_000, maxMessages: 200 });
      assert.equal(r.ok, true, r.error);
    }
  }
});
after(async () => server.close());

async function plan(dir: string): Promise<{ code: number; out: { summary: { devices: number; changing: number }; devices: { deviceId: string; writes: { kind: string; values?: { name: string; value: string }[] }[] }[] } }> {
  let stdout = "";
  const code = await runPlan([dir, "--db", server.dbPath, "--json", "--detailed-exitcode"], { stdout: (s) => (stdout += s), stderr: (s) => (stdout += s) }, {});
  return { code, out: JSON.parse(stdout) };
}

void test("the folder the fleet converged to plans no change (exit 0)", async () => {
  const r = await plan(server.policiesDir);
  assert.equal(r.out.summary.devices, 3);
  assert.deepEqual(r.out.devices, []);
  assert.equal(r.code, 0);
});

void test("an edited folder plans the edited value on the TR-098 devices only (exit 2)", async () => {
  const edited = join(server.dir, "edited");
  cpSync(server.policiesDir, edited, { recursive: true });
  const file = join(edited, "inform-tr098.yaml");
  writeFileSync(file, readFileSync(file, "utf8").replace("PeriodicInformInterval: 3600", "PeriodicInformInterval: 1800"));
  const r = await plan(edited);
  assert.equal(r.code, 2);
  assert.equal(r.out.summary.changing, 2);
  for (const d of r.out.devices) {
    assert.match(d.deviceId, /ZXHN|G%2D1425G%2DA/);
    assert.deepEqual(d.writes.map((w) => w.kind), ["setValues"]);
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
