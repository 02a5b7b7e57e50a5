/**
 * A restart mid-rollout resumes at the same wave with the same assignments and counts (issue 13): the server is
 * stopped after wave 2 started and a new one opens the same database and policies folder. The stable version
 * is compiled again from the stored sources (the folder only holds the canary), so devices of the waves not
 * yet started keep getting version 1; the rollout then continues to completion.
 */
import test from "node:test";
import assert from "node:assert/strict";
import { deviceIdOf } from "../../src/domain/device.js";
import type { SimDevice } from "../../src/sim/device.js";
import { ManualClock, RolloutFleet, type RolloutJson } from "../support/rollout-fleet.js";

const PATH = "InternetGatewayDevice.ManagementServer.PeriodicInformInterval";
const policy = (interval: number): string => `name: interval
match: { dataModel: tr098 }
parameters:
  ${PATH}: ${interval}
rollout:
  waves: [10%, 50%, 100%]
  soak: 1m
  gate: { converged: 90%, maxFaulted: 10%, within: 1h }
`;
const interval = (d: SimDevice): string | undefined => d.get(PATH)?.value;
const idOf = (d: SimDevice): string => deviceIdOf(d.deviceId);

void test("a restart mid-rollout keeps the wave, the assignments and the counts, and serves the stable version it stored", async () => {
  const fleet = await RolloutFleet.start({ files: { "interval.yaml": policy(3600) }, clock: new ManualClock(Date.parse("2026-12-01T10:00:00Z")) });
  try {
    fleet.add("huawei-bm632w-tr098.csv", 20, "RS0");
    fleet.add("nokia-g1425ga-tr098.csv", 20, "RS1");
    fleet.add("zte-h199a-tr098.csv", 20, "RS2");
    await fleet.converge();
    fleet.writePolicy("interval.yaml", policy(1800));
    await fleet.reload();
    const [started] = (await fleet.api<{ rollouts: RolloutJson[] }>("GET", "/api/rollouts")).body.rollouts;
    const id = started?.id ?? assert.fail("no rollout");
    await fleet.round();
    fleet.clock.advance(61_000);
    await fleet.running.rollouts.tick();
    await fleet.round();
    const before = (await fleet.api<RolloutJson>("GET", `/api/rollouts/${id}?devices=true`)).body;
    assert.equal(before.wave, 1);
    assert.equal(before.state, "running");
    assert.ok((before.waves[1]?.converged ?? 0) > 0);

    await fleet.restart();

    const after = (await fleet.api<RolloutJson>("GET", `/api/rollouts/${id}?devices=true`)).body;
    assert.equal(after.wave, before.wave);
    assert.equal(after.state, before.state);
    assert.deepEqual(after.waves, before.waves, "same per-wave counts");
    const sort = (r: RolloutJson) => [...(r.devices ?? [])].sort((a, b) => (a.id < b.id ? -1 : 1));
    assert.deepEqual(sort(after), sort(before), "same assignments and device states");
    assert.equal((await fleet.api<{ rollouts: RolloutJson[] }>("GET", "/api/rollouts")).body.rollouts.length, 1, "the restart started no new rollout");

    const policies = (
      await fleet.api<{
        policies: { name: string; stableRevision: string | null; canaryRevision: string | null; rollout: { id: string; state: string; wave: number } | null }[];
      }>("GET", "/api/policies")
    ).body.policies;
    assert.deepEqual(
      policies.find((p) => p.name === "interval"),
      {
        name: "interval",
        file: "interval.yaml",
        priority: 0,
        matches: 60,
        stableRevision: after.stableRevision,
        canaryRevision: after.canaryRevision,
        rollout: { id, state: "running", wave: 1, waves: 3 },
      },
    );

    // A device of the last wave is still pinned to the stable version, compiled from the stored sources.
    const waveOf = new Map((after.devices ?? []).map((a) => [a.id, a.wave]));
    const late = fleet.devices.find((d) => waveOf.get(idOf(d)) === 2) ?? assert.fail("no wave-3 device");
    const explain = JSON.stringify((await fleet.api("GET", `/api/devices/${encodeURIComponent(idOf(late))}/explain`)).body);
    assert.match(explain, /3600/);
    assert.doesNotMatch(explain, /1800/);
    const detail = (await fleet.api<{ versions: { policy: string; pinned: string }[] }>("GET", `/api/devices/${encodeURIComponent(idOf(late))}`)).body;
    assert.deepEqual(
      detail.versions.map((v) => [v.policy, v.pinned]),
      [["interval", after.stableRevision]],
    );

    const results = await fleet.round();
    for (const [d, r] of results) {
      const w = waveOf.get(idOf(d));
      if (w === 2) {
        assert.equal(interval(d), "3600");
        assert.ok(!r.rpcs.includes("SetParameterValues"));
      } else assert.equal(interval(d), "1800");
    }
    fleet.clock.advance(61_000);
    await fleet.running.rollouts.tick();
    await fleet.round();
    fleet.clock.advance(61_000);
    await fleet.running.rollouts.tick();
    await fleet.running.rollouts.flushed();
    assert.equal((await fleet.api<RolloutJson>("GET", `/api/rollouts/${id}`)).body.state, "completed");
    assert.ok(fleet.devices.every((d) => interval(d) === "1800"));
  } finally {
    await fleet.close();
  }
});
