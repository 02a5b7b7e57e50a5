import test from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { parseDataModelCsv } from "../../src/datamodel/csv.js";
import { SimDevice } from "../../src/sim/device.js";
import { versionFromUrl } from "../../src/sim/transfers.js";
import type { AcsRequest, EventStruct, InformRequest } from "../../src/cwmp/types.js";

const fixture = (name: string) => parseDataModelCsv(readFileSync(new URL(`../fixtures/datamodels/${name}`, import.meta.url), "utf8"));
const TINY = fixture("sim-tiny-tr098.csv");
const MS = "InternetGatewayDevice.ManagementServer.";
const T0 = Date.parse("2024-05-01T12:00:00Z");

const codes = (inform: InformRequest): string[] => inform.events.map((e) => (e.commandKey === "" ? e.code : `${e.code}:${e.commandKey}`));

function download(commandKey: string, url: string, fileType = "1 Firmware Upgrade Image"): AcsRequest {
  return {
    method: "Download",
    commandKey,
    fileType,
    url,
    username: "",
    password: "",
    fileSize: 0,
    targetFileName: "",
    delaySeconds: 0,
    successUrl: "",
    failureUrl: "",
  };
}

/** One session: Inform, the given requests, the CPE's own requests acknowledged, then end. */
function session(d: SimDevice, reqs: readonly AcsRequest[], ok = true): InformRequest {
  const inform = d.inform(T0);
  for (const r of d.pendingCpeRequests()) d.cpeRequestAnswered(r);
  for (const r of reqs) d.handle(r);
  d.sessionEnded(ok);
  return inform;
}

void test("first contact is BOOTSTRAP + BOOT, then PERIODIC", () => {
  const d = new SimDevice(TINY);
  assert.deepStrictEqual(codes(session(d, [])), ["0 BOOTSTRAP", "1 BOOT"]);
  assert.deepStrictEqual(codes(session(d, [])), ["2 PERIODIC"]);
});

void test("a failed session keeps its events and counts a retry; success resets RetryCount", () => {
  const d = new SimDevice(TINY);
  const first = session(d, [], false);
  assert.equal(first.retryCount, 0);
  const second = session(d, [], false);
  assert.deepStrictEqual(codes(second), ["0 BOOTSTRAP", "1 BOOT"]);
  assert.equal(second.retryCount, 1);
  assert.equal(session(d, []).retryCount, 2);
  assert.equal(session(d, []).retryCount, 0);
});

void test("connection request: next Inform carries 6 CONNECTION REQUEST (not PERIODIC)", () => {
  const d = new SimDevice(TINY);
  session(d, []);
  d.connectionRequested();
  assert.deepStrictEqual(codes(session(d, [])), ["6 CONNECTION REQUEST"]);
});

void test("Reboot: answered now, BOOT + M Reboot(CommandKey) next session, then PERIODIC", () => {
  const d = new SimDevice(TINY);
  session(d, []);
  assert.deepStrictEqual(d.handle({ method: "Reboot", commandKey: "rb-7" }), { method: "RebootResponse" });
  assert.deepStrictEqual(d.pendingEvents, []);
  d.sessionEnded(true);
  assert.deepStrictEqual(codes(session(d, [])), ["1 BOOT", "M Reboot:rb-7"]);
  assert.deepStrictEqual(codes(session(d, [])), ["2 PERIODIC"]);
});

void test("FactoryReset: configuration back to the model, ParameterKey empty, next Inform BOOTSTRAP", () => {
  const d = new SimDevice(TINY);
  session(d, [
    { method: "SetParameterValues", values: [{ name: `${MS}PeriodicInformInterval`, value: "60", type: "xsd:unsignedInt" }], parameterKey: "rev-1" },
    { method: "AddObject", objectName: "InternetGatewayDevice.WANDevice.1.WANConnectionDevice.1.WANIPConnection.1.PortMapping.", parameterKey: "rev-1" },
  ]);
  assert.equal(d.parameterKey, "rev-1");
  const inform = session(d, [{ method: "FactoryReset" }]);
  assert.equal(inform.parameterList.find((p) => p.name === `${MS}ParameterKey`)?.value, "rev-1");
  const after = d.inform(T0);
  assert.deepStrictEqual(codes(after), ["0 BOOTSTRAP", "1 BOOT"]);
  assert.equal(after.parameterList.find((p) => p.name === `${MS}ParameterKey`)?.value, "");
  assert.equal(d.get(`${MS}PeriodicInformInterval`)?.value, "300");
  assert.equal(d.hasObject("InternetGatewayDevice.WANDevice.1.WANConnectionDevice.1.WANIPConnection.1.PortMapping.3."), false);
});

