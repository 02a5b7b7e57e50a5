/**
 * #10.4: a large reload runs off the event loop. While a real server loads and compiles a 60,000-key policy (in
 * its worker thread), simulated CPEs keep completing whole sessions and the API keeps answering. Before, the load
 * ran on the event loop: nothing was answered until it finished (150,000 keys froze CWMP and the API 13 minutes).
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, it } from "node:test";
import { runSession } from "../../src/sim/client.js";
import { SimDevice } from "../../src/sim/device.js";
import { model } from "../support/fleet-models.js";
import { startTestServer, type TestServer } from "../support/server.js";

let s: TestServer;
before(async () => {
  s = await startTestServer({ env: { CONVERGE_CONNREQ_PROVISION: "false" } });
});
after(async () => s.close());

it("sessions and API requests are answered while a 60,000-key policy reloads", async () => {
  const lines = ["name: big", "match:", "  productClass: NO-SUCH-MODEL", "parameters:"];
  for (let i = 0; i < 60_000; i++) lines.push(`  InternetGatewayDevice.X_Vendor.Param${i}: v${i}`);
  writeFileSync(join(s.policiesDir, "big.yaml"), `${lines.join("\n")}\n`);
  const device = new SimDevice(model("zte-h199a-tr098.csv"), { serialNumber: "OFFTHREAD1" });
  assert.equal((await runSession(device, { acsUrl: s.cwmpUrl, timeoutMs: 10_000, maxMessages: 50 })).ok, true);

  let reloaded = false;
  const reload = fetch(`${s.apiUrl}/api/policies/reload`, { method: "POST" }).then(async (r) => {
    reloaded = true;
    return { status: r.status, body: (await r.json()) as { revision?: string } };
  });
  let sessionsDuring = 0;
  let healthDuring = 0;
  while (!reloaded) {
    const r = await runSession(device, { acsUrl: s.cwmpUrl, timeoutMs: 30_000, maxMessages: 50 });
    assert.equal(r.ok, true, r.error);
    if (!reloaded) sessionsDuring++;
    const h = await fetch(`${s.apiUrl}/api/health`);
    assert.equal(h.status, 200);
    if (!reloaded) healthDuring++;
  }
  const done = await reload;
  assert.equal(done.status, 200, JSON.stringify(done.body));
  const policies = (await (await fetch(`${s.apiUrl}/api/policies`)).json()) as { revision: string; policies: { name: string }[] };
  assert.deepEqual(
    policies.policies.map((p) => p.name),
    ["big"],
  );
  assert.ok(sessionsDuring >= 5 && healthDuring >= 5, `${sessionsDuring} sessions and ${healthDuring} health answers completed during the reload`);
});
