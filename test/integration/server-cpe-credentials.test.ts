/**
 * Per-device CPE credentials: a device authenticates with its device id as username and the password set for it
 * through the API (stored server-side), beside or instead of shared credentials.
 */
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
  // Digest with no shared credentials: only devices given their own password get in.
  server = await startTestServer({ env: { CONVERGE_CPE_AUTH: "digest", CONVERGE_CONNREQ_PROVISION: "false" } });
});
after(async () => server.close());

const session = (d: SimDevice, username: string, password: string) =>
  runSession(d, { acsUrl: server.cwmpUrl, timeoutMs: 5000, maxMessages: 50, auth: { username, password, scheme: "digest" } });

void test("a device with its own password (set before it ever informed) gets in; a wrong one or another device's does not", async () => {
  const api = apiClient(server.apiUrl);
  const a = new SimDevice(model("zte-h199a-tr098.csv"), { serialNumber: "PERDEV-A" });
  const b = new SimDevice(model("zte-h199a-tr098.csv"), { serialNumber: "PERDEV-B" });
  const idA = deviceIdOf(a.deviceId);
  const idB = deviceIdOf(b.deviceId);
  assert.equal((await api("PUT", `/api/devices/${encodeURIComponent(idA)}/cpe-credentials`, { password: "pass-of-device-a" })).status, 204);
  assert.equal((await api("PUT", `/api/devices/not-an-id/cpe-credentials`, { password: "whatever-long" })).status, 400);

  const ok = await session(a, idA, "pass-of-device-a");
  assert.equal(ok.ok, true, ok.error);
  const wrong = await session(a, idA, "not-the-password");
  assert.equal(wrong.error, "auth_failed");
  const stranger = await session(b, idA, "pass-of-device-a");
  assert.equal(stranger.ok, false, "B cannot inform with A's credentials");
  assert.equal(stranger.error, "http_403");
  const unknown = await session(b, idB, "anything-at-all");
  assert.equal(unknown.error, "auth_failed");
  assert.equal((await api("GET", "/api/health")).status, 200);
});
