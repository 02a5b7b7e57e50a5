/**
 * `converge plan` previews with the server's configuration (#12.4): the per-model `quirks:` of converge.yaml
 * (`--config`, or CONVERGE_CONFIG) resolved per device as its sessions resolve them, so a plan is what a session
 * would do. A server runs with `spvBatchSize: 1` for one model; after a policy edit the plan of a device of that
 * model sets one value per SetParameterValues with the configuration, and all of them in one without it; a device
 * of another model plans the same either way; the server's own plan (`GET /api/devices/:id/plan`) agrees, and so
 * does the session that follows.
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
import { apiClient } from "../support/api-client.js";
import { startTestServer, type TestServer } from "../support/server.js";
import { model } from "../support/fleet-models.js";

const TOKEN = "plan-quirks-write-token-0123456789";
const zte = new SimDevice(model("zte-h199a-tr098.csv"), { serialNumber: "PQ-ZTE-1" });
const huawei = new SimDevice(model("huawei-eg8145v5-tr098.csv"), { serialNumber: "PQ-HW-1" });
const CONFIG = `quirks:\n  - match: { productClass: "${zte.deviceId.productClass}" }\n    spvBatchSize: 1\n    datetimeMilliseconds: false\n`;

let server: TestServer;
let configFile: string;
let edited: string;

before(async () => {
  server = await startTestServer({
    policies: new URL("../fixtures/quirk-policies/", import.meta.url),
    config: CONFIG,
    env: { CONVERGE_API_TOKENS: `planner:${hashToken(TOKEN)}:write` },
  });
  configFile = join(server.dir, "converge.yaml");
  writeFileSync(configFile, CONFIG);
  for (const d of [zte, huawei])
    for (let i = 0; i < 3; i++) {
      const r = await runSession(d, { acsUrl: server.cwmpUrl, timeoutMs: 10_000, maxMessages: 200 });
      assert.equal(r.ok, true, r.error);
    }
  // The edit: every value of the policy changes.
  edited = join(server.dir, "edited");
  cpSync(server.policiesDir, edited, { recursive: true });
  const file = join(edited, "quirks.yaml");
  writeFileSync(
    file,
    readFileSync(file, "utf8")
      .replace("PeriodicInformEnable: false", "PeriodicInformEnable: true")
      .replace("2026-01-02T03:04:05.678Z", "2026-02-03T04:05:06.789Z")
      .replace("PeriodicInformInterval: 1234", "PeriodicInformInterval: 4321"),
  );
});
after(async () => server.close());

interface Step {
  kind: string;
  values?: { name: string; value: string }[];
}
interface PlanJson {
  devices: { deviceId: string; writes: Step[] }[];
}

async function plan(args: string[], env: Record<string, string> = {}): Promise<Map<string, Step[]>> {
  let stdout = "";
  let stderr = "";
  const code = await runPlan([edited, ...args, "--json"], { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) }, env);
  assert.equal(stderr, "");
  assert.equal(code, 0);
  const out = JSON.parse(stdout) as PlanJson;
  return new Map(out.devices.map((d) => [d.deviceId, d.writes]));
}

const sets = (writes: readonly Step[] | undefined): number[] => (writes ?? []).filter((s) => s.kind === "setValues").map((s) => s.values?.length ?? 0);
const ZTE = deviceIdOf(zte.deviceId);
const HUAWEI = deviceIdOf(huawei.deviceId);

void test("without the configuration: both models set the three values in one SetParameterValues", async () => {
  const p = await plan(["--db", server.dbPath]);
  assert.deepEqual(sets(p.get(ZTE)), [3]);
  assert.deepEqual(sets(p.get(HUAWEI)), [3]);
});

// The configuration comes as the server's does: the file named by --config, or by CONVERGE_CONFIG.
const WAYS: readonly [string, (file: string) => { args: string[]; env: Record<string, string> }][] = [
  ["--config", (file) => ({ args: ["--config", file], env: {} })],
  ["CONVERGE_CONFIG", (file) => ({ args: [], env: { CONVERGE_CONFIG: file } })],
];
for (const [how, way] of WAYS) {
  void test(`with the configuration (${how}): the configured model sets one value per SetParameterValues, the other model as before`, async () => {
    const { args, env } = way(configFile);
    const fleet = await plan(["--db", server.dbPath, ...args], env);
    assert.deepEqual(sets(fleet.get(ZTE)), [1, 1, 1]);
    assert.deepEqual(sets(fleet.get(HUAWEI)), [3]);
    // One device (planned through the store port, not the projected fleet reader): the same.
    const one = await plan(["--db", server.dbPath, "--device", ZTE, ...args], env);
    assert.deepEqual(sets(one.get(ZTE)), [1, 1, 1]);
    // Through the server's API, the configuration's quirks apply all the same.
    const viaApi = await plan(["--api", server.apiUrl, "--token", TOKEN, ...args], env);
    assert.deepEqual(sets(viaApi.get(ZTE)), [1, 1, 1]);
    assert.deepEqual(sets(viaApi.get(HUAWEI)), [3]);
  });
}

void test("datetimeMilliseconds: false in the configuration: a dateTime the CPE holds in whole seconds plans no write for that model", async () => {
  // The CPE of the configured model keeps whole seconds (what the session wrote); the same edit without the
  // configuration would see a difference in the milliseconds.
  const time = "InternetGatewayDevice.ManagementServer.PeriodicInformTime";
  assert.equal(zte.get(time)?.value, "2026-01-02T03:04:05Z");
  const folder = join(server.dir, "same-time");
  cpSync(server.policiesDir, folder, { recursive: true });
  const run = async (args: string[]): Promise<Step[] | undefined> => {
    let stdout = "";
    const code = await runPlan([folder, "--db", server.dbPath, "--json", ...args], { stdout: (s) => (stdout += s), stderr: () => undefined }, {});
    assert.equal(code, 0);
    return (JSON.parse(stdout) as PlanJson).devices.find((d) => d.deviceId === ZTE)?.writes;
  };
  assert.deepEqual(await run(["--config", configFile]), undefined, "with the configuration: nothing to change");
  const without = await run([]);
  assert.ok(
    (without ?? []).some((s) => s.values?.some((v) => v.name === time)),
    JSON.stringify(without),
  );
});

void test("the server's own plan and the next session agree with the configured preview", async () => {
  const api = apiClient(server.apiUrl, TOKEN);
  // Serve the edited folder, then ask the server what the next session would do.
  cpSync(edited, server.policiesDir, { recursive: true });
  assert.equal((await api("POST", "/api/policies/reload")).status, 200);
  const served = await api<{ plan?: { steps: Step[] } }>("GET", `/api/devices/${encodeURIComponent(ZTE)}/plan`);
  assert.equal(served.status, 200, JSON.stringify(served.json));
  assert.deepEqual(sets(served.json.plan?.steps), [1, 1, 1]);
  const r = await runSession(zte, { acsUrl: server.cwmpUrl, timeoutMs: 10_000, maxMessages: 200 });
  assert.equal(r.ok, true, r.error);
  assert.equal(r.rpcs.filter((m) => m === "SetParameterValues").length, 3);
});
