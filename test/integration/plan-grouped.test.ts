import { test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { templates } from "../../bench/support/big-store.js";
import type { DeviceId } from "../../src/domain/device.js";
import type { InformFacts, StoreWrite } from "../../src/domain/store.js";
import { planDevice, type DevicePlan, type PlanSettings } from "../../src/plan/device-plan.js";
import { fleetSettings } from "../../src/plan/fleet-settings.js";
import { projectedPlans } from "../../src/plan/projected-plans.js";
import { parallelReport, rowSlices, type PlanJob } from "../../src/plan/parallel-plans.js";
import { fleetReport, partsReport } from "../../src/plan/report.js";
import { loadPolicySet } from "../../src/policy/load.js";
import { keyedHasher } from "../../src/reconcile/parameter-key.js";
import { DEFAULTS } from "../../src/config/config.js";
import { CR_PASSWORD, CR_USERNAME } from "../../src/server/desired-resolver.js";
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
const CODE = PROVISIONING_CODE;
const PINNED = "V5R020C10S115";

// Beyond the examples (whose Wi-Fi SSIDs come from the serial's last four digits and whose passphrase comes from a
// per-device variable file): a policy templated from a reported value, one matching a tag, and one templated from
// the whole device id in `drift: report` (a value no two devices share).
const EXTRA = {
  ...REGION_AND_VIP_POLICIES,
  "label-h199a.yaml": `name: label-h199a
priority: 60
match:
  productClass: ZXHN H199A
drift: report
parameters:
  InternetGatewayDevice.DeviceInfo.ProvisioningCode: "\${device.id | upper}"
`,
};

/**
 * Six models, serials whose last four digits repeat (so the per-device SSID template gives groups of devices), and
 * per stretch of 30 devices a twist (every variation repeats each 180 devices, so devices do share inputs): none, converged or drifted SSIDs, tags, connection-request secrets (shared or
 * the device's own), another firmware version, backoffs, enumerated tables, write-only hashes, faults.
 */
async function mixedFleet(file: string): Promise<DeviceId[]> {
  const models = templates();
  const store = openSqliteStore(file);
  const ids: DeviceId[] = [];
  const hash = keyedHasher(await store.installationKey());
  try {
    for (let i = 0; i < 540; i++) {
      const model = models[i % models.length];
      if (model === undefined) throw new Error("no model");
      const twist = Math.floor(i / 30) % 6;
      const base = model.facts(fleetSerial("grouped", (i % 30) + 10_000 * Math.floor(i / 30)));
      const tr098 = base.dataModel === "tr098";
      const pinned = base.productClass === "EG8145V5" && twist === 5;
      const params = base.parameters.map((p) => (pinned && p.name.endsWith("DeviceInfo.SoftwareVersion") ? { ...p, value: PINNED } : p));
      const code = tr098 && i % 4 !== 3 ? [{ name: CODE, value: ["North-7", "south", "east"][i % 3] ?? "", type: "xsd:string" as const }] : [];
      const facts: InformFacts = { ...base, softwareVersion: pinned ? PINNED : base.softwareVersion, parameters: [...params, ...code] };
      await recordInform(store, facts, NOW - 60_000);
      const id = facts.deviceId;
      ids.push(id);
      const last4 = facts.serialNumber.slice(-4);
      const ssid = tr098 ? `${WLAN}SSID` : "Device.WiFi.SSID.1.SSID";
      const writes: StoreWrite[] = [];
      if (twist === 1) writes.push({ kind: "reported", params: [{ path: ssid, value: `isp-${last4}`, type: "xsd:string" }], observedAt: NOW - 1000 });
      if (twist === 2) writes.push({ kind: "reported", params: [{ path: ssid, value: "neighbour", type: "xsd:string" }], observedAt: NOW - 1000 });
      if (twist === 3) await store.setTags(id, ["vip"], []);
      if (twist === 4) {
        // Half share their credentials (they can group), half have their own (they cannot).
        const own = i % 2 === 0 ? "shared" : id;
        await store.setSecret(id, CR_USERNAME, `user-${own}`);
        await store.setSecret(id, CR_PASSWORD, `pass-${own}`);
      }
      if (twist === 5) {
        if (tr098) writes.push({ kind: "backoff", path: "InternetGatewayDevice.Time.NTPServer3", until: NOW + 3_600_000, code: 9005, attempts: 2 });
        else writes.push({ kind: "writeOnlyHash", path: "Device.WiFi.AccessPoint.1.Security.KeyPassphrase", hash: "h1:stale" });
      }
      if (tr098 && i % 5 === 0) {
        const ppp = "InternetGatewayDevice.WANDevice.1.WANConnectionDevice.1.WANPPPConnection.1.";
        writes.push({ kind: "names", params: [{ path: `${ppp}PortMapping.1.`, writable: true }], discovered: `${ppp}PortMapping.`, observedAt: NOW - 2000 });
        writes.push({
          kind: "reported",
          params: [
            { path: `${ppp}PortMapping.1.ExternalPort`, value: i % 10 === 0 ? "8080" : "9090", type: "xsd:unsignedInt" },
            { path: `${ppp}PortMapping.1.PortMappingProtocol`, value: "TCP", type: "xsd:string" },
          ],
          observedAt: NOW - 2000,
        });
      }
      if (base.productClass === "ZXHN H199A" && i % 4 === 1) {
        // Applied once (its hash remembered), changed since on the device: drift to report, not to revert.
        writes.push({ kind: "writeOnlyHash", path: CODE, hash: hash(id.toUpperCase()) });
        writes.push({ kind: "reported", params: [{ path: CODE, value: "someone else", type: "xsd:string" }], observedAt: NOW - 500 });
      }
      // Differences only some devices of a group have, in the inventory and in reported state alone (no other input).
      const ntp = tr098 ? "InternetGatewayDevice.Time.NTPServer1" : "Device.Time.NTPServer1";
      if (i < 180 && i % 4 === 2) writes.push({ kind: "backoff", path: ntp, until: NOW + 3_600_000, code: 9005, attempts: 1 });
      if (i >= 360 && i % 5 === 1)
        writes.push({ kind: "reported", params: [{ path: ntp, value: "ntp1.isp.example", type: "xsd:string" }], observedAt: NOW - 700 });
      if (i % 9 === 0) writes.push({ kind: "attributes", params: [{ path: ssid, notification: i % 18 === 0 ? 2 : 0 }] });
      if (i % 12 === 5) writes.push({ kind: "fault", fault: { code: "9002", message: "internal error", retryable: true, at: NOW - 100 } });
      if (writes.length > 0) await store.apply(id, writes);
    }
  } finally {
    await store.close();
  }
  return ids.sort();
}

test("the grouped fleet plan is byte for byte the per-device plan: JSON, text and Markdown (mixed fleet of 540; in process and on worker threads)", async () => {
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
      // The settings of `converge plan --db` under the default configuration (the worker threads build the same).
      const settings: PlanSettings = fleetSettings(DEFAULTS, set, keyedHasher(await store.installationKey()), NOW);
      // The reference: every device planned alone, whole (planDevice reads it through the Store port).
      const perDevice: DevicePlan[] = [];
      for (const id of ids) {
        const p = await planDevice({ ...settings, store }, id);
        assert.ok(p);
        perDevice.push(p);
      }
      for (const page of [7, 1000]) {
        const grouped = [...projectedPlans(settings, planReader(db), { page })];
        assert.deepEqual(grouped, perDevice, `page size ${page}`);
        // Grouping happened: far fewer plans were computed than devices planned (stamped plans share theirs).
        const computed = new Set(grouped.map((p) => p.plan)).size;
        assert.ok(computed < (ids.length * 2) / 3, `${computed} plans computed for ${ids.length} devices`);
        assert.ok(computed > 60, `${computed} distinct plans: the fleet is mixed`);
        for (const format of ["json", "text", "markdown"] as const) {
          const options = { format, revision: set.revision, single: false, previews: [] };
          const want = await fleetReport(perDevice, options);
          const got = await fleetReport(grouped, options);
          assert.equal(got.output, want.output, `${format}, page size ${page}`);
        }
      }
      // On worker threads, over row slices of the fleet (several per worker, the last one short), each folded into a
      // report part in row order (not id order): the same report, JSON, text and Markdown.
      const job: PlanJob = {
        file,
        policies: { dir: policies, options: {} },
        revision: set.revision,
        installationKey: await store.installationKey(),
        now: NOW,
        cfg: DEFAULTS,
      };
      const slices = rowSlices(db, 7);
      assert.equal(slices.length, 7);
      const parts = await parallelReport(job, slices, 2);
      assert.equal(parts.length, 7);
      assert.equal(
        parts.reduce((n, p) => n + p.devices, 0),
        ids.length,
      );
      for (const format of ["json", "text", "markdown"] as const) {
        const options = { format, revision: set.revision, single: false, previews: [] };
        assert.equal(partsReport(parts, options).output, (await fleetReport(perDevice, options)).output, `worker threads, ${format}`);
      }
      // Without grouping (and without the desired key) the walk gives the same plans.
      assert.deepEqual([...projectedPlans({ ...settings, desiredKey: undefined }, planReader(db), { group: false })], perDevice);
      // The fleet means something: every policy matches somewhere, devices of one SSID group differ by their twists.
      const matched = new Set(perDevice.flatMap((p) => p.matched));
      for (const name of ["region-tr098", "vip-tr181", "label-h199a", "port-forward-tr098", "wifi-tr098", "wifi-tr181", "firmware-eg8145v5"])
        assert.ok(matched.has(name), name);
      const kinds = new Set(perDevice.flatMap((p) => p.plan?.steps.map((s) => s.kind) ?? []));
      for (const k of ["download", "setValues", "setAttributes", "refresh", "addObject"]) assert.ok(kinds.has(k as never), k);
      assert.ok(
        perDevice.some((p) => p.plan?.notes.some((n) => n.kind === "drift")),
        "some device drifts (drift: report)",
      );
      assert.ok(
        perDevice.some((p) => p.diff.some((d) => d.path.endsWith("ConnectionRequestUsername") && d.policy === "converge:connection-request")),
        "the stored connection-request credentials are desired",
      );
    } finally {
      db.close();
      await store.close();
    }
  } finally {
    t.cleanup();
  }
});
