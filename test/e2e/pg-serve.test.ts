/**
 * `converge serve` on PostgreSQL end to end (CONVERGE_DB=postgres://...): simulated CPEs of the six real data
 * models converge to the example policies and then cost no RPC, as on SQLite; `converge plan --db postgres://...`
 * plans exactly what `converge plan --db <sqlite file>` plans for the same fleet, for the converged folder and
 * for an edited one. Skipped with how to run it when no PostgreSQL is available (fails with
 * CONVERGE_TEST_PG_REQUIRED=1).
 */
import test, { after, before } from "node:test";
import assert from "node:assert/strict";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { deviceIdOf } from "../../src/domain/device.js";
import { runPlan } from "../../src/cli/plan.js";
import { runSession } from "../../src/sim/client.js";
import { SimDevice } from "../../src/sim/device.js";
import { apiClient } from "../support/api-client.js";
import { MODEL_FILES, model } from "../support/fleet-models.js";
import { pgAvailability, startPg, type PgCluster } from "../support/pg-cluster.js";
import { startServeProcess, type ServeProcess } from "../support/serve-process.js";
import { EXAMPLE_POLICIES } from "../support/server.js";

const missing = pgAvailability();
const required = process.env["CONVERGE_TEST_PG_REQUIRED"] === "1";
const skip = missing !== undefined && !required ? missing : false;

let cluster: PgCluster | undefined;
let pgServe: ServeProcess | undefined;
let sqliteServe: ServeProcess | undefined;

before(async () => {
  if (missing !== undefined) return;
  cluster = await startPg();
  [pgServe, sqliteServe] = await Promise.all([
    startServeProcess({ policies: EXAMPLE_POLICIES, env: { CONVERGE_DB: cluster.url } }),
    startServeProcess({ policies: EXAMPLE_POLICIES }),
  ]);
});
after(async () => {
  await Promise.all([pgServe?.close(), sqliteServe?.close()]);
  await cluster?.stop();
});

interface DeviceView {
  device: { status?: { conditions: { type: string; status: boolean }[] } };
}

async function converge(server: ServeProcess, d: SimDevice): Promise<void> {
  const api = apiClient(server.apiUrl);
  for (let i = 0; i < 5; i++) {
    const r = await runSession(d, { acsUrl: server.cwmpUrl, timeoutMs: 10_000, maxMessages: 200 });
    assert.equal(r.ok, true, `session ${i + 1}: ${r.error}`);
    const v = await api<DeviceView>("GET", `/api/devices/${encodeURIComponent(deviceIdOf(d.deviceId))}`);
    assert.equal(v.status, 200);
    if (v.json.device.status?.conditions.some((c) => c.type === "Converged" && c.status)) {
      const again = await runSession(d, { acsUrl: server.cwmpUrl, timeoutMs: 10_000, maxMessages: 200 });
      assert.equal(again.ok, true, again.error);
      assert.deepEqual(again.rpcs, [], "a converged device gets no RPC");
      return;
    }
  }
  assert.fail(`${d.deviceId.serialNumber}: not converged after 5 sessions on ${server.cwmpUrl}`);
}

void test("on PostgreSQL, a fleet of the six models converges to the example policies and then costs no RPC, as on SQLite", { skip }, async () => {
  assert.ok(missing === undefined, missing);
  const [pg, lite] = [pgServe ?? assert.fail(), sqliteServe ?? assert.fail()];
  for (const file of MODEL_FILES)
    for (const n of [1, 2]) {
      const serial = `PG${file.slice(0, 6).toUpperCase()}${n}`;
      // The same fleet on both servers: one simulator per server, same model and serial.
      await Promise.all([
        converge(pg, new SimDevice(model(file), { serialNumber: serial })),
        converge(lite, new SimDevice(model(file), { serialNumber: serial })),
      ]);
    }
  const count = await apiClient(pg.apiUrl)<{ devices: unknown[] }>("GET", "/api/devices?limit=100");
  assert.equal(count.json.devices.length, MODEL_FILES.length * 2);
});

async function plan(dir: string, db: string): Promise<{ code: number; out: unknown }> {
  let stdout = "";
  let stderr = "";
  const code = await runPlan([dir, "--db", db, "--json", "--detailed-exitcode"], { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) }, {});
  assert.equal(stderr, "");
  return { code, out: JSON.parse(stdout) };
}

void test("converge plan --db postgres://... plans the same as on SQLite for the same fleet", { skip }, async () => {
  const [pg, lite] = [pgServe ?? assert.fail(), sqliteServe ?? assert.fail()];
  const edited = join(pg.dir, "edited");
  cpSync(pg.policiesDir, edited, { recursive: true });
  const file = join(edited, "inform-tr098.yaml");
  writeFileSync(file, readFileSync(file, "utf8").replace("PeriodicInformInterval: 3600", "PeriodicInformInterval: 1800"));
  const converged = await plan(pg.policiesDir, cluster?.url ?? assert.fail());
  assert.equal(converged.code, 0, JSON.stringify(converged.out));
  for (const dir of [pg.policiesDir, edited]) {
    const [onPg, onLite] = [await plan(dir, cluster?.url ?? ""), await plan(dir, join(lite.dir, "converge.db"))];
    assert.equal(onPg.code, onLite.code, dir);
    assert.deepEqual(onPg.out, onLite.out, dir);
  }
  assert.equal((await plan(edited, cluster?.url ?? "")).code, 2, "the edit is planned");
});

if (missing !== undefined && required)
  void test("PostgreSQL e2e required", () => {
    throw new Error(`CONVERGE_TEST_PG_REQUIRED=1 but ${missing}`);
  });
