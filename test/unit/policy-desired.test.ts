import test from "node:test";
import assert from "node:assert/strict";
import { desiredStateFor, matchingPolicies } from "../../src/policy/desired.js";
import type { DesiredState } from "../../src/policy/desired.types.js";
import { eg8145, loadOk } from "../support/policy-fixtures.js";
import { compilePolicy } from "../../src/policy/compile.js";
import { buildPolicySet } from "../../src/policy/policy-set.js";
import type { RawPolicy } from "../../src/policy/raw.js";
import type { Policy } from "../../src/policy/types.js";

const IGD = "InternetGatewayDevice";
const PII = `${IGD}.ManagementServer.PeriodicInformInterval`;
const SSID = `${IGD}.LANDevice.1.WLANConfiguration.1.SSID`;

const policy = (name: string, priority: number, match: string, body: string): string => `name: ${name}\npriority: ${priority}\nmatch: ${match}\n${body}\n`;
const values = (d: DesiredState): Record<string, string> => Object.fromEntries(d.values.map((v) => [v.path, v.value]));

void test("precedence: higher priority wins per path; the rest merges; provenance points at the winner", async () => {
  const set = await loadOk({
    "base.yaml": policy("base", 10, "{}", `parameters:\n  ${PII}: 3600\n  ${SSID}: base`),
    "huawei.yaml": policy("huawei", 100, "{ oui: 00259E }", `parameters:\n  ${PII}: 300`),
  });
  const d = desiredStateFor(set, eg8145());
  assert.deepEqual(d.matched, ["huawei", "base"]);
  assert.deepEqual(values(d), { [PII]: "300", [SSID]: "base" });
  const pii = d.values.find((v) => v.path === PII);
  assert.deepEqual(pii?.from, { policy: "huawei", file: "huawei.yaml", line: 5 });
  assert.deepEqual(
    d.notes.map((n) => [n.kind, n.path]),
    [["shadowed", PII]],
  );
  assert.equal(d.revision, set.revision);
});

void test("equal priority and different values on a device: a conflict note, neither value applied", () => {
  // validate rejects such a set (the selectors overlap), so build the snapshot from compiled policies directly:
  // desiredStateFor must still never pick a winner by name or load order.
  const compile = (raw: RawPolicy, file: string): Policy =>
    compilePolicy(raw, {
      file,
      dm: undefined,
      issues: [],
      siteOf: (pointer) => ({ line: 1, column: 1, pointer }),
      hasVariable: () => false,
      hasSecret: () => false,
    });
  const set = buildPolicySet({
    revision: "r1",
    loadedAt: 0,
    dir: ".",
    warnings: [],
    lookups: { variable: () => undefined, hasVariable: () => false, secret: () => undefined },
    policies: [
      compile({ name: "pb", priority: 10, parameters: { [PII]: 120, [SSID]: "same" } }, "b.yaml"),
      compile({ name: "pa", priority: 10, parameters: { [PII]: 60, [SSID]: "same" } }, "a.yaml"),
    ],
  });
  const d = desiredStateFor(set, eg8145());
  assert.deepEqual(values(d), { [SSID]: "same" });
  assert.deepEqual(
    d.notes.map((n) => [n.kind, n.path, n.from.map((f) => f.policy)]),
    [["conflict", PII, ["pa", "pb"]]],
  );
});

void test("an unresolved template is a note and the value is omitted (never an empty string)", async () => {
  const set = await loadOk({
    "wifi.yaml": policy("wifi", 10, "{}", `parameters:\n  ${SSID}: "isp-\${vars.ssid}"\n  ${PII}: 60`),
    "vars/ssid.csv": "serialNumber,ssid\nKNOWN1,home\n",
  });
  const known = desiredStateFor(set, eg8145({ serialNumber: "KNOWN1" }));
  assert.equal(values(known)[SSID], "isp-home");
  const unknown = desiredStateFor(set, eg8145({ serialNumber: "OTHER" }));
  assert.deepEqual(values(unknown), { [PII]: "60" });
  assert.deepEqual(
    unknown.notes.map((n) => [n.kind, n.path, n.from[0]?.policy]),
    [["unresolved-template", SSID, "wifi"]],
  );
});

void test("tables: instances merge by key across policies; the first declaring policy fixes key and prune", async () => {
  const T = `${IGD}.WANDevice.1.WANConnectionDevice.1.WANPPPConnection.1.PortMapping`;
  const inst = (port: number, client: string): string => `      - { ExternalPort: ${port}, PortMappingProtocol: TCP, InternalClient: ${client} }`;
  const set = await loadOk({
    "hi.yaml": policy(
      "hi",
      100,
      "{}",
      `objects:\n  ${T}:\n    key: [ExternalPort, PortMappingProtocol]\n    prune: true\n    instances:\n${inst(80, "192.168.1.2")}`,
    ),
    "lo.yaml": policy(
      "lo",
      10,
      "{}",
      `objects:\n  ${T}.:\n    key: [ExternalPort, PortMappingProtocol]\n    instances:\n${inst(80, "192.168.1.9")}\n${inst(443, "192.168.1.3")}`,
    ),
  });
  const d = desiredStateFor(set, eg8145());
  assert.equal(d.tables.length, 1);
  const t = d.tables[0];
  assert.equal(t?.table, `${T}.`);
  assert.equal(t?.prune, true);
  assert.deepEqual(t?.keyNames, ["ExternalPort", "PortMappingProtocol"]);
  assert.deepEqual(
    t?.instances.map((i) => [i.key, i.from.policy, i.values.find((v) => v.path === "InternalClient")?.value]),
    [
      [{ ExternalPort: "80", PortMappingProtocol: "TCP" }, "hi", "192.168.1.2"],
      [{ ExternalPort: "443", PortMappingProtocol: "TCP" }, "lo", "192.168.1.3"],
    ],
  );
});

