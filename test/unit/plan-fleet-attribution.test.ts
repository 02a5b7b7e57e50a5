/**
 * `converge plan`'s by-policy summary counts each step for the policy that caused it (issue 11): a firmware pin
 * shows under its own policy, a prune under the policy that declares the table, and a device's Wi-Fi set under
 * the Wi-Fi policy only; every listed step carries its policies and the revision.
 */
import test from "node:test";
import assert from "node:assert/strict";
import type { DeviceId } from "../../src/domain/device.js";
import type { DevicePlan } from "../../src/plan/device-plan.js";
import { createAccumulator, deviceChange } from "../../src/plan/fleet-plan.js";
import { renderText } from "../../src/plan/render.js";

const from = (policy: string) => ({ policy, file: `${policy}.yaml`, line: 3 });

const device: DevicePlan = {
  deviceId: "00259E-EG8145V5-S1" as DeviceId,
  productClass: "EG8145V5",
  revision: "abc123",
  matched: ["firmware", "wifi", "port-forward", "inform"],
  diff: [],
  plan: {
    converged: false,
    parameterKey: "cv1-x",
    notes: [],
    steps: [
      { kind: "refresh", paths: ["A.B"], reason: "stale" },
      { kind: "deleteObject", object: "T.5.", from: from("port-forward") },
      { kind: "setValues", values: [{ name: "W.SSID", value: "isp", type: "xsd:string" }], from: [from("wifi")] },
      { kind: "setAttributes", attributes: [{ path: "W.SSID", notification: 2 }], from: [from("wifi")] },
      { kind: "download", version: "2.0", url: "http://fw/2.bin", fileSize: 1, commandKey: "fw-1", from: from("firmware") },
    ],
  },
};

void test("each step counts for its own policy; a matched policy that causes nothing is not in the table", () => {
  const acc = createAccumulator();
  const c = deviceChange(device);
  acc.accumulate(device, c);
  const s = acc.summary();
  assert.deepEqual(Object.keys(s.byPolicy).sort(), ["firmware", "port-forward", "wifi"]);
  assert.equal(s.byPolicy["firmware"]?.steps.download, 1);
  assert.equal(s.byPolicy["firmware"]?.steps.setValues, 0, "the Wi-Fi set is not the firmware policy's");
  assert.equal(s.byPolicy["firmware"]?.disruptive, 1);
  assert.equal(s.byPolicy["port-forward"]?.steps.deleteObject, 1);
  assert.equal(s.byPolicy["port-forward"]?.steps.download, 0);
  assert.deepEqual(s.byPolicy["wifi"]?.steps, { deleteObject: 0, addObject: 0, setValues: 1, setAttributes: 1, download: 0, reboot: 0 });
  assert.equal(s.byPolicy["wifi"]?.disruptive, 0, "the Wi-Fi policy causes nothing disruptive on this device");
  assert.deepEqual(
    c.writes.map((w) => [w.kind, w.policies, w.revision]),
    [
      ["deleteObject", ["port-forward"], "abc123"],
      ["setValues", ["wifi"], "abc123"],
      ["setAttributes", ["wifi"], "abc123"],
      ["download", ["firmware"], "abc123"],
    ],
  );
  assert.match(renderText(s, [c], "abc123"), /DOWNLOAD firmware 2\.0 from http:\/\/fw\/2\.bin \[firmware\]/);
});

void test("plan lists drift: report drift per device (not a change, never reverted) and counts the devices", () => {
  const drifted: DevicePlan = {
    ...device,
    plan: {
      converged: false,
      parameterKey: "cv1-x",
      steps: [],
      notes: [
        { kind: "drift", path: "W.Channel", desired: "6", reported: "11", healed: false },
        { kind: "drift", path: "W.SSID", desired: "a", reported: "b", healed: true },
      ],
    },
  };
  const acc = createAccumulator();
  const c = deviceChange(drifted);
  acc.accumulate(drifted, c);
  assert.deepEqual(c.drift, [{ path: "W.Channel", desired: "6", reported: "11" }], "healed drift is a write, not report-mode drift");
  assert.equal(acc.summary().drifted, 1);
  assert.equal(acc.summary().changing, 0);
  const text = renderText(acc.summary(), [c], "abc123");
  assert.match(text, /drift \(report: not reverted\) W\.Channel: device has "11", policy wants "6"/);
  assert.match(text, /1 device\(s\) drifted/);
});
