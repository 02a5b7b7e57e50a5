import { test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { templates } from "../../bench/support/big-store.js";
import type { DeviceId } from "../../src/domain/device.js";
import type { InformFacts, StoreWrite } from "../../src/domain/store.js";
import { planDevice, type PlanSettings } from "../../src/plan/device-plan.js";
import { projectedPlans } from "../../src/plan/projected-plans.js";
import { loadPolicySet } from "../../src/policy/load.js";
import { DEFAULT_QUIRKS } from "../../src/reconcile/limits.js";
import { keyedHasher } from "../../src/reconcile/parameter-key.js";
import { DEFAULTS, planLimitsOf } from "../../src/config/config.js";
import { createDesiredResolver } from "../../src/server/desired-resolver.js";
import { fleetSerial } from "../../src/sim/fleet.js";
import { openDatabase } from "../../src/store/db.js";
import { planReader } from "../../src/store/plan-reader.js";
import { openSqliteStore } from "../../src/store/sqlite-store.js";
import { recordInform } from "../support/record-inform.js";
import { PROVISIONING_CODE, REGION_AND_VIP_POLICIES } from "../support/plan-test-policies.js";
import { tempDir } from "./store-helpers.js";

const EXAMPLES = fileURLToPath(new URL("../../policies", import.meta.url));
const NOW = 1_790_000_000_000;
const WLAN = "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.";
const PPP = "InternetGatewayDevice.WANDevice.1.WANConnectionDevice.1.WANPPPConnection.1.";
const CODE = PROVISIONING_CODE;

// Beyond the examples: a policy that matches on a reported value and templates another (the projection must
// learn both paths), and one that matches a tag.
const EXTRA = REGION_AND_VIP_POLICIES;

/** Six models, each device with its own twist: drifted or converged values, faults, tags, tables, names. */
async function mixedFleet(file: string): Promise<DeviceId[]> {
  const models = templates();
  const store = openSqliteStore(file);
  const ids: DeviceId[] = [];
  try {
    for (let i = 0; i < 48; i++) {
      const model = models[i % models.length];
      if (model === undefined) throw new Error("no model");
      const base = model.facts(fleetSerial("projected", i));
      const tr098 = base.dataModel === "tr098";
      const extra = tr098 && i % 4 !== 3 ? [{ name: CODE, value: ["North-7", "south", "east"][i % 3] ?? "", type: "xsd:string" as const }] : [];
      const facts: InformFacts = { ...base, parameters: [...base.parameters, ...extra] };
      await recordInform(store, facts, NOW - 60_000);
      const id = facts.deviceId;
      ids.push(id);
      const writes: StoreWrite[] = [];
      const last4 = facts.serialNumber.slice(-4);
      if (tr098) {
        // Converged, drifted or unread SSID; a name learnt by GetParameterNames; the port-forward table.
        if (i % 3 === 0)
          writes.push({ kind: "reported", params: [{ path: `${WLAN}SSID`, value: `isp-${last4}`, type: "xsd:string" }], observedAt: NOW - 1000 });
        if (i % 3 === 1) writes.push({ kind: "reported", params: [{ path: `${WLAN}SSID`, value: "neighbour", type: "xsd:string" }], observedAt: NOW - 1000 });
        if (i % 3 === 2)
          writes.push({
            kind: "names",
            params: [
              { path: `${WLAN}SSID`, writable: true },
              { path: `${WLAN}Channel`, writable: false },
            ],
            discovered: WLAN,
            observedAt: NOW - 5000,
          });
        if (i % 2 === 0) {
          // The table enumerated (fresh): instance 1 is matched by its key values, or not.
          writes.push({ kind: "names", params: [{ path: `${PPP}PortMapping.1.`, writable: true }], discovered: `${PPP}PortMapping.`, observedAt: NOW - 2000 });
          if (i % 4 === 0) writes.push({ kind: "objectAdded", path: `${PPP}PortMapping.1.`, createdByUs: true, observedAt: NOW - 2000 });
          writes.push({
            kind: "reported",
            params: [
              { path: `${PPP}PortMapping.1.ExternalPort`, value: i % 8 === 0 ? "8080" : "9090", type: "xsd:unsignedInt" },
              { path: `${PPP}PortMapping.1.PortMappingProtocol`, value: "TCP", type: "xsd:string" },
            ],
            observedAt: NOW - 2000,
          });
        }
        if (i % 5 === 0) writes.push({ kind: "backoff", path: "InternetGatewayDevice.Time.NTPServer3", until: NOW + 3_600_000, code: 9005, attempts: 2 });
        if (i % 7 === 0) writes.push({ kind: "attributes", params: [{ path: `${WLAN}SSID`, notification: 2 }] });
      } else {
        if (i % 2 === 0)
          writes.push({ kind: "reported", params: [{ path: "Device.WiFi.SSID.1.SSID", value: `isp-${last4}`, type: "xsd:string" }], observedAt: NOW - 1000 });
        if (i % 3 === 0) writes.push({ kind: "writeOnlyHash", path: "Device.WiFi.AccessPoint.1.Security.KeyPassphrase", hash: "h1:stale" });
        if (i % 4 === 1) await store.setTags(id, ["vip"], []);
      }
      if (i % 6 === 5) writes.push({ kind: "fault", fault: { code: "9002", message: "internal error", retryable: true, at: NOW - 100 } });
      if (writes.length > 0) await store.apply(id, writes);
    }
  } finally {
    await store.close();
  }
  return ids.sort();
}

test("the streamed, projected fleet plan equals the per-device plan of every device, in the same order (mixed fleet)", async () => {
  const t = tempDir();
  try {
    const policies = join(t.dir, "policies");
    cpSync(EXAMPLES, policies, { recursive: true });
    for (const [name, text] of Object.entries(EXTRA)) writeFileSync(join(policies, name), text);
    const loaded = await loadPolicySet(policies);
    assert.ok(loaded.ok, loaded.ok ? "" : JSON.stringify(loaded.error.filter((e) => e.severity === "error")));
    const set = loaded.value;
    const file = join(t.dir, "fleet.db");
    const ids = await mixedFleet(file);
    const store = openSqliteStore(file);
    const db = openDatabase(file);
    try {
      const settings: PlanSettings = {
        desired: createDesiredResolver({ current: () => set, provisionConnReq: "existing" }),
        limits: planLimitsOf(DEFAULTS.limits),
        quirks: DEFAULT_QUIRKS,
        now: NOW,
        hashWriteOnly: keyedHasher(await store.installationKey()),
      };
      const perDevice = [];
      for (const id of ids) perDevice.push(await planDevice({ ...settings, store }, id));
      for (const page of [5, 1000]) {
        const projected = [...projectedPlans(settings, planReader(db), { page })];
        assert.deepEqual(
          projected.map((p) => p.deviceId),
          ids,
        );
        assert.deepEqual(projected, perDevice, `page size ${page}`);
      }
      // The fleet is mixed enough to mean something: every policy matches somewhere, plans differ.
      const matched = new Set(perDevice.flatMap((p) => p?.matched ?? []));
      for (const name of ["region-tr098", "vip-tr181", "port-forward-tr098", "wifi-tr098", "firmware-eg8145v5"]) assert.ok(matched.has(name), name);
      const shapes = new Set(perDevice.map((p) => JSON.stringify({ steps: p?.plan?.steps.map((s) => s.kind), notes: p?.plan?.notes.map((n) => n.kind) })));
      assert.ok(shapes.size >= 6, `${shapes.size} distinct plan shapes`);
    } finally {
      db.close();
      await store.close();
    }
  } finally {
    t.cleanup();
  }
});
