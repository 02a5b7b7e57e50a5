/**
 * Real CPEs that made Converge loop or lock them out (issue 9), reproduced with the simulator's quirk switches
 * against a real server: each test fails on the behaviour the issue describes and passes with the fix.
 */
import test, { after, before } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deviceIdOf } from "../../src/domain/device.js";
import { SimDevice } from "../../src/sim/device.js";
import { runSession, type SessionResult } from "../../src/sim/client.js";
import type { SimQuirks } from "../../src/sim/types.js";
import { startTestServer, type TestServer } from "../support/server.js";
import { model, type MODEL_FILES } from "../support/fleet-models.js";
import { apiClient } from "../support/api-client.js";
import { ConnReqListener } from "../../src/sim/connreq-listener.js";

const NTP1 = "Device.Time.NTPServer1";
const NTP2 = "Device.Time.NTPServer2";
const PII = "Device.ManagementServer.PeriodicInformInterval";
const PM = "InternetGatewayDevice.WANDevice.1.WANConnectionDevice.1.WANPPPConnection.1.PortMapping.";

const POLICIES: Readonly<Record<string, string>> = {
  "fault-nested.yaml": [
    "name: fault-nested",
    "match:",
    "  serialNumber: FAULTNEST01",
    "parameters:",
    `  ${PII}: 1234`,
    `  ${NTP1}: ntp1.example`,
    `  ${NTP2}: ntp2.example`,
    "",
  ].join("\n"),
  "add-object.yaml": [
    "name: add-object",
    "match:",
    "  serialNumber: [ADDLOOP01, ADDOK01]",
    "parameters:",
    "  InternetGatewayDevice.ManagementServer.PeriodicInformInterval: 1800",
    "objects:",
    `  ${PM}:`,
    "    key: [ExternalPort, PortMappingProtocol]",
    "    instances:",
    "      - ExternalPort: 8080",
    "        PortMappingProtocol: TCP",
    "        InternalPort: 80",
    "",
  ].join("\n"),
  "no-key.yaml": [
    "name: no-key",
    "match:",
    "  serialNumber: NOKEY01",
    "parameters:",
    `  ${PII}: 900`,
    "  Device.WiFi.AccessPoint.1.Security.KeyPassphrase: correct-horse-battery",
    "",
  ].join("\n"),
  "cr-opt-out.yaml": [
    "name: cr-opt-out",
    "match:",
    "  serialNumber: CROPTOUT01",
    "parameters:",
    `  ${PII}: 700`,
    "connectionRequest: { provision: false }",
    "",
  ].join("\n"),
  "firmware.yaml": [
    "name: firmware-pin",
    "match:",
    "  serialNumber: [FWLOOP01, FWOK01]",
    "firmware:",
    "  version: V5R020C10S115",
    "  url: http://127.0.0.1:9/files/V5R020C10S115.bin",
    "  fileSize: 1024",
    "",
  ].join("\n"),
};

let server: TestServer;
let api: ReturnType<typeof apiClient>;
let listener: ConnReqListener;

