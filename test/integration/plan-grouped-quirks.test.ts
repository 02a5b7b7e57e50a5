/**
 * The grouped fleet plan (plan/projected-plans.ts) and the per-model quirks (`PlanSettings.quirksFor`): two devices
 * whose plan inputs are identical but for their model's quirks never share a plan. Their desired states have one key
 * (same policies, same data model, no secrets) and their projected reported states are the same; only the model
 * (productClass) differs, and the configuration gives one of them `spvBatchSize: 1`.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { deviceIdOf } from "../../src/domain/device.js";
import { informFacts } from "../../src/session/inform-facts.js";
import { planDevice, type DevicePlan, type PlanSettings } from "../../src/plan/device-plan.js";
import { fleetDesired } from "../../src/plan/fleet-desired.js";
import { projectedPlans } from "../../src/plan/projected-plans.js";
import { loadPolicySet } from "../../src/policy/load.js";
import { DEFAULT_QUIRKS } from "../../src/reconcile/limits.js";
import { keyedHasher } from "../../src/reconcile/parameter-key.js";
import { buildConfig, planLimitsOf } from "../../src/config/config.js";
import { modelSettingsFor } from "../../src/server/model-selector.js";
import { SimDevice } from "../../src/sim/device.js";
import { openDatabase } from "../../src/store/db.js";
import { planReader } from "../../src/store/plan-reader.js";
import { openSqliteStore } from "../../src/store/sqlite-store.js";
import { model } from "../support/fleet-models.js";
import { recordInform } from "../support/record-inform.js";
import { tempDir } from "./store-helpers.js";

const NOW = 1_790_000_000_000;
const POLICIES = fileURLToPath(new URL("../fixtures/quirk-policies/", import.meta.url));
const MS = "InternetGatewayDevice.ManagementServer.";

const sets = (p: DevicePlan | undefined): number[] => (p?.plan?.steps ?? []).flatMap((s) => (s.kind === "setValues" ? [s.values.length] : []));

test("grouped plans: devices that differ only in their model's quirks are planned apart, each as alone", async () => {
  const t = tempDir();
  try {
    const loaded = await loadPolicySet(POLICIES);
    assert.ok(loaded.ok);
    const cfg = buildConfig({}, "quirks:\n  - match: { productClass: ONE-AT-A-TIME }\n    spvBatchSize: 1\n");
    assert.ok(cfg.ok, cfg.ok ? "" : cfg.error.join("\n"));
    const file = join(t.dir, "fleet.db");
    const store = openSqliteStore(file);
    const ids = [];
    for (const productClass of ["ONE-AT-A-TIME", "ALL-AT-ONCE"]) {
      const d = new SimDevice(model("zte-h199a-tr098.csv"), { productClass, serialNumber: "SAME-SERIAL" });
      const facts = { ...informFacts(d.inform(NOW), "10.0.0.1"), connectionRequestUrl: "", udpConnectionRequestAddress: "", parameterKey: "" };
      await recordInform(store, facts, NOW - 60_000);
      // The same reported values on both: each of the policy's three values differs from what the policy wants.
      await store.apply(facts.deviceId, [
        {
          kind: "reported",
          observedAt: NOW - 1_000,
          params: [
            { path: `${MS}PeriodicInformEnable`, value: "true", type: "xsd:boolean" },
            { path: `${MS}PeriodicInformTime`, value: "2020-01-01T00:00:00Z", type: "xsd:dateTime" },
            { path: `${MS}PeriodicInformInterval`, value: "60", type: "xsd:unsignedInt" },
          ],
        },
      ]);
      ids.push(deviceIdOf(d.deviceId));
    }
    const perModel = modelSettingsFor(cfg.value);
    const fleet = fleetDesired(loaded.value, { provisionConnReq: false });
    const settings: PlanSettings = {
      desired: fleet.desired,
      desiredKey: fleet.key,
      limits: planLimitsOf(cfg.value.limits),
      quirks: DEFAULT_QUIRKS,
      quirksFor: (m) => perModel(m).quirks,
      now: NOW,
      hashWriteOnly: keyedHasher(await store.installationKey()),
    };
    const db = openDatabase(file);
    try {
      const alone = await Promise.all(ids.map((id) => planDevice({ ...settings, store }, id)));
      assert.deepEqual(alone.map(sets), [[1, 1, 1], [3]]);
      const grouped = [...projectedPlans(settings, planReader(db))];
      const byId = new Map(grouped.map((p) => [p.deviceId, p]));
      assert.deepEqual(
        ids.map((id) => sets(byId.get(id))),
        [[1, 1, 1], [3]],
      );
      assert.deepEqual(
        ids.map((id) => byId.get(id)),
        alone,
      );
    } finally {
      db.close();
      await store.close();
    }
  } finally {
    t.cleanup();
  }
});
