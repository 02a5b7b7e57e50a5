import test from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { parseDataModelCsv } from "../../src/datamodel/csv.js";
import { SimDevice } from "../../src/sim/device.js";
import type { AcsRequest, CpeMessage, ParamValue } from "../../src/cwmp/types.js";
import type { XsdType } from "../../src/domain/xsd.js";

const IGD = "InternetGatewayDevice.";
const MS = `${IGD}ManagementServer.`;
const PM = `${IGD}WANDevice.1.WANConnectionDevice.1.WANIPConnection.1.PortMapping.`;

// A small TR-098 model with one of everything the semantics table needs.
const MODEL = parseDataModelCsv(readFileSync(new URL("../fixtures/datamodels/sim-tiny-tr098.csv", import.meta.url), "utf8"));
const newDevice = (opts: ConstructorParameters<typeof SimDevice>[1] = {}): SimDevice => new SimDevice(MODEL, opts);

const pv = (name: string, value: string, type: XsdType): ParamValue => ({ name, value, type });
const faultOf = (m: CpeMessage): { code: number; detail: [string, number][] } | undefined =>
  m.method === "Fault" ? { code: m.fault.code, detail: m.fault.setParameterValuesFaults.map((f) => [f.name, f.code]) } : undefined;
const names = (m: CpeMessage): string[] =>
  m.method === "GetParameterValuesResponse" || m.method === "GetParameterNamesResponse" || m.method === "GetParameterAttributesResponse"
    ? m.parameterList.map((p) => p.name)
    : [];

// --- GetParameterValues -------------------------------------------------------------------------

const GPV_CASES: readonly { name: string; names: string[]; want: [string, string][] | number; quirks?: object }[] = [
  { name: "full name", names: [`${MS}PeriodicInformInterval`], want: [[`${MS}PeriodicInformInterval`, "300"]] },
  {
    name: "partial path expands to all parameters beneath, in order",
    names: [`${PM}2.`],
    want: [
      [`${PM}2.Description`, "ssh"],
      [`${PM}2.ExternalPort`, "2222"],
      [`${PM}2.PortMappingEnabled`, "false"],
      [`${PM}2.Status`, "Disabled"],
    ],
  },
  { name: "unknown parameter faults 9005", names: [`${MS}Nope`], want: 9005 },
  { name: "one unknown name faults the whole call", names: [`${MS}PeriodicInformInterval`, `${IGD}X.`], want: 9005 },
  { name: "object name without trailing dot is 9005", names: [`${IGD}DeviceInfo`], want: 9005 },
  { name: "parameter name with trailing dot is 9005", names: [`${MS}ParameterKey.`], want: 9005 },
  { name: "hidden password reads back empty", names: [`${MS}ConnectionRequestPassword`], want: [[`${MS}ConnectionRequestPassword`, ""]] },
  {
    name: "revealPasswords quirk shows it",
    names: [`${MS}ConnectionRequestPassword`],
    want: [[`${MS}ConnectionRequestPassword`, "secret"]],
    quirks: { revealPasswords: true },
  },
  {
    name: "booleanAsDigit quirk reports 1/0",
    names: [`${MS}PeriodicInformEnable`],
    want: [[`${MS}PeriodicInformEnable`, "1"]],
    quirks: { booleanAsDigit: true },
  },
  {
    name: "serial override is what DeviceInfo.SerialNumber reads",
    names: [`${IGD}DeviceInfo.SerialNumber`],
    want: [[`${IGD}DeviceInfo.SerialNumber`, "SIM-42"]],
  },
];

for (const c of GPV_CASES) {
  void test(`GPV: ${c.name}`, () => {
    const d = newDevice({ quirks: c.quirks ?? {}, serialNumber: "SIM-42" });
    const r = d.handle({ method: "GetParameterValues", names: c.names });
    if (typeof c.want === "number") return assert.equal(faultOf(r)?.code, c.want);
    assert.equal(r.method, "GetParameterValuesResponse");
    if (r.method === "GetParameterValuesResponse")
      assert.deepStrictEqual(
        r.parameterList.map((p) => [p.name, p.value]),
        c.want,
      );
  });
}

void test("GPV: empty name is the whole tree, every parameter once", () => {
  const r = newDevice().handle({ method: "GetParameterValues", names: [""] });
  assert.deepStrictEqual(
    names(r),
    MODEL.nodes.filter((n) => !n.object).map((n) => n.path),
  );
});

