/**
 * A firmware campaign with a maintenance window (issue 13): version 2 of a policy adds a firmware image and a
 * new value, rolled out with `window: 02:00-04:00 UTC`. On an injected clock: outside the window the value goes
 * out at once but no CPE is sent a Download; inside it every CPE downloads, reboots, informs the new
 * SoftwareVersion and only then counts as converged; the rollout then completes.
 */
import test from "node:test";
import assert from "node:assert/strict";
import { ManualClock, RolloutFleet, type RolloutJson } from "../support/rollout-fleet.js";

const PATH = "InternetGatewayDevice.ManagementServer.PeriodicInformInterval";
const NEW = "V5R020C10S115";
const base = (interval: number): string => `name: eg8145v5
match: { productClass: EG8145V5 }
parameters:
  ${PATH}: ${interval}
`;
const v1 = `${base(3600)}rollout: immediate\n`;
const v2 = `${base(1800)}firmware:
  version: ${NEW}
  url: http://127.0.0.1:9/files/${NEW}.bin
  fileSize: 1024
rollout:
  waves: [100%]
  soak: 0s
  gate: { converged: 100%, maxFaulted: 0%, within: 2d }
  window: { days: [mon, tue, wed, thu, fri, sat, sun], from: "02:00", to: "04:00", tz: UTC }
`;

void test("a firmware campaign downloads only inside its maintenance window; values go out at once", async () => {
  const clock = new ManualClock(Date.parse("2026-12-01T10:00:00Z"));
  const fleet = await RolloutFleet.start({ files: { "fw.yaml": v1 }, clock });
  try {
    const devices = fleet.add("huawei-eg8145v5-tr098.csv", 20, "FW");
    const old = devices[0]?.softwareVersion;
    assert.notEqual(old, NEW);
    await fleet.converge();
    fleet.writePolicy("fw.yaml", v2);
    await fleet.reload();
    const [r] = (await fleet.api<{ rollouts: RolloutJson[] }>("GET", "/api/rollouts")).body.rollouts;
    const id = r?.id ?? assert.fail("the firmware change started no rollout");

    // Outside the window, across several visits and hours: the value, never a Download.
    for (const hour of ["10:00", "13:00", "23:59", "01:59"]) {
      clock.now = Date.parse(`${hour === "01:59" ? "2026-12-02" : "2026-12-01"}T${hour}:00Z`);
      const results = await fleet.round();
      for (const [d, res] of results) {
        assert.ok(!res.rpcs.includes("Download"), `${d.deviceId.serialNumber} got a Download at ${hour} UTC, outside the window`);
        assert.equal(d.softwareVersion, old);
        assert.equal(d.get(PATH)?.value, "1800", "non-disruptive values go out at once");
      }
      await fleet.running.rollouts.tick();
    }
    const held = (await fleet.api<RolloutJson>("GET", `/api/rollouts/${id}`)).body;
    assert.equal(held.state, "running");
    assert.equal(held.waves[0]?.converged, 0, "a device waiting for its firmware is not converged");
    const plan = (
      await fleet.api<{ plan?: { notes?: { kind: string; what?: string }[] } }>(
        "GET",
        `/api/devices/${encodeURIComponent(`${devices[0]?.deviceId.oui}-EG8145V5-FW00000`)}/plan`,
      )
    ).body;
    assert.match(JSON.stringify(plan), /maintenance window/);

    // Inside the window: every device downloads, reboots and informs the new version.
    clock.now = Date.parse("2026-12-02T02:30:00Z");
    const inside = await fleet.round();
    assert.ok(
      [...inside.values()].every((res) => res.rpcs.includes("Download")),
      "every device downloads inside the window",
    );
    await fleet.converge();
    assert.ok(devices.every((d) => d.softwareVersion === NEW));
    await fleet.running.rollouts.tick();
    await fleet.running.rollouts.flushed();
    const done = (await fleet.api<RolloutJson>("GET", `/api/rollouts/${id}`)).body;
    assert.equal(done.state, "completed", JSON.stringify(done.waves));
  } finally {
    await fleet.close();
  }
});
