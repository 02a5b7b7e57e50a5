// The example policies in policies/ validate clean, and on each of the six real devices they only write paths
// that device has and may write (the simulator enforces writability from these same CSVs).
import test from "node:test";
import type { DeviceId } from "../../src/domain/device.js";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { runValidate } from "../../src/cli/validate.js";
import { loadPolicySet } from "../../src/policy/load.js";
import { desiredStateFor } from "../../src/policy/desired.js";
import { deviceIdOf } from "../../src/domain/device.js";
import { loadDataModel } from "../../src/datamodel/load.js";
import type { MatchSubject } from "../../src/policy/desired.types.js";

const POLICIES = fileURLToPath(new URL("../../policies/", import.meta.url));
const MODELS = new URL("../fixtures/datamodels/", import.meta.url);

void test("converge validate policies/ exits 0 with no findings", async () => {
  let out = "";
  const code = await runValidate([POLICIES, "--strict"], { stdout: (s) => (out += s), stderr: (s) => (out += s), env: {} });
  assert.equal(code, 0, out);
  assert.match(out, /: 9 policies, 0 errors, 0 warnings \(revision /);
});

// [csv, policies expected to match, whether a firmware download is desired]
const DEVICES = [
  ["huawei-eg8145v5-tr098.csv", ["firmware-eg8145v5", "wifi-tr098", "port-forward-tr098", "inform-tr098", "ntp-tr098"], true],
  ["huawei-bm632w-tr098.csv", ["wifi-bm632w", "inform-tr098", "ntp-tr098"], false],
  ["nokia-g1425ga-tr098.csv", ["wifi-tr098", "port-forward-tr098", "inform-tr098", "ntp-tr098"], false],
  ["zte-h199a-tr098.csv", ["wifi-tr098", "inform-tr098", "ntp-tr098"], false],
  ["tplink-ec220g5v3-tr181.csv", ["wifi-tr181", "inform-tr181", "ntp-tr181"], false],
  ["tplink-ex220-tr181.csv", ["wifi-tr181", "inform-tr181", "ntp-tr181"], false],
] as const;

for (const [csv, matched, firmware] of DEVICES) {
  void test(`examples on ${csv}: expected policies, only writable paths, every template resolves`, async () => {
    const model = loadDataModel(new URL(csv, MODELS));
    const get = (p: string): string => model.nodes[model.index.get(model.root + p) ?? -1]?.value ?? "";
    const facts: MatchSubject = {
      deviceId: deviceIdOf(model.identity),
      ip: "",
      connectionRequestUrl: "",
      udpConnectionRequestAddress: "",
      parameterKey: "",
      ...model.identity,
      softwareVersion: get("DeviceInfo.SoftwareVersion"),
      hardwareVersion: get("DeviceInfo.HardwareVersion"),
      dataModel: model.kind,
      tags: [],
      parameters: new Map(model.nodes.filter((n) => !n.object).map((n) => [n.path, n.value])),
    };
    const r = await loadPolicySet(POLICIES, { env: {} });
    assert.ok(r.ok);
    const d = desiredStateFor(r.value, facts);
    assert.deepEqual(d.matched, matched);
    assert.deepEqual(d.notes, []);
    assert.equal(d.firmware !== undefined, firmware);
    assert.ok(d.values.length >= 3);
    for (const v of d.values) {
      const node = model.nodes[model.index.get(v.path) ?? -1];
      assert.ok(node !== undefined && !node.object, `${v.path} exists on ${csv}`);
      assert.ok(node.writable, `${v.path} is writable on ${csv}`);
      assert.notEqual(v.value, "");
    }
    for (const t of d.tables) {
      const node = model.nodes[model.index.get(t.table) ?? model.index.get(t.table.slice(0, -1)) ?? -1];
      assert.ok(node?.object && node.writable, `${t.table} is an addable table on ${csv}`);
    }
  });
}

void test("a simulated device with a random serial still resolves every template (vars/wifi.csv has a * row)", async () => {
  const r = await loadPolicySet(POLICIES, { env: {} });
  assert.ok(r.ok);
  const facts: MatchSubject = {
    deviceId: "1C61B4-Device2-SIM000123" as DeviceId,
    ip: "",
    connectionRequestUrl: "",
    udpConnectionRequestAddress: "",
    parameterKey: "",
    manufacturer: "TP-Link",
    oui: "1C61B4",
    productClass: "Device2",
    serialNumber: "SIM000123",
    softwareVersion: "0.14.0",
    hardwareVersion: "",
    dataModel: "tr181",
    tags: [],
    parameters: new Map(),
  };
  const d = desiredStateFor(r.value, facts);
  assert.deepEqual(d.notes, []);
  assert.equal(d.values.find((v) => v.path === "Device.WiFi.SSID.1.SSID")?.value, "isp-0123");
  assert.equal(d.values.find((v) => v.path.endsWith("KeyPassphrase"))?.value, "converge-fleet-default");
});