void test("Download: status 1, then M Download + BOOT + TRANSFER COMPLETE, TransferComplete, new version", () => {
  let now = T0;
  const d = new SimDevice(TINY, { clock: () => now });
  session(d, []);
  d.inform(now);
  const r = d.handle(download("fw-1", "http://files.example.net/eg/V2.0.1-B7.bin"));
  assert.deepStrictEqual(r, { method: "DownloadResponse", status: 1, startTime: "0001-01-01T00:00:00Z", completeTime: "0001-01-01T00:00:00Z" });
  assert.equal(d.softwareVersion, "V1");
  now += 5000;
  d.sessionEnded(true);
  assert.equal(d.softwareVersion, "V2.0.1-B7");
  const inform = d.inform(now);
  assert.deepStrictEqual(codes(inform), ["1 BOOT", "M Download:fw-1", "7 TRANSFER COMPLETE"]);
  assert.equal(inform.parameterList.find((p) => p.name.endsWith("SoftwareVersion"))?.value, "V2.0.1-B7");
  const when = new Date(now).toISOString();
  assert.deepStrictEqual(d.pendingCpeRequests(), [
    { method: "TransferComplete", commandKey: "fw-1", fault: { code: 0, string: "" }, startTime: when, completeTime: when },
  ]);
});

void test("TransferComplete unanswered: its events survive a successful session and are re-sent", () => {
  const d = new SimDevice(TINY);
  session(d, [download("fw-2", "http://f/V3.img")]);
  d.inform(T0);
  d.sessionEnded(true); // the ACS never answered TransferComplete
  const again = d.inform(T0);
  assert.deepStrictEqual(codes(again), ["M Download:fw-2", "7 TRANSFER COMPLETE"]);
  assert.equal(d.pendingCpeRequests().length, 1);
  const [tc] = d.pendingCpeRequests();
  if (tc !== undefined) d.cpeRequestAnswered(tc);
  d.sessionEnded(true);
  assert.deepStrictEqual(codes(session(d, [])), ["2 PERIODIC"]);
});

void test("Download hook failure: TransferComplete with the fault, version unchanged, no BOOT", () => {
  const d = new SimDevice(TINY);
  d.onDownload = () => ({ faultCode: 9016, faultString: "Unable to access file" });
  session(d, [download("fw-3", "http://f/V9.bin")]);
  const inform = d.inform(T0);
  assert.deepStrictEqual(codes(inform), ["M Download:fw-3", "7 TRANSFER COMPLETE"]);
  assert.equal(d.softwareVersion, "V1");
  const [tc] = d.pendingCpeRequests();
  assert.deepStrictEqual(tc?.method === "TransferComplete" && tc.fault, { code: 9016, string: "Unable to access file" });
});

void test("Download hook version wins over the URL", () => {
  const d = new SimDevice(TINY);
  d.onDownload = (req) => ({ version: `from-hook-${req.commandKey}` });
  session(d, [download("k", "http://f/ignored.bin")]);
  assert.equal(d.softwareVersion, "from-hook-k");
});

void test("firmware survives a factory reset; ParameterKey does not", () => {
  const d = new SimDevice(TINY);
  session(d, [download("fw", "http://f/V4.bin")]);
  session(d, [{ method: "FactoryReset" }]);
  assert.equal(d.softwareVersion, "V4");
  assert.equal(d.parameterKey, "");
});

void test("Upload: status 1, later M Upload + TRANSFER COMPLETE and a TransferComplete", () => {
  const d = new SimDevice(TINY);
  const up: AcsRequest = {
    method: "Upload",
    commandKey: "up-1",
    fileType: "1 Vendor Configuration File",
    url: "http://f/up",
    username: "",
    password: "",
    delaySeconds: 0,
  };
  session(d, [up]);
  assert.deepStrictEqual(codes(d.inform(T0)), ["M Upload:up-1", "7 TRANSFER COMPLETE"]);
  assert.equal(d.pendingCpeRequests()[0]?.method, "TransferComplete");
});

void test("local change on a notified parameter: 4 VALUE CHANGE with the value in the Inform, once", () => {
  const d = new SimDevice(TINY);
  session(d, [
    {
      method: "SetParameterAttributes",
      attributes: [{ name: `${MS}PeriodicInformInterval`, notificationChange: true, notification: 1, accessListChange: false, accessList: [] }],
    },
  ]);
  assert.equal(d.setLocal(`${MS}PeriodicInformInterval`, "42"), true);
  assert.equal(d.setLocal(`${MS}Offset`, "7"), true); // notification off: silent
  const inform = session(d, []);
  assert.deepStrictEqual(codes(inform), ["4 VALUE CHANGE"]);
  assert.deepStrictEqual(inform.parameterList.at(-1), { name: `${MS}PeriodicInformInterval`, value: "42", type: "xsd:unsignedInt" });
  assert.ok(!inform.parameterList.some((p) => p.name === `${MS}Offset`));
  assert.deepStrictEqual(codes(session(d, [])), ["2 PERIODIC"]);
});

void test("ACS changes do not cause VALUE CHANGE", () => {
  const d = new SimDevice(TINY);
  session(d, [
    {
      method: "SetParameterAttributes",
      attributes: [{ name: `${MS}PeriodicInformInterval`, notificationChange: true, notification: 2, accessListChange: false, accessList: [] }],
    },
    { method: "SetParameterValues", values: [{ name: `${MS}PeriodicInformInterval`, value: "60", type: "xsd:unsignedInt" }], parameterKey: "" },
  ]);
  assert.deepStrictEqual(codes(session(d, [])), ["2 PERIODIC"]);
});

