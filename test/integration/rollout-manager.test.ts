// The rollout manager over the real rollout store (SQLite file and PostgreSQL: store-helpers.ts BACKENDS) and real policy sets loaded from folders, on a manual
// clock: superseding commits, a revert to the stable version, automatic rollback, and reopening from the store.
import test from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadPolicySet } from "../../src/policy/load.js";
import type { PolicySet } from "../../src/policy/types.js";
import type { MatchSubject } from "../../src/policy/desired.types.js";
import type { DeviceId } from "../../src/domain/device.js";
import { RolloutManager } from "../../src/rollout/manager.js";
import { openStore } from "../../src/store/open.js";
import { BACKENDS, freshTarget } from "./store-helpers.js";
import { compileStoredVersion } from "../../src/rollout/versions.js";
import { IMMEDIATE } from "../../src/rollout/types.js";

const PATH = "InternetGatewayDevice.ManagementServer.PeriodicInformInterval";
const doc = (interval: number, onFailure = "pause"): string =>
  `name: interval\nmatch: { dataModel: tr098 }\nparameters:\n  ${PATH}: ${interval}\nrollout: { waves: [10%, 100%], canaryPerModel: false, soak: 1m, gate: { converged: 90%, maxFaulted: 0%, within: 1h }, onFailure: ${onFailure} }\n`;

const subject = (i: number): MatchSubject => ({
  deviceId: `00AA00-BOX-S${i}` as DeviceId,
  manufacturer: "ACME",
  oui: "00AA00",
  productClass: "BOX",
  serialNumber: `S${i}`,
  softwareVersion: "1.0",
  hardwareVersion: "1",
  ip: "127.0.0.1",
  connectionRequestUrl: "",
  udpConnectionRequestAddress: "",
  parameterKey: "",
  dataModel: "tr098",
  tags: [],
  parameters: new Map(),
});

const log = { info: () => undefined, warn: () => undefined, error: () => undefined };
const valueFor = (set: PolicySet, m: RolloutManager, f: MatchSubject): string | undefined => {
  const pins = m.pinsFor(f);
  const p = pins?.replace.has("interval") === true ? pins.replace.get("interval") : set.policies.find((x) => x.name === "interval");
  return p?.values[0]?.literal;
};

for (const backend of BACKENDS.filter((b) => b !== "memory")) {
  void test(`[${backend}] superseding, reverting, rolling back, and reopening from the store`, async () => {
    const dir = mkdtempSync(join(tmpdir(), "converge-rm-"));
    const target = await freshTarget(backend);
    const opened = await openStore(target.target);
    try {
      const load = async (name: string, text: string): Promise<PolicySet> => {
        mkdirSync(join(dir, name));
        writeFileSync(join(dir, name, "interval.yaml"), text);
        const r = await loadPolicySet(join(dir, name));
        if (!r.ok) throw new Error(JSON.stringify(r.error));
        return r.value;
      };
      const [v1, v2, v3, back, bad] = [
        await load("v1", doc(3600)),
        await load("v2", doc(1800)),
        await load("v3", doc(900)),
        await load("back", doc(3600)),
        await load("bad", doc(60, "rollback")),
      ];
      const fleet = Array.from({ length: 30 }, (_, i) => subject(i));
      const now = Date.parse("2026-12-01T10:00:00Z");
      const store = opened.rollouts();
      const open = (s = store) =>
        RolloutManager.open({
          store: s,
          fleet: () => fleet.map((facts) => ({ facts })),
          clock: () => now,
          defaultStrategy: IMMEDIATE,
          log,
          compile: (revision, sources) => compileStoredVersion({ revision, sources }),
        });
      const m = await open();

      await m.changed(v1, undefined);
      assert.equal(m.list().length, 0, "the first load starts nothing");
      await m.changed(v2, v1);
      const r1 = m.list()[0] ?? assert.fail("no rollout");
      assert.equal(r1.state, "running");
      const canary = (m.assignments(r1.id) ?? []).filter((a) => a.wave === 0).map((a) => a.deviceId);
      assert.equal(canary.length, 3);
      assert.deepEqual(fleet.map((f) => valueFor(v2, m, f)).filter((v) => v === "1800").length, 3, "only the canaries get v2");

      // A newer commit supersedes: a new rollout from the SAME stable version, fresh assignment.
      const epoch = m.epoch();
      await m.changed(v3, v2);
      const [r2, old] = m.list();
      assert.equal(old?.state, "superseded");
      assert.equal(old?.supersededBy, r2?.id);
      assert.equal(r2?.stableRevision, v1.revision);
      assert.ok(m.epoch() > epoch, "pins changed: the fast path is invalidated");
      const values = fleet.map((f) => valueFor(v3, m, f));
      assert.equal(values.filter((v) => v === "900").length, 3);
      assert.equal(values.filter((v) => v === "3600").length, 27, "devices of the superseded canary that are not canaries now are back on stable");
      assert.equal(values.filter((v) => v === "1800").length, 0, "nobody stays on the superseded canary");

      // Reverting to the stable version closes the rollout: everyone on the folder's (stable) version.
      await m.changed(back, v3);
      assert.equal(m.get(r2?.id ?? "")?.state, "superseded");
      assert.equal(m.pinsFor(fleet[0] ?? assert.fail()), undefined, "no rollout in force");

      // onFailure: rollback: a canary's fault of this policy returns every device to stable.
      await m.changed(bad, back);
      const r3 = m.list()[0] ?? assert.fail();
      const c3 = (m.assignments(r3.id) ?? []).find((a) => a.wave === 0) ?? assert.fail();
      m.sessionEnded({
        deviceId: c3.deviceId,
        converged: false,
        rpcs: ["SetParameterValues"],
        faults: [{ code: "9007", path: PATH, policy: "interval", message: "Invalid parameter value" }],
      });
      assert.equal(m.get(r3.id)?.state, "rolled-back");
      assert.equal(m.autoPauses, 1);
      assert.deepEqual(new Set(fleet.map((f) => valueFor(bad, m, f))), new Set(["3600"]), "every device back on stable");
      assert.deepEqual(
        m.get(r3.id)?.reason?.faults.map((f) => f.deviceId),
        [c3.deviceId],
      );

      // Reopened from the store: the same rollouts, states, pins.
      await m.flushed();
      const again = await open(store);
      assert.deepEqual(
        again.list().map((r) => [r.id, r.state, r.wave, r.stableRevision, r.canaryRevision]),
        m.list().map((r) => [r.id, r.state, r.wave, r.stableRevision, r.canaryRevision]),
      );
      assert.deepEqual(new Set(fleet.map((f) => valueFor(bad, again, f))), new Set(["3600"]));
      assert.deepEqual((await again.storedAssignments(r3.id)).length, 30);
      assert.ok((await again.events(r3.id)).some((e) => e.kind === "rolled-back"));
      await store.close();
    } finally {
      await opened.store.close();
      target.cleanup();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