before(async () => {
  const dir = mkdtempSync(join(tmpdir(), "converge-loops-"));
  for (const [file, text] of Object.entries(POLICIES)) writeFileSync(join(dir, file), text);
  try {
    server = await startTestServer({ policies: dir });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  api = apiClient(server.apiUrl);
  listener = await ConnReqListener.start({ onRequest: (d) => void runSession(d, { acsUrl: server.cwmpUrl, timeoutMs: 10_000, maxMessages: 400 }) });
});
after(async () => {
  await listener.close();
  await server.close();
});

interface Condition {
  type: string;
  status: boolean;
  reason: string;
  message: string;
}
interface View {
  device: { status?: { conditions: Condition[] } };
  faults: { code: string; path?: string; message: string }[];
}

const session = async (d: SimDevice, transcript = false): Promise<SessionResult> => {
  const r = await runSession(d, { acsUrl: server.cwmpUrl, timeoutMs: 10_000, maxMessages: 400, transcript });
  assert.equal(r.ok, true, r.error);
  return r;
};
const view = async (d: SimDevice): Promise<View> => (await api<View>("GET", `/api/devices/${encodeURIComponent(deviceIdOf(d.deviceId))}`)).json;
export const condition = (v: View, type: string): Condition | undefined => v.device.status?.conditions.find((c) => c.type === type);
const count = (r: SessionResult, method: string): number => r.rpcs.filter((m) => m === method).length;
const sim = (file: (typeof MODEL_FILES)[number], serialNumber: string, quirks: SimQuirks = {}): SimDevice =>
  new SimDevice(model(file), { serialNumber, quirks });

void test("#9.9 a SOAP Fault with its cwmp:Fault inside <faultstring> is read for its real codes (9003, per-parameter 9008): no bisection", async () => {
  const d = sim("tplink-ex220-tr181.csv", "FAULTNEST01", { faultDetailInFaultstring: true });
  d.failPaths.set(NTP1, 9008);
  const r = await session(d);
  // One SPV faults with the per-parameter detail; the rest goes through in one more: two SPVs, not six.
  assert.equal(count(r, "SetParameterValues"), 2, JSON.stringify(r.rpcs));
  const v = await view(d);
  assert.ok(
    v.faults.some((f) => f.code === "9008" && f.path === NTP1),
    JSON.stringify(v.faults),
  );
  assert.equal(
    v.faults.some((f) => f.code === "0"),
    false,
    JSON.stringify(v.faults),
  );
  assert.equal(d.get(NTP2)?.value, "ntp2.example");
  assert.equal(d.get(PII)?.value, "1234");
});

void test("#9.2 a firmware that reports success but does not take: one Download, waits, then firmware_not_applied with the version reported, and backs off", async () => {
  const d = sim("huawei-eg8145v5-tr098.csv", "FWLOOP01", { firmwareNotApplied: true });
  const before = d.softwareVersion;
  const runs: SessionResult[] = [];
  for (let i = 0; i < 6; i++) runs.push(await session(d));
  const downloads = runs.map((r) => count(r, "Download"));
  assert.deepEqual(downloads, [1, 0, 0, 0, 0, 0], "one Download per pin per backoff period");
  assert.equal(d.softwareVersion, before);
  const v = await view(d);
  const f = v.faults.find((x) => x.code === "firmware_not_applied");
  assert.ok(f, JSON.stringify(v.faults));
  assert.ok(f.message.includes(before), f.message);
  assert.equal(condition(v, "Faulted")?.status, true, JSON.stringify(v.device.status));
});

void test("#9.2 control: a firmware that takes converges after one Download", async () => {
  const d = sim("huawei-eg8145v5-tr098.csv", "FWOK01");
  const runs = [await session(d), await session(d), await session(d)];
  assert.deepEqual(
    runs.map((r) => count(r, "Download")),
    [1, 0, 0],
  );
  assert.equal(d.softwareVersion, "V5R020C10S115");
  const v = await view(d);
  assert.equal(condition(v, "Converged")?.status, true, JSON.stringify(v.device.status));
  assert.equal(
    v.faults.some((x) => x.code === "firmware_not_applied"),
    false,
  );
});

const instances = (d: SimDevice, table: string): number[] => Array.from({ length: 64 }, (_, i) => i + 1).filter((n) => d.hasObject(`${table}${n}.`));

void test("#9.1 an instance that shows no children: one AddObject, its keys set on it, instance_keys_missing naming table and keys, backoff, other values applied, no DriftHealed", async () => {
  const d = sim("huawei-eg8145v5-tr098.csv", "ADDLOOP01", { newInstanceWithoutChildren: true });
  const had = instances(d, PM);
  const first = await session(d);
  assert.equal(count(first, "AddObject"), 1, JSON.stringify(first.rpcs));
  assert.ok(count(first, "SetParameterValues") >= 1, "the keys are set on the new instance number");
  const second = await session(d);
  assert.equal(count(second, "AddObject"), 0, JSON.stringify(second.rpcs));
  assert.equal(instances(d, PM).length, had.length + 1, "one instance added in two visits");
  assert.equal(d.get("InternetGatewayDevice.ManagementServer.PeriodicInformInterval")?.value, "1800", "the device's other values are written");
  const v = await view(d);
  const f = v.faults.find((x) => x.code === "instance_keys_missing");
  assert.ok(f, JSON.stringify(v.faults));
  assert.ok(f.message.includes(PM) && f.message.includes("ExternalPort") && f.message.includes("PortMappingProtocol"), f.message);
  assert.notEqual(condition(v, "Drifted")?.reason, "DriftHealed", JSON.stringify(v.device.status));
  assert.equal(condition(v, "Faulted")?.status, true);
});

void test("#9.1 control: a well-behaved CPE gets one instance with its keys and values, and converges", async () => {
  const d = sim("huawei-eg8145v5-tr098.csv", "ADDOK01");
  const had = instances(d, PM);
  const runs = [await session(d), await session(d)];
  assert.deepEqual(
    runs.map((r) => count(r, "AddObject")),
    [1, 0],
  );
  const added = instances(d, PM).filter((n) => !had.includes(n));
  assert.equal(added.length, 1);
  assert.equal(d.get(`${PM}${added[0]}.ExternalPort`)?.value, "8080");
  assert.equal(d.get(`${PM}${added[0]}.InternalPort`)?.value, "80");
  assert.equal(condition(await view(d), "Converged")?.status, true);
});

const PASSWORDS = ["Device.ManagementServer.ConnectionRequestPassword", "Device.WiFi.AccessPoint.1.Security.KeyPassphrase"];
const setsOf = (r: SessionResult): string[] =>
  (r.transcript ?? []).flatMap((m) => (m.from === "acs" && m.body.includes("SetParameterValues>") ? [m.body] : []));

void test("#9.11 a CPE that reports ParameterKey empty: learnt per device; write-only values are not re-sent on full visits", async () => {
  const d = sim("tplink-ex220-tr181.csv", "NOKEY01", { noParameterKey: true });
  const first = await session(d, true);
  assert.ok(
    setsOf(first).some((b) => PASSWORDS.every((p) => b.includes(p))),
    "the first visit sets both write-only values",
  );
  assert.equal(d.parameterKey, "", "the quirk: nothing kept");
  for (let i = 0; i < 3; i++) {
    d.queueEvent("1 BOOT"); // a full visit every time (no converged fast path)
    const r = await session(d, true);
    assert.ok(r.transcript !== undefined && r.transcript.length > 2);
    for (const b of setsOf(r)) for (const p of PASSWORDS) assert.equal(b.includes(p), false, `visit ${i + 2} re-sent ${p}`);
  }
  assert.equal(d.get(PII)?.value, "900");
});

const CRU = "Device.ManagementServer.ConnectionRequestUsername";

void test("#9.10 a CPE that keeps its own ConnectionRequestUsername: an unmatched device is not Faulted, and connection requests use the username it reports", async () => {
  const d = sim("tplink-ex220-tr181.csv", "CRIGNORE01", { ignoresCrUsername: true });
  listener.register(d);
  for (let i = 0; i < 3; i++) await session(d);
  assert.equal(d.get(CRU)?.value, "anlix", "the quirk: the CPE kept its own");
  const v = await view(d);
  assert.equal(condition(v, "Matched")?.status, false);
  assert.equal(condition(v, "Faulted")?.status, false, JSON.stringify(v.device.status));
  const r = await api<{ outcome?: string }>("POST", `/api/devices/${encodeURIComponent(deviceIdOf(d.deviceId))}/connection-request?waitMs=10000`);
  assert.equal(r.status, 200, JSON.stringify(r.json));
  assert.equal(r.json.outcome, "ok");
});

void test("#9.10 connectionRequest: { provision: false } in a policy: Converge never sets the credentials on those devices", async () => {
  const d = sim("tplink-ex220-tr181.csv", "CROPTOUT01");
  const runs = [await session(d, true), await session(d, true)];
  for (const r of runs) for (const b of setsOf(r)) assert.equal(b.includes("ConnectionRequest"), false, b);
  assert.equal(d.get(CRU)?.value, "anlix");
  assert.equal(d.get(PII)?.value, "700");
  assert.equal(condition(await view(d), "Converged")?.status, true);
});