void test("a new connection-request URL after bootstrap is a forced VALUE CHANGE", () => {
  const d = new SimDevice(TINY);
  d.setConnectionRequestUrl("http://127.0.0.1:5000/cr/SN1");
  assert.deepStrictEqual(codes(session(d, [])), ["0 BOOTSTRAP", "1 BOOT"]);
  d.setConnectionRequestUrl("http://127.0.0.1:5001/cr/SN1");
  const inform = session(d, []);
  assert.deepStrictEqual(codes(inform), ["4 VALUE CHANGE"]);
  assert.equal(inform.parameterList.find((p) => p.name === `${MS}ConnectionRequestURL`)?.value, "http://127.0.0.1:5001/cr/SN1");
});

const INFORM_CASES = [
  {
    file: "huawei-eg8145v5-tr098.csv",
    params: [
      "InternetGatewayDevice.DeviceSummary",
      "InternetGatewayDevice.DeviceInfo.SpecVersion",
      "InternetGatewayDevice.DeviceInfo.HardwareVersion",
      "InternetGatewayDevice.DeviceInfo.SoftwareVersion",
      "InternetGatewayDevice.DeviceInfo.ProvisioningCode",
      "InternetGatewayDevice.ManagementServer.ConnectionRequestURL",
      "InternetGatewayDevice.ManagementServer.ParameterKey",
      // DefaultConnectionService is empty on this unit: the first WAN connection with an address is reported
      "InternetGatewayDevice.WANDevice.1.WANConnectionDevice.2.WANIPConnection.1.ExternalIPAddress",
    ],
  },
  {
    file: "zte-h199a-tr098.csv",
    params: [
      "InternetGatewayDevice.DeviceSummary",
      "InternetGatewayDevice.DeviceInfo.SpecVersion",
      "InternetGatewayDevice.DeviceInfo.HardwareVersion",
      "InternetGatewayDevice.DeviceInfo.SoftwareVersion",
      "InternetGatewayDevice.DeviceInfo.ProvisioningCode",
      "InternetGatewayDevice.ManagementServer.ConnectionRequestURL",
      "InternetGatewayDevice.ManagementServer.ParameterKey",
      // named by Layer3Forwarding.DefaultConnectionService
      "InternetGatewayDevice.WANDevice.1.WANConnectionDevice.1.WANPPPConnection.2.ExternalIPAddress",
    ],
  },
  {
    file: "tplink-ex220-tr181.csv",
    params: [
      "Device.RootDataModelVersion",
      "Device.DeviceInfo.HardwareVersion",
      "Device.DeviceInfo.SoftwareVersion",
      "Device.DeviceInfo.ProvisioningCode",
      "Device.ManagementServer.ConnectionRequestURL",
      "Device.ManagementServer.ParameterKey",
    ],
  },
] as const;

for (const c of INFORM_CASES) {
  void test(`Inform of ${c.file}: DeviceId, forced parameters, version`, () => {
    const model = fixture(c.file);
    const d = new SimDevice(model, { serialNumber: "FLEET-000001" });
    d.setConnectionRequestUrl("http://127.0.0.1:9/cr/FLEET-000001");
    const inform = d.inform(T0);
    assert.deepStrictEqual(inform.deviceId, { ...model.identity, serialNumber: "FLEET-000001" });
    assert.deepStrictEqual(
      inform.parameterList.map((p) => p.name),
      c.params,
    );
    assert.equal(inform.parameterList.find((p) => p.name.endsWith("ConnectionRequestURL"))?.value, "http://127.0.0.1:9/cr/FLEET-000001");
    assert.equal(inform.currentTime, "2024-05-01T12:00:00.000Z");
    assert.equal(inform.maxEnvelopes, 1);
    assert.equal(d.cwmpVersion, model.kind === "tr098" ? "1.0" : "1.2");
  });
}

const VERSION_CASES = [
  ["http://f/V5R020C10S115.bin", "V5R020C10S115"],
  ["http://f/fw/1.2.3", "1.2.3"],
  ["http://f/fw-1.2.3.img?sig=abc", "fw-1.2.3"],
  ["https://f/a/b/RouterOS%207.1.npk", "RouterOS 7.1"],
] as const;
for (const [url, version] of VERSION_CASES) {
  void test(`versionFromUrl(${url}) = ${version}`, () => assert.equal(versionFromUrl(url), version));
}

void test("events are not shared between devices of one model", () => {
  const a = new SimDevice(TINY);
  const b = new SimDevice(TINY);
  session(a, []);
  const evs: readonly EventStruct[] = b.inform(T0).events;
  assert.deepStrictEqual(
    evs.map((e) => e.code),
    ["0 BOOTSTRAP", "1 BOOT"],
  );
});