// --- SetParameterValues ---------------------------------------------------------------------------

const SPV_FAULT_CASES: readonly { name: string; values: ParamValue[]; detail: [string, number][] }[] = [
  { name: "unknown parameter -> 9005", values: [pv(`${MS}Nope`, "1", "xsd:string")], detail: [[`${MS}Nope`, 9005]] },
  { name: "object path -> 9005", values: [pv(`${IGD}DeviceInfo.`, "1", "xsd:string")], detail: [[`${IGD}DeviceInfo.`, 9005]] },
  { name: "read-only -> 9008", values: [pv(`${IGD}DeviceInfo.SoftwareVersion`, "V9", "xsd:string")], detail: [[`${IGD}DeviceInfo.SoftwareVersion`, 9008]] },
  { name: "xsi:type differs -> 9006", values: [pv(`${MS}PeriodicInformInterval`, "60", "xsd:string")], detail: [[`${MS}PeriodicInformInterval`, 9006]] },
  {
    name: "unsignedInt negative -> 9007",
    values: [pv(`${MS}PeriodicInformInterval`, "-1", "xsd:unsignedInt")],
    detail: [[`${MS}PeriodicInformInterval`, 9007]],
  },
  {
    name: "unsignedInt over 2^32-1 -> 9007",
    values: [pv(`${MS}PeriodicInformInterval`, "4294967296", "xsd:unsignedInt")],
    detail: [[`${MS}PeriodicInformInterval`, 9007]],
  },
  { name: "int over 2^31-1 -> 9007", values: [pv(`${MS}Offset`, "2147483648", "xsd:int")], detail: [[`${MS}Offset`, 9007]] },
  { name: "int not a number -> 9007", values: [pv(`${MS}Offset`, "1.5", "xsd:int")], detail: [[`${MS}Offset`, 9007]] },
  { name: "boolean 'yes' -> 9007", values: [pv(`${MS}PeriodicInformEnable`, "yes", "xsd:boolean")], detail: [[`${MS}PeriodicInformEnable`, 9007]] },
  {
    name: "dateTime garbage -> 9007",
    values: [pv(`${IGD}DeviceInfo.FirstUseDate`, "yesterday", "xsd:dateTime")],
    detail: [[`${IGD}DeviceInfo.FirstUseDate`, 9007]],
  },
  {
    name: "dateTime month 13 -> 9007",
    values: [pv(`${IGD}DeviceInfo.FirstUseDate`, "2024-13-01T00:00:00Z", "xsd:dateTime")],
    detail: [[`${IGD}DeviceInfo.FirstUseDate`, 9007]],
  },
  {
    name: "every offending item is listed, valid ones are not",
    values: [pv(`${MS}PeriodicInformInterval`, "60", "xsd:unsignedInt"), pv(`${MS}Nope`, "1", "xsd:string"), pv(`${IGD}DeviceSummary`, "x", "xsd:string")],
    detail: [
      [`${MS}Nope`, 9005],
      [`${IGD}DeviceSummary`, 9008],
    ],
  },
];

for (const c of SPV_FAULT_CASES) {
  void test(`SPV fault: ${c.name}; nothing applied, ParameterKey kept`, () => {
    const d = newDevice();
    const r = d.handle({ method: "SetParameterValues", values: c.values, parameterKey: "k1" });
    assert.deepStrictEqual(faultOf(r), { code: 9003, detail: c.detail });
    assert.equal(d.get(`${MS}PeriodicInformInterval`)?.value, "300");
    assert.equal(d.parameterKey, "");
  });
}

const SPV_OK_CASES: readonly { name: string; values: ParamValue[]; stored: [string, string][] }[] = [
  { name: "unsignedInt", values: [pv(`${MS}PeriodicInformInterval`, "3600", "xsd:unsignedInt")], stored: [[`${MS}PeriodicInformInterval`, "3600"]] },
  { name: "int at its minimum", values: [pv(`${MS}Offset`, "-2147483648", "xsd:int")], stored: [[`${MS}Offset`, "-2147483648"]] },
  { name: "boolean '0' stored canonically", values: [pv(`${MS}PeriodicInformEnable`, "0", "xsd:boolean")], stored: [[`${MS}PeriodicInformEnable`, "false"]] },
  {
    name: "dateTime with offset",
    values: [pv(`${IGD}DeviceInfo.FirstUseDate`, "2024-02-29T23:59:59+02:00", "xsd:dateTime")],
    stored: [[`${IGD}DeviceInfo.FirstUseDate`, "2024-02-29T23:59:59+02:00"]],
  },
  { name: "string keeps spaces", values: [pv(`${PM}1.Description`, " my web ", "xsd:string")], stored: [[`${PM}1.Description`, " my web "]] },
];

