/** GET /api/devices/:id/explain returns structured JSON (issue 11); the text of `converge explain` stays available. */
import test, { after, before } from "node:test";
import assert from "node:assert/strict";
import { deviceIdOf } from "../../src/domain/device.js";
import { SimDevice } from "../../src/sim/device.js";
import { runSession } from "../../src/sim/client.js";
import { EXAMPLE_POLICIES, startTestServer, type TestServer } from "../support/server.js";
import { model } from "../support/fleet-models.js";

let server: TestServer;
let path: string;

before(async () => {
  server = await startTestServer({ policies: EXAMPLE_POLICIES });
  const d = new SimDevice(model("huawei-eg8145v5-tr098.csv"), { serialNumber: "EXPLAIN0001" });
  const r = await runSession(d, { acsUrl: server.cwmpUrl, timeoutMs: 10_000, maxMessages: 200 });
  assert.equal(r.ok, true, r.error);
  path = `${server.apiUrl}/api/devices/${encodeURIComponent(deviceIdOf(d.deviceId))}/explain`;
});
after(async () => server.close());

interface Explanation {
  device: { id: string };
  matched: { name: string; priority: number }[];
  parameters: { path: string; value: string; writeOnly: boolean; from: { policy: string; file: string; line: number } }[];
  firmware: { version: string; from: { policy: string } } | null;
}

void test("JSON by default: matched policies, each value with provenance, write-only values masked, the firmware pin", async () => {
  const res = await fetch(path);
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /application\/json/);
  const e = (await res.json()) as Explanation;
  assert.equal(e.device.id, "00259E-EG8145V5-EXPLAIN0001");
  assert.ok(e.matched.some((m) => m.name === "wifi-tr098"));
  const psk = e.parameters.find((p) => p.path.endsWith("KeyPassphrase"));
  assert.deepEqual([psk?.value, psk?.writeOnly, psk?.from.policy], ["(secret)", true, "wifi-tr098"]);
  const pii = e.parameters.find((p) => p.path === "InternetGatewayDevice.ManagementServer.PeriodicInformInterval");
  assert.equal(pii?.value, "3600");
  assert.equal(pii?.from.file, "inform-tr098.yaml");
  assert.equal(e.firmware?.from.policy, "firmware-eg8145v5");
});

void test("the text stays available: ?format=text or Accept: text/plain", async () => {
  for (const r of [await fetch(`${path}?format=text`), await fetch(path, { headers: { accept: "text/plain" } })]) {
    assert.equal(r.status, 200);
    assert.match(r.headers.get("content-type") ?? "", /text\/plain/);
    const text = await r.text();
    assert.match(text, /^device 00259E-EG8145V5-EXPLAIN0001 /);
    assert.match(text, /KeyPassphrase = \(write-only, hidden\)/);
  }
  assert.equal((await fetch(`${path}?format=yaml`)).status, 400);
});