void test("attributes, firmware, ignore, reboot, verify and drift", async () => {
  const set = await loadOk({
    "a.yaml": policy(
      "a",
      20,
      "{}",
      [
        `parameters:\n  ${PII}: 60\n  ${IGD}.Time.NTPServer1: ntp`,
        `attributes:\n  ${SSID}: { notification: active }`,
        "firmware:\n  version: V5R020C10S115\n  url: http://127.0.0.1:7557/files/fw.bin\n  fileSize: 10",
        `ignore: [${IGD}.Time.]`,
        "reboot: { allow: true }\nverify: { every: 15m }\ndrift: report",
      ].join("\n"),
    ),
    "b.yaml": policy("b", 10, "{}", "reboot: { allow: false }"),
  });
  const d = desiredStateFor(set, eg8145());
  assert.deepEqual(values(d), { [PII]: "60" }); // NTPServer1 is under an ignored subtree
  assert.deepEqual(d.ignore, [`${IGD}.Time.`]);
  assert.deepEqual(
    d.attributes.map((a) => [a.path, a.notification]),
    [[SSID, 2]],
  );
  assert.deepEqual(d.firmware && { v: d.firmware.version, t: d.firmware.fileType, s: d.firmware.fileSize, u: d.firmware.username }, {
    v: "V5R020C10S115",
    t: "1 Firmware Upgrade Image",
    s: 10,
    u: "",
  });
  assert.equal(d.allowReboot, true);
  assert.deepEqual(
    d.values.map((v) => [v.drift, v.verifyEveryMs, v.type]),
    [["report", 15 * 60_000, "xsd:unsignedInt"]],
  );
});

void test("values: explicit type, write-only by name and explicit, YAML types", async () => {
  const set = await loadOk({
    "v.yaml": policy(
      "v",
      0,
      "{}",
      [
        "parameters:",
        `  ${IGD}.LANDevice.1.WLANConfiguration.1.KeyPassphrase: secret-ish`,
        `  ${IGD}.X_VENDOR_Thing.Code: { value: "007", type: string }`,
        `  ${IGD}.X_VENDOR_Thing.Token: { value: abc, writeOnly: true }`,
        `  ${IGD}.X_VENDOR_Thing.On: true`,
        `  ${IGD}.X_VENDOR_Thing.Offset: -5`,
      ].join("\n"),
    ),
  });
  const d = desiredStateFor(set, eg8145());
  assert.deepEqual(
    d.values.map((v) => [v.path.split(".").pop(), v.value, v.type, v.writeOnly]),
    [
      ["KeyPassphrase", "secret-ish", "xsd:string", true],
      ["Code", "007", "xsd:string", false],
      ["Token", "abc", "xsd:string", true],
      ["On", "true", "xsd:boolean", false],
      ["Offset", "-5", "xsd:int", false],
    ],
  );
});

void test("matching uses the index but finds every policy a device matches, in precedence order", async () => {
  const files: Record<string, string> = {};
  for (let i = 0; i < 30; i++)
    files[`p${i}.yaml`] = policy(
      `p${String(i).padStart(2, "0")}`,
      i % 3,
      i % 2 === 0 ? `{ oui: "${i % 4 === 0 ? "00259E" : "9075BC"}" }` : `{ productClass: ${i % 3 === 0 ? "EG8145V5" : "X"} }`,
      `parameters:\n  ${IGD}.X_A.P${i}: ${i}`,
    );
  const set = await loadOk(files);
  const got = matchingPolicies(set, eg8145()).map((p) => p.name);
  const brute = set.policies
    .filter((p) => p.selector.fields.oui?.literals.includes("00259e") || p.selector.fields.productClass?.literals.includes("EG8145V5"))
    .map((p) => p.name);
  assert.deepEqual(got, brute);
  assert.ok(got.length > 0);
});

void test("a policy applies only to the data model of its paths", async () => {
  const set = await loadOk({ "t.yaml": policy("t", 0, "{}", "parameters:\n  Device.ManagementServer.PeriodicInformInterval: 60") });
  assert.deepEqual(desiredStateFor(set, eg8145()).matched, []);
  assert.deepEqual(desiredStateFor(set, eg8145({ dataModel: "tr181" })).matched, ["t"]);
});