for (const c of SPV_OK_CASES) {
  void test(`SPV ok: ${c.name}; status 0 and ParameterKey set`, () => {
    const d = newDevice();
    const r = d.handle({ method: "SetParameterValues", values: c.values, parameterKey: "rev-1" });
    assert.deepStrictEqual(r, { method: "SetParameterValuesResponse", status: 0 });
    for (const [path, value] of c.stored) assert.equal(d.get(path)?.value, value);
    assert.equal(d.parameterKey, "rev-1");
    const gpv = d.handle({ method: "GetParameterValues", names: [`${MS}ParameterKey`] });
    assert.deepStrictEqual(gpv.method === "GetParameterValuesResponse" && gpv.parameterList[0]?.value, "rev-1");
  });
}

void test("SPV: the same parameter twice is 9003 without detail", () => {
  const v = pv(`${MS}PeriodicInformInterval`, "60", "xsd:unsignedInt");
  assert.deepStrictEqual(faultOf(newDevice().handle({ method: "SetParameterValues", values: [v, v], parameterKey: "" })), { code: 9003, detail: [] });
});

void test("SPV/AddObject/DeleteObject: a ParameterKey over 32 characters is 9003 and nothing changes", () => {
  const d = newDevice();
  const key = "a".repeat(64); // a full SHA-256 hex digest
  const spv = d.handle({ method: "SetParameterValues", values: [pv(`${MS}PeriodicInformInterval`, "60", "xsd:unsignedInt")], parameterKey: key });
  const add = d.handle({ method: "AddObject", objectName: PM, parameterKey: key });
  const del = d.handle({ method: "DeleteObject", objectName: `${PM}1.`, parameterKey: key });
  assert.deepStrictEqual(
    [spv, add, del].map((m) => faultOf(m)?.code),
    [9003, 9003, 9003],
  );
  assert.deepStrictEqual([d.get(`${MS}PeriodicInformInterval`)?.value, d.hasObject(`${PM}3.`), d.hasObject(`${PM}1.`)], ["300", false, true]);
  const ok = d.handle({ method: "SetParameterValues", values: [], parameterKey: "b".repeat(32) });
  assert.deepStrictEqual([ok.method, d.parameterKey], ["SetParameterValuesResponse", "b".repeat(32)]);
});

void test("SPV: failPaths injects a per-parameter code into the 9003 detail", () => {
  const d = newDevice();
  d.failPaths.set(`${MS}PeriodicInformInterval`, 9007);
  const r = d.handle({ method: "SetParameterValues", values: [pv(`${MS}PeriodicInformInterval`, "60", "xsd:unsignedInt")], parameterKey: "k" });
  assert.deepStrictEqual(faultOf(r), { code: 9003, detail: [[`${MS}PeriodicInformInterval`, 9007]] });
});

void test("SPV: failPaths with a non-parameter code (9002) is the fault itself", () => {
  const d = newDevice();
  d.failPaths.set(`${MS}PeriodicInformInterval`, 9002);
  const r = d.handle({ method: "SetParameterValues", values: [pv(`${MS}PeriodicInformInterval`, "60", "xsd:unsignedInt")], parameterKey: "k" });
  assert.deepStrictEqual(faultOf(r), { code: 9002, detail: [] });
  assert.equal(r.method === "Fault" && r.fault.faultCode, "Server");
});

void test("SPV: rebootRequiredPaths answers status 1 and still applies", () => {
  const d = newDevice();
  d.rebootRequiredPaths.add(`${MS}PeriodicInformInterval`);
  const r = d.handle({ method: "SetParameterValues", values: [pv(`${MS}PeriodicInformInterval`, "60", "xsd:unsignedInt")], parameterKey: "k" });
  assert.deepStrictEqual(r, { method: "SetParameterValuesResponse", status: 1 });
  assert.equal(d.get(`${MS}PeriodicInformInterval`)?.value, "60");
});

