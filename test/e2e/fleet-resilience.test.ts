/**
 * Resilience end to end (issue 5): a device that restarts in the middle of a session resumes and converges on
 * its next Inform; faults injected on one model stay confined to that model (every other device converges).
 */
import test, { after, before } from "node:test";
import assert from "node:assert/strict";
import { deviceIdOf } from "../../src/domain/device.js";
import { SimDevice } from "../../src/sim/device.js";
import { runSession } from "../../src/sim/client.js";
import { EXAMPLE_POLICIES, startTestServer, type TestServer } from "../support/server.js";
import { MODEL_FILES, model } from "../support/fleet-models.js";
import { apiClient } from "../support/api-client.js";

let server: TestServer;
let api: ReturnType<typeof apiClient>;

before(async () => {
  server = await startTestServer({ policies: EXAMPLE_POLICIES });
  api = apiClient(server.apiUrl);
});
after(async () => server.close());

interface View {
  device: { status?: { conditions: { type: string; status: boolean }[] } };
  faults: { code: string; path?: string }[];
}
const view = async (d: SimDevice): Promise<View> => (await api<View>("GET", `/api/devices/${encodeURIComponent(deviceIdOf(d.deviceId))}`)).json;
const condition = (v: View, type: string): boolean | undefined => v.device.status?.conditions.find((c) => c.type === type)?.status;

async function sessions(d: SimDevice, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const r = await runSession(d, { acsUrl: server.cwmpUrl, timeoutMs: 10_000, maxMessages: 200 });
    assert.equal(r.ok, true, `session ${i + 1}: ${r.error}`);
  }
}

void test("a device restarted mid-session (connection dropped after a few messages) resumes and converges on its next Inform", async () => {
  const d = new SimDevice(model("nokia-g1425ga-tr098.csv"), { serialNumber: "RESTART01" });
  // The CPE gives up after 3 POSTs (Inform, empty POST, one answer): the ACS is left mid-session.
  const cut = await runSession(d, { acsUrl: server.cwmpUrl, timeoutMs: 10_000, maxMessages: 3 });
  assert.equal(cut.ok, false);
  assert.equal(cut.error, "too_many_messages");
  // Its next Inform, on a new connection, is accepted (the dead session is superseded) and converges.
  await sessions(d, 3);
  const v = await view(d);
  assert.equal(condition(v, "Converged"), true, JSON.stringify(v.device.status));
  assert.equal(d.get("InternetGatewayDevice.ManagementServer.PeriodicInformInterval")?.value, "3600");
  const again = await runSession(d, { acsUrl: server.cwmpUrl, timeoutMs: 10_000, maxMessages: 200 });
  assert.deepEqual(again.rpcs, []);
});

void test("faults injected on one model stay confined to it: every other model converges", async () => {
  const fleet = MODEL_FILES.flatMap((file, m) => [0, 1, 2].map((i) => ({ file, d: new SimDevice(model(file), { serialNumber: `CONFINE${m}${i}` }) })));
  const FAULTY = "zte-h199a-tr098.csv";
  const PATH = "InternetGatewayDevice.Time.NTPServer1";
  for (const { file, d } of fleet) if (file === FAULTY) d.failPaths.set(PATH, 9007);
  await Promise.all(fleet.map(({ d }) => sessions(d, 3)));
  for (const { file, d } of fleet) {
    const v = await view(d);
    if (file === FAULTY) {
      assert.equal(condition(v, "Faulted"), true, `${file}: ${JSON.stringify(v.device.status)}`);
      assert.ok(
        v.faults.some((f) => f.code === "9007" && f.path === PATH),
        JSON.stringify(v.faults),
      );
      // The rest of its policies still applied.
      assert.equal(d.get("InternetGatewayDevice.ManagementServer.PeriodicInformInterval")?.value, "3600");
      assert.equal(d.get("InternetGatewayDevice.Time.NTPServer2")?.value, "ntp2.isp.example");
    } else {
      assert.equal(condition(v, "Converged"), true, `${file}: ${JSON.stringify(v.device.status)}`);
      assert.equal(condition(v, "Faulted"), false, `${file}: ${JSON.stringify(v.device.status)}`);
    }
  }
});
