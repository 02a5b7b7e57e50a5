/**
 * A mixed fleet with the issue-9 quirks (faultDetailInFaultstring, newInstanceWithoutChildren,
 * firmwareNotApplied, ignoresCrUsername, noParameterKey; the authentication and wire quirks are in quirk-fleet.test.ts) against the example
 * policies: every device ends converged or with its named fault, and no loop: at most one AddObject and one
 * Download per device over all its sessions, every session well inside the RPC bound.
 */
import test, { after, before } from "node:test";
import assert from "node:assert/strict";
import { deviceIdOf } from "../../src/domain/device.js";
import { SimDevice } from "../../src/sim/device.js";
import { runSession } from "../../src/sim/client.js";
import type { SimQuirks } from "../../src/sim/types.js";
import { EXAMPLE_POLICIES, startTestServer, type TestServer } from "../support/server.js";
import { model } from "../support/fleet-models.js";
import { apiClient } from "../support/api-client.js";

let server: TestServer;
let api: ReturnType<typeof apiClient>;
before(async () => {
  server = await startTestServer({ policies: EXAMPLE_POLICIES });
  api = apiClient(server.apiUrl);
});
after(async () => server.close());

interface Member {
  readonly quirks: SimQuirks;
  /** Named faults the device may end with (none: it must converge). */
  readonly faults: readonly string[];
  readonly setup?: (d: SimDevice) => void;
}
const FLEET: Readonly<Record<string, Member>> = {
  none: { quirks: {}, faults: [] },
  faultDetailInFaultstring: {
    quirks: { faultDetailInFaultstring: true },
    faults: ["9008"],
    setup: (d) => d.failPaths.set("InternetGatewayDevice.Time.NTPServer2", 9008),
  },
  newInstanceWithoutChildren: { quirks: { newInstanceWithoutChildren: true }, faults: ["instance_keys_missing"] },
  firmwareNotApplied: { quirks: { firmwareNotApplied: true }, faults: ["firmware_not_applied"] },
  ignoresCrUsername: { quirks: { ignoresCrUsername: true }, faults: [] },
  noParameterKey: { quirks: { noParameterKey: true }, faults: [] },
};

interface View {
  device: { status?: { conditions: { type: string; status: boolean; message: string }[] } };
  faults: { code: string }[];
}

void test("a mixed fleet with every quirk of this branch converges or ends with its named fault, without loops", async () => {
  const members = Object.entries(FLEET).flatMap(([name, m]) =>
    [0, 1].map((i) => {
      const d = new SimDevice(model("huawei-eg8145v5-tr098.csv"), { serialNumber: `QF-${name}-${i}`, quirks: m.quirks });
      m.setup?.(d);
      return { name, m, d };
    }),
  );
  await Promise.all(
    members.map(async ({ name, m, d }) => {
      const rpcs: string[] = [];
      for (let s = 0; s < 5; s++) {
        const r = await runSession(d, { acsUrl: server.cwmpUrl, timeoutMs: 10_000, maxMessages: 200 });
        assert.equal(r.ok, true, `${name} session ${s + 1}: ${r.error}`);
        assert.ok(r.rpcs.length < 40, `${name} session ${s + 1}: ${r.rpcs.length} RPCs`);
        rpcs.push(...r.rpcs);
      }
      assert.ok(rpcs.filter((x) => x === "AddObject").length <= 1, `${name}: ${JSON.stringify(rpcs)}`);
      assert.ok(rpcs.filter((x) => x === "Download").length <= 1, `${name}: ${JSON.stringify(rpcs)}`);
      const v = (await api<View>("GET", `/api/devices/${encodeURIComponent(deviceIdOf(d.deviceId))}`)).json;
      const converged = v.device.status?.conditions.find((c) => c.type === "Converged")?.status === true;
      const codes = new Set(v.faults.map((f) => f.code));
      if (m.faults.length === 0) assert.ok(converged, `${name}: ${JSON.stringify(v.device.status)}`);
      else
        assert.ok(
          m.faults.every((c) => codes.has(c)),
          `${name}: expected ${m.faults.join(", ")}, got ${[...codes].join(", ")}`,
        );
    }),
  );
});