// --- GetParameterNames ----------------------------------------------------------------------------

const GPN_CASES: readonly { name: string; path: string; nextLevel: boolean; want: string[] | number }[] = [
  { name: "'' + NextLevel=true is the root object only", path: "", nextLevel: true, want: [IGD] },
  { name: "object + NextLevel=true lists direct children", path: `${PM}`, nextLevel: true, want: [`${PM}1.`, `${PM}2.`] },
  {
    name: "object + NextLevel=false lists itself and its whole subtree",
    path: `${PM}2.`,
    nextLevel: false,
    want: [`${PM}2.`, `${PM}2.Description`, `${PM}2.ExternalPort`, `${PM}2.PortMappingEnabled`, `${PM}2.Rule.`, `${PM}2.Status`],
  },
  { name: "parameter + NextLevel=false lists the parameter", path: `${MS}ParameterKey`, nextLevel: false, want: [`${MS}ParameterKey`] },
  { name: "parameter + NextLevel=true is 9003", path: `${MS}ParameterKey`, nextLevel: true, want: 9003 },
  { name: "unknown path is 9005", path: `${IGD}Nope.`, nextLevel: true, want: 9005 },
];

for (const c of GPN_CASES) {
  void test(`GPN: ${c.name}`, () => {
    const r = newDevice().handle({ method: "GetParameterNames", path: c.path, nextLevel: c.nextLevel });
    if (typeof c.want === "number") return assert.equal(faultOf(r)?.code, c.want);
    assert.deepStrictEqual(names(r), c.want);
  });
}

void test("GPN: '' + NextLevel=false is every node including the root, with writable flags", () => {
  const r = newDevice().handle({ method: "GetParameterNames", path: "", nextLevel: false });
  assert.equal(r.method, "GetParameterNamesResponse");
  if (r.method !== "GetParameterNamesResponse") return;
  assert.deepStrictEqual(
    r.parameterList,
    MODEL.nodes.map((n) => ({ name: n.path, writable: n.writable })),
  );
});

// --- Attributes -----------------------------------------------------------------------------------

void test("SPA on a partial path sets every parameter beneath; GPA reads it back; others stay 0", () => {
  const d = newDevice();
  const r = d.handle({
    method: "SetParameterAttributes",
    attributes: [{ name: `${PM}1.`, notificationChange: true, notification: 2, accessListChange: true, accessList: ["Subscriber"] }],
  });
  assert.deepStrictEqual(r, { method: "SetParameterAttributesResponse" });
  const gpa = d.handle({ method: "GetParameterAttributes", names: [`${PM}1.ExternalPort`, `${PM}2.ExternalPort`] });
  assert.deepStrictEqual(gpa.method === "GetParameterAttributesResponse" && gpa.parameterList, [
    { name: `${PM}1.ExternalPort`, notification: 2, accessList: ["Subscriber"] },
    { name: `${PM}2.ExternalPort`, notification: 0, accessList: [] },
  ]);
});

const ATTR_FAULTS: readonly { name: string; req: AcsRequest; code: number; reject?: string }[] = [
  { name: "GPA unknown -> 9005", req: { method: "GetParameterAttributes", names: [`${IGD}Nope`] }, code: 9005 },
  {
    name: "SPA unknown -> 9005",
    req: {
      method: "SetParameterAttributes",
      attributes: [{ name: `${IGD}Nope`, notificationChange: true, notification: 1, accessListChange: false, accessList: [] }],
    },
    code: 9005,
  },
  {
    name: "SPA on a notification-rejecting parameter -> 9009",
    req: {
      method: "SetParameterAttributes",
      attributes: [{ name: `${MS}`, notificationChange: true, notification: 2, accessListChange: false, accessList: [] }],
    },
    code: 9009,
    reject: `${MS}PeriodicInformInterval`,
  },
];

for (const c of ATTR_FAULTS) {
  void test(`attributes: ${c.name}`, () => {
    const d = newDevice();
    if (c.reject !== undefined) d.notificationRejectPaths.add(c.reject);
    assert.equal(faultOf(d.handle(c.req))?.code, c.code);
  });
}

// --- AddObject / DeleteObject -----------------------------------------------------------------------

