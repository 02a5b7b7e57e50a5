/**
 * Staged rollouts end to end (issue 13): 501 simulated CPEs over three real TR-098 models converge to version 1
 * of a policy; version 2 is committed with waves [2%, 20%, 100%] and a short soak. Time is an injected clock.
 *
 * Run 1: one model's CPEs reject the new value (simulator `failValues`). The canary wave holds every model; no
 * device outside it is touched; the faulting model's canaries trip the gate and the rollout pauses with that
 * reason; abort returns the canaries to version 1 and every device ends converged to version 1.
 * Run 2: no fault: the rollout promotes itself wave by wave to 100% and every device ends on version 2.
 */
import test from "node:test";
import assert from "node:assert/strict";
import { deviceIdOf } from "../../src/domain/device.js";
import type { SimDevice } from "../../src/sim/device.js";
import { ManualClock, RolloutFleet, type RolloutJson, type ModelFile } from "../support/rollout-fleet.js";

const PATH = "InternetGatewayDevice.ManagementServer.PeriodicInformInterval";
const MODELS: readonly ModelFile[] = ["huawei-bm632w-tr098.csv", "nokia-g1425ga-tr098.csv", "zte-h199a-tr098.csv"];
const PER_MODEL = 167; // 501 devices
const T0 = Date.parse("2026-12-01T10:00:00Z");
const WRITES = new Set(["SetParameterValues", "AddObject", "DeleteObject", "Download", "Reboot", "FactoryReset"]);

const policy = (interval: number): string => `name: interval
match:
  dataModel: tr098
parameters:
  ${PATH}: ${interval}
rollout:
  waves: [2%, 20%, 100%]
  canaryPerModel: true
  soak: 1m
  gate: { converged: 95%, maxFaulted: 5%, within: 1h }
  onFailure: pause
`;

const interval = (d: SimDevice): string | undefined => d.get(PATH)?.value;
const idOf = (d: SimDevice): string => deviceIdOf(d.deviceId);

async function convergedFleetOnV1(t: { diagnostic(m: string): void }): Promise<RolloutFleet> {
  const fleet = await RolloutFleet.start({ files: { "interval.yaml": policy(3600) }, clock: new ManualClock(T0) });
  MODELS.forEach((m, i) => fleet.add(m, PER_MODEL, `RO${i}`));
  const started = Date.now();
  await fleet.converge();
  t.diagnostic(`${fleet.devices.length} devices converged to v1 in ${Date.now() - started} ms`);
  assert.ok(fleet.devices.every((d) => interval(d) === "3600"));
  return fleet;
}

async function startV2(fleet: RolloutFleet): Promise<RolloutJson> {
  fleet.writePolicy("interval.yaml", policy(1800));
  await fleet.reload();
  const list = await fleet.api<{ rollouts: RolloutJson[] }>("GET", "/api/rollouts?state=running");
  assert.equal(list.body.rollouts.length, 1, "one rollout for the one changed policy");
  const id = list.body.rollouts[0]?.id ?? assert.fail("no rollout");
  const r = await fleet.api<RolloutJson>("GET", `/api/rollouts/${id}?devices=true`);
  assert.equal(r.status, 200);
  return r.body;
}

const status = async (fleet: RolloutFleet, id: string): Promise<RolloutJson> => (await fleet.api<RolloutJson>("GET", `/api/rollouts/${id}`)).body;

