/** TR-069 A.4.1 HoldRequests: with cwmp.holdRequests on, every ACS request carries HoldRequests=true. */
import test, { after, before } from "node:test";
import assert from "node:assert/strict";
import { deviceIdOf } from "../../src/domain/device.js";
import { SimDevice } from "../../src/sim/device.js";
import { runSession } from "../../src/sim/client.js";
import { startTestServer, type TestServer } from "../support/server.js";
import { model } from "../support/fleet-models.js";
import { apiClient } from "../support/api-client.js";

let server: TestServer;
before(async () => {
  server = await startTestServer({ env: { CONVERGE_HOLD_REQUESTS: "true", CONVERGE_CONNREQ_PROVISION: "false" } });
});
after(async () => server.close());

void test("ACS requests carry HoldRequests=true; the InformResponse does not", async () => {
  const d = new SimDevice(model("zte-h199a-tr098.csv"), { serialNumber: "HOLD01" });
  assert.equal((await runSession(d, { acsUrl: server.cwmpUrl, timeoutMs: 5000, maxMessages: 50 })).ok, true);
  const api = apiClient(server.apiUrl);
  const queued = await api("POST", `/api/devices/${encodeURIComponent(deviceIdOf(d.deviceId))}/tasks`, {
    method: "GetParameterValues",
    names: ["InternetGatewayDevice.DeviceInfo.SoftwareVersion"],
  });
  assert.equal(queued.status, 201);
  const r = await runSession(d, { acsUrl: server.cwmpUrl, timeoutMs: 5000, maxMessages: 50, transcript: true });
  assert.equal(r.ok, true, r.error);
  const fromAcs = (r.transcript ?? []).filter((e) => e.from === "acs" && e.body.includes("Envelope"));
  const request = fromAcs.find((e) => e.body.includes("GetParameterValues>") || e.body.includes("GetParameterValues "));
  const informResponse = fromAcs.find((e) => e.body.includes("InformResponse"));
  assert.ok(request && informResponse, JSON.stringify(fromAcs.map((e) => e.body.slice(0, 80))));
  assert.match(request.body, /HoldRequests[^>]*>\s*(1|true)\s*</);
  assert.doesNotMatch(informResponse.body, /HoldRequests/);
});