void test("AddObject: instance max+1 shaped like instance 1, defaults, writable flags, empty nested tables", () => {
  const d = newDevice();
  const r = d.handle({ method: "AddObject", objectName: PM, parameterKey: "add-1" });
  assert.deepStrictEqual(r, { method: "AddObjectResponse", instanceNumber: 3, status: 0 });
  const gpn = d.handle({ method: "GetParameterNames", path: `${PM}3.`, nextLevel: false });
  assert.deepStrictEqual(gpn.method === "GetParameterNamesResponse" && gpn.parameterList, [
    { name: `${PM}3.`, writable: true },
    { name: `${PM}3.Description`, writable: true },
    { name: `${PM}3.ExternalPort`, writable: true },
    { name: `${PM}3.PortMappingEnabled`, writable: true },
    { name: `${PM}3.Rule.`, writable: true },
    { name: `${PM}3.Status`, writable: false },
  ]);
  assert.deepStrictEqual(
    [`${PM}3.Description`, `${PM}3.ExternalPort`, `${PM}3.PortMappingEnabled`].map((p) => d.get(p)?.value),
    ["", "0", "false"],
  );
  assert.equal(d.get(`${IGD}WANDevice.1.WANConnectionDevice.1.WANIPConnection.1.PortMappingNumberOfEntries`)?.value, "3");
  assert.equal(d.parameterKey, "add-1");
});

void test("AddObject in a new instance's nested table takes the shape of that table elsewhere in the model", () => {
  const d = newDevice();
  const r = d.handle({ method: "AddObject", objectName: PM, parameterKey: "" });
  assert.equal(r.method === "AddObjectResponse" && r.instanceNumber, 3);
  const rule = d.handle({ method: "AddObject", objectName: `${PM}3.Rule.`, parameterKey: "" });
  assert.deepStrictEqual(rule, { method: "AddObjectResponse", instanceNumber: 1, status: 0 });
  assert.deepStrictEqual(d.get(`${PM}3.Rule.1.Name`), { value: "", type: "xsd:string", writable: true });
  // PortMapping.2.Rule is empty in the model: its first instance is shaped like PortMapping.1.Rule.1
  const rule2 = d.handle({ method: "AddObject", objectName: `${PM}2.Rule.`, parameterKey: "" });
  assert.equal(rule2.method === "AddObjectResponse" && rule2.instanceNumber, 1);
  assert.equal(d.get(`${PM}2.Rule.1.Name`)?.value, "");
});

void test("AddObject after DeleteObject never reuses a number; the new instance is settable", () => {
  const d = newDevice();
  const add = (): CpeMessage => d.handle({ method: "AddObject", objectName: PM, parameterKey: "" });
  assert.equal(add().method === "AddObjectResponse" ? 3 : 0, 3);
  assert.deepStrictEqual(d.handle({ method: "DeleteObject", objectName: `${PM}3.`, parameterKey: "" }), { method: "DeleteObjectResponse", status: 0 });
  const r = add();
  assert.equal(r.method === "AddObjectResponse" && r.instanceNumber, 4);
  const spv = d.handle({ method: "SetParameterValues", values: [pv(`${PM}4.ExternalPort`, "443", "xsd:unsignedInt")], parameterKey: "" });
  assert.equal(spv.method, "SetParameterValuesResponse");
  assert.deepStrictEqual(names(d.handle({ method: "GetParameterNames", path: PM, nextLevel: true })), [`${PM}1.`, `${PM}2.`, `${PM}4.`]);
});

void test("DeleteObject removes the subtree, updates the count and sets the ParameterKey", () => {
  const d = newDevice();
  assert.deepStrictEqual(d.handle({ method: "DeleteObject", objectName: `${PM}1.`, parameterKey: "del-1" }), { method: "DeleteObjectResponse", status: 0 });
  assert.equal(faultOf(d.handle({ method: "GetParameterValues", names: [`${PM}1.ExternalPort`] }))?.code, 9005);
  assert.equal(d.hasObject(`${PM}1.Rule.1.`), false);
  assert.deepStrictEqual(names(d.handle({ method: "GetParameterNames", path: PM, nextLevel: true })), [`${PM}2.`]);
  assert.equal(d.get(`${IGD}WANDevice.1.WANConnectionDevice.1.WANIPConnection.1.PortMappingNumberOfEntries`)?.value, "1");
  assert.equal(d.parameterKey, "del-1");
  // the template for new instances is still instance 1's shape
  const r = d.handle({ method: "AddObject", objectName: PM, parameterKey: "" });
  assert.equal(r.method === "AddObjectResponse" && r.instanceNumber, 3);
  assert.equal(d.get(`${PM}3.Status`)?.writable, false);
});