void test("a faulting model trips the canary gate: the rollout pauses with that reason, abort returns every device to v1", async (t) => {
  const fleet = await convergedFleetOnV1(t);
  try {
    const faulty = fleet.devices.filter((d) => d.model.identity.productClass === fleet.devices[2 * PER_MODEL]?.model.identity.productClass);
    for (const d of faulty) d.failValues.set(PATH, new Map([["1800", 9007]]));
    const r = await startV2(fleet);
    assert.equal(r.state, "running");
    assert.equal(r.wave, 0);
    const devices = r.devices ?? assert.fail("no assignments");
    assert.equal(devices.length, fleet.devices.length, "every matched device is assigned a wave");
    const canary = new Set(devices.filter((a) => a.wave === 0).map((a) => a.id));
    const models = new Set(fleet.devices.filter((d) => canary.has(idOf(d))).map((d) => d.model.identity.productClass));
    assert.equal(models.size, 3, "the canary wave holds devices of every model");
    assert.ok(canary.size >= Math.ceil(fleet.devices.length * 0.02) && canary.size < 40, `canary wave of ${canary.size}`);

    const results = await fleet.round();
    for (const [d, res] of results) {
      if (canary.has(idOf(d))) continue;
      assert.deepEqual(
        res.rpcs.filter((m) => WRITES.has(m)),
        [],
        `${idOf(d)} outside the canary wave was touched`,
      );
      assert.equal(interval(d), "3600");
    }
    const faultyCanaries = faulty.filter((d) => canary.has(idOf(d)));
    assert.ok(faultyCanaries.length > 0);
    for (const d of fleet.devices.filter((x) => canary.has(idOf(x)) && !faulty.includes(x))) assert.equal(interval(d), "1800", "healthy canaries got v2");

    const paused = await status(fleet, r.id);
    assert.equal(paused.state, "paused", "the gate tripped");
    assert.equal(paused.reason?.kind, "gate-faulted");
    assert.equal(paused.reason?.wave, 0);
    const faultyModel = `${faulty[0]?.model.identity.productClass}/${faulty[0]?.softwareVersion}`;
    assert.deepEqual(paused.reason?.models, [faultyModel], "the reason names the faulting model only");
    assert.deepEqual(new Set(paused.reason?.faults.map((f) => f.deviceId)), new Set(faultyCanaries.map(idOf)), "the reason names the faulted canaries");
    assert.ok(paused.reason?.faults.every((f) => f.code === "9007" && f.path === PATH));
    assert.equal(paused.waves[0]?.faulted, faultyCanaries.length);
    const metrics = await (await fetch(`${fleet.running.apiUrl}/metrics`)).text();
    assert.match(metrics, /^converge_rollout_auto_pauses_total 1$/m);
    assert.match(metrics, new RegExp(`^converge_rollout_state\\{rollout="${r.id}",state="paused"\\} 1$`, "m"));
    assert.match(metrics, new RegExp(`^converge_rollout_devices\\{rollout="${r.id}",wave="1",state="faulted"\\} ${faultyCanaries.length}$`, "m"));

    // Paused: time passing and ticks start no further wave, and no device outside the canary wave is touched.
    fleet.clock.advance(10 * 60_000);
    await fleet.running.rollouts.tick();
    assert.equal((await status(fleet, r.id)).wave, 0);
    const again = await fleet.round();
    for (const [d, res] of again)
      if (!canary.has(idOf(d)))
        assert.deepEqual(
          res.rpcs.filter((m) => WRITES.has(m)),
          [],
        );

    const aborted = await fleet.api<RolloutJson>("POST", `/api/rollouts/${r.id}/abort`);
    assert.equal(aborted.status, 200);
    assert.equal(aborted.body.state, "aborted");
    await fleet.converge();
    assert.deepEqual(fleet.devices.filter((d) => interval(d) !== "3600").map(idOf), [], "every device ends on v1");
    const last = await fleet.round();
    assert.ok(
      [...last.values()].every((res) => res.rpcs.length === 0),
      "every device is converged (a session sends nothing)",
    );
    const conflict = await fleet.api("POST", `/api/rollouts/${r.id}/resume`);
    assert.equal(conflict.status, 409);
  } finally {
    await fleet.close();
  }
});

void test("without the fault the rollout promotes itself wave by wave to 100%, every device ends on v2", async (t) => {
  const fleet = await convergedFleetOnV1(t);
  try {
    const r = await startV2(fleet);
    const waveOf = new Map((r.devices ?? []).map((a) => [a.id, a.wave]));
    for (let wave = 0; wave < 3; wave++) {
      const results = await fleet.round();
      for (const [d, res] of results) {
        const w = waveOf.get(idOf(d)) ?? assert.fail(`${idOf(d)} has no wave`);
        if (w > wave) {
          assert.deepEqual(
            res.rpcs.filter((m) => WRITES.has(m)),
            [],
            `wave ${w} device touched during wave ${wave}`,
          );
          assert.equal(interval(d), "3600");
        } else assert.equal(interval(d), "1800");
      }
      const s = await status(fleet, r.id);
      assert.equal(s.wave, wave);
      assert.equal(s.waves[wave]?.converged, s.waves[wave]?.devices, `wave ${wave} converged`);
      // The soak has not passed: the next wave waits.
      await fleet.running.rollouts.tick();
      assert.equal((await status(fleet, r.id)).wave, wave);
      fleet.clock.advance(61_000);
      await fleet.running.rollouts.tick();
      await fleet.running.rollouts.flushed();
    }
    const done = await status(fleet, r.id);
    assert.equal(done.state, "completed");
    assert.ok((done.events ?? []).some((e) => e.kind === "completed"));
    await fleet.converge();
    assert.deepEqual(fleet.devices.filter((d) => interval(d) !== "1800").map(idOf), [], "every device ends on v2");
    t.diagnostic(`waves: ${done.waves.map((w) => `${w.size}=${w.devices}`).join(", ")}`);
  } finally {
    await fleet.close();
  }
});
