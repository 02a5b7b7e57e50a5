/**
 * The console's fleet plan (server/fleet-plan-job.ts) over a real store and policy set: computed in the
 * background in batches (the event loop turns between them), kept per revision, recomputed for a new one.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { openSqliteStore } from "../../src/store/sqlite-store.js";
import { loadPolicySet } from "../../src/policy/load.js";
import { createDesiredResolver } from "../../src/server/desired-resolver.js";
import { createFleetPlanJob } from "../../src/server/fleet-plan-job.js";
import { planLimitsOf, DEFAULTS } from "../../src/config/config.js";
import { DEFAULT_QUIRKS } from "../../src/reconcile/limits.js";
import { keyedHasher } from "../../src/reconcile/parameter-key.js";
import { deviceIdOf } from "../../src/domain/device.js";
import { EXAMPLE_POLICIES } from "../support/server.js";
import { fileURLToPath } from "node:url";
import { facts } from "./store-helpers.js";
import { recordInform } from "../support/record-inform.js";

test("the fleet plan runs in batches off the request, once per revision, and is kept", async () => {
  const loaded = await loadPolicySet(fileURLToPath(EXAMPLE_POLICIES));
  assert.ok(loaded.ok);
  if (!loaded.ok) return;
  const set = loaded.value;
  const store = openSqliteStore(":memory:");
  try {
    for (let i = 0; i < 120; i++) {
      const serial = `P${String(i).padStart(4, "0")}`;
      await recordInform(
        store,
        {
          ...facts(serial),
          deviceId: deviceIdOf({ manufacturer: "Huawei", oui: "00259E", productClass: "EG8145V5", serialNumber: serial }),
          productClass: "EG8145V5",
          serialNumber: serial,
        },
        1,
      );
    }
    const hashWriteOnly = keyedHasher(await store.installationKey());
    let revision = set.revision;
    let clock = 1_000;
    const job = createFleetPlanJob({
      clock: () => clock,
      batch: 10,
      context: () => ({
        revision,
        ctx: {
          store,
          desired: createDesiredResolver({ current: () => set, provisionConnReq: "existing" }),
          limits: planLimitsOf(DEFAULTS.limits),
          quirks: DEFAULT_QUIRKS,
          now: clock,
          hashWriteOnly,
        },
      }),
    });
    const first = job.view();
    assert.equal(first.result, null);
    assert.equal(first.running?.revision, set.revision, "the first view starts the job");
    // The job yields between batches: a turn of the event loop comes before it ends.
    let turned = false;
    setImmediate(() => (turned = true));
    await job.idle();
    assert.equal(turned, true);
    const done = job.view();
    assert.equal(done.running, null, "a fresh result for the serving revision: no new job");
    assert.equal(done.result?.revision, set.revision);
    assert.equal(done.result?.summary.devices, 120);
    assert.equal(done.result?.summary.changing, 120, "every EG8145V5 gets the example policies' values");
    assert.ok((done.result?.summary.byPolicy["wifi-tr098"]?.devices ?? 0) > 0);
    assert.ok((done.result?.devices.length ?? 0) <= 50);
    revision = "sha256:another";
    const again = job.view();
    assert.equal(again.running?.revision, "sha256:another", "a new revision starts a new job");
    assert.equal(again.result?.revision, set.revision, "the old result is shown, marked with its revision, meanwhile");
    await job.idle();
    clock += 61_000;
    assert.equal(job.view().running?.revision, "sha256:another", "a result older than a minute is recomputed");
    await job.idle();
    job.close();
  } finally {
    await store.close();
  }
});