const OBJECT_FAULTS: readonly { name: string; req: AcsRequest; code: number }[] = [
  { name: "AddObject unknown table -> 9005", req: { method: "AddObject", objectName: `${IGD}Nope.`, parameterKey: "k" }, code: 9005 },
  { name: "AddObject on an instance -> 9005", req: { method: "AddObject", objectName: `${PM}1.`, parameterKey: "k" }, code: 9005 },
  { name: "AddObject on a parameter -> 9005", req: { method: "AddObject", objectName: `${MS}ParameterKey`, parameterKey: "k" }, code: 9005 },
  { name: "AddObject on a read-only table -> 9001", req: { method: "AddObject", objectName: `${IGD}WANDevice.`, parameterKey: "k" }, code: 9001 },
  { name: "DeleteObject unknown instance -> 9005", req: { method: "DeleteObject", objectName: `${PM}9.`, parameterKey: "k" }, code: 9005 },
  { name: "DeleteObject on a table -> 9005", req: { method: "DeleteObject", objectName: PM, parameterKey: "k" }, code: 9005 },
  { name: "DeleteObject on a read-only instance -> 9001", req: { method: "DeleteObject", objectName: `${IGD}WANDevice.1.`, parameterKey: "k" }, code: 9001 },
];

for (const c of OBJECT_FAULTS) {
  void test(`${c.name}; ParameterKey untouched`, () => {
    const d = newDevice();
    assert.equal(faultOf(d.handle(c.req))?.code, c.code);
    assert.equal(d.parameterKey, "");
  });
}

// --- Other RPCs -----------------------------------------------------------------------------------

void test("GetRPCMethods lists what is supported; an unsupported method faults 9000", () => {
  const d = newDevice();
  d.unsupportedMethods = new Set(["GetParameterAttributes", "SetParameterAttributes"]);
  const r = d.handle({ method: "GetRPCMethods" });
  assert.ok(r.method === "GetRPCMethodsResponse" && r.methods.includes("Download") && !r.methods.includes("GetParameterAttributes"));
  assert.equal(faultOf(d.handle({ method: "GetParameterAttributes", names: [`${MS}ParameterKey`] }))?.code, 9000);
});

void test("ScheduleInform: 0 s is 9003; otherwise '3 SCHEDULED' + 'M ScheduleInform' once due", () => {
  let now = 1_000_000;
  const d = newDevice({ clock: () => now });
  assert.equal(faultOf(d.handle({ method: "ScheduleInform", delaySeconds: 0, commandKey: "s" }))?.code, 9003);
  assert.deepStrictEqual(d.handle({ method: "ScheduleInform", delaySeconds: 60, commandKey: "s1" }), { method: "ScheduleInformResponse" });
  d.inform(now);
  d.sessionEnded(true);
  assert.ok(!d.inform(now + 59_000).events.some((e) => e.code === "3 SCHEDULED"));
  d.sessionEnded(true);
  now += 60_000;
  assert.deepStrictEqual(d.inform(now).events, [
    { code: "3 SCHEDULED", commandKey: "" },
    { code: "M ScheduleInform", commandKey: "s1" },
  ]);
});

void test("Get(All)QueuedTransfers lists a Download not yet run", () => {
  const d = newDevice();
  d.handle(download("dl-1", "http://files/V2.bin"));
  assert.deepStrictEqual(d.handle({ method: "GetQueuedTransfers" }), { method: "GetQueuedTransfersResponse", transfers: [{ commandKey: "dl-1", state: 1 }] });
  const all = d.handle({ method: "GetAllQueuedTransfers" });
  assert.deepStrictEqual(all.method === "GetAllQueuedTransfersResponse" && all.transfers, [
    { commandKey: "dl-1", state: 1, isDownload: true, fileType: "1 Firmware Upgrade Image", fileSize: 0, targetFileName: "" },
  ]);
});

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
