// The Inform step's rules (session/inform.ts), as a table: what each Inform writes and what the session starts
// from. The store-level twin (test/integration/store-inform.test.ts) checks the store holds exactly that.
import test from "node:test";
import assert from "node:assert/strict";
import { applyInform, bootedBy } from "../../src/session/inform.js";
import { normaliseEventCode } from "../../src/cwmp/events.js";
import { deviceIdOf } from "../../src/domain/device.js";
import type { InformEvent, InformFacts } from "../../src/domain/facts.js";
import type { DeviceLoad, DeviceRecord } from "../../src/domain/store.js";
import type { Inventory, ReportedState } from "../../src/reconcile/types.js";

const ID = deviceIdOf({ manufacturer: "Huawei", oui: "00259E", productClass: "HG8245", serialNumber: "S1" });
const ev = (code: string): InformEvent => ({ code, commandKey: "" });
const PII = "InternetGatewayDevice.ManagementServer.PeriodicInformInterval";
const SSID = "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.SSID";

function facts(events: readonly InformEvent[], over: Partial<InformFacts> = {}): InformFacts {
  return {
    deviceId: ID,
    manufacturer: "Huawei",
    oui: "00259E",
    productClass: "HG8245",
    serialNumber: "S1",
    softwareVersion: "V2",
    hardwareVersion: "A",
    ip: "10.0.0.7",
    connectionRequestUrl: "http://10.0.0.7/cr",
    udpConnectionRequestAddress: "",
    parameterKey: "k2",
    dataModel: "tr098",
    events,
    parameters: [{ name: PII, value: "60", type: "xsd:unsignedInt" }],
    ...over,
  };
}

const RECORD: DeviceRecord = {
  ...facts([]),
  softwareVersion: "V1",
  parameterKey: "k1",
  firstSeen: 100,
  lastInform: 500,
  lastBoot: 100,
  lastEvents: [],
  tags: ["lab"],
  status: { conditions: [], matchedPolicies: ["p"], appliedRevision: "r", attemptedRevision: "r", lastTransition: 5 },
};
const REPORTED: ReportedState = {
  params: new Map([
    [PII, { value: "3600", type: "xsd:unsignedInt", writable: true, observedAt: 100, notification: 2 }],
    [SSID, { value: "home", type: "xsd:string", writable: true, observedAt: 100 }],
  ]),
  objects: new Map([["InternetGatewayDevice.X.1.", 100]]),
  discovered: new Map([["InternetGatewayDevice.X.", 100]]),
  parameterKey: "k1",
  softwareVersion: "V1",
};
const INVENTORY: Inventory = {
  created: new Map([["InternetGatewayDevice.X.", [1]]]),
  writeOnlyHashes: new Map(),
  backoff: new Map(),
  download: undefined,
  rebootPending: true,
};
const KNOWN: DeviceLoad = { record: RECORD, reported: REPORTED, inventory: INVENTORY, tasks: [], secrets: new Map([["cr.user", "u"]]) };
const UNKNOWN: DeviceLoad = {
  record: undefined,
  reported: { ...REPORTED, params: new Map(), objects: new Map(), discovered: new Map() },
  inventory: { ...INVENTORY, created: new Map(), rebootPending: undefined },
  tasks: [],
  secrets: new Map(),
};

const ROWS: readonly {
  name: string;
  known: DeviceLoad;
  events: readonly string[];
  kinds: readonly string[];
  lastBoot: number | undefined;
  ssid: boolean;
  rebootPending: boolean | undefined;
  created: number;
}[] = [
  {
    name: "a new device's BOOTSTRAP: created, booted, nothing to forget",
    known: UNKNOWN,
    events: ["0 BOOTSTRAP", "1 BOOT"],
    kinds: ["inform", "reported"],
    lastBoot: 1000,
    ssid: false,
    rebootPending: undefined,
    created: 0,
  },
  {
    name: "a known device's PERIODIC: values merged, boot time kept",
    known: KNOWN,
    events: ["2 PERIODIC"],
    kinds: ["inform", "reported"],
    lastBoot: 100,
    ssid: true,
    rebootPending: true,
    created: 1,
  },
  {
    name: "BOOT clears a pending reboot and keeps what was reported",
    known: KNOWN,
    events: ["1 BOOT"],
    kinds: ["inform", "rebootPending", "reported"],
    lastBoot: 1000,
    ssid: true,
    rebootPending: false,
    created: 1,
  },
  {
    name: "BOOTSTRAP with a ParameterKey while Converge never set one (a retried first session) forgets reported state, keeps the inventory",
    known: KNOWN,
    events: ["0 BOOTSTRAP"],
    kinds: ["inform", "rebootPending", "forgetState", "reported"],
    lastBoot: 1000,
    ssid: false,
    rebootPending: false,
    created: 1,
  },
  {
    name: "vendor events are not boots",
    known: KNOWN,
    events: ["X 00259E Reset"],
    kinds: ["inform", "reported"],
    lastBoot: 100,
    ssid: true,
    rebootPending: true,
    created: 1,
  },
];

for (const row of ROWS) {
  void test(`Inform step: ${row.name}`, () => {
    const out = applyInform(facts(row.events.map(ev)), row.known, 1000);
    assert.deepEqual(
      out.writes.map((w) => w.kind),
      row.kinds,
    );
    assert.equal(out.isNew, row.known.record === undefined);
    assert.equal(out.record.lastBoot, row.lastBoot);
    assert.equal(out.record.lastInform, 1000);
    assert.equal(out.record.firstSeen, row.known.record?.firstSeen ?? 1000);
    assert.deepEqual(out.record.tags, row.known.record?.tags ?? []);
    assert.equal(out.reported.params.has(SSID), row.ssid);
    assert.equal(out.reported.params.get(PII)?.value, "60");
    assert.equal(out.reported.params.get(PII)?.observedAt, 1000);
    assert.equal(out.reported.parameterKey, "k2");
    assert.equal(out.reported.softwareVersion, "V2");
    assert.equal(out.inventory.rebootPending, row.rebootPending);
    assert.equal(out.inventory.created.size, row.created);
  });
}

// Issue 10.5: only a real factory reset (the key emptied, or a key none of ours while we set some) forgets what
// Converge did to the device; a BOOTSTRAP that still carries one of our keys keeps it.
for (const [name, parameterKey, applied, forgets] of [
  ["an empty ParameterKey (a factory reset)", "", ["k1"], true],
  ["a key that is none of ours while we set some", "vendor", ["k1"], true],
  ["one of our keys (a retried first session)", "k1", ["k1"], false],
] as const) {
  void test(`Inform step: BOOTSTRAP with ${name} ${forgets ? "forgets" : "keeps"} the inventory`, () => {
    const known: DeviceLoad = { ...KNOWN, inventory: { ...KNOWN.inventory, appliedKeys: applied } };
    const out = applyInform(facts([ev("0 BOOTSTRAP")], { parameterKey }), known, 1000);
    assert.deepEqual(
      out.writes.find((w) => w.kind === "forgetState"),
      { kind: "forgetState", inventory: forgets },
    );
    assert.equal(out.inventory.created.size, forgets ? 0 : 1);
    assert.equal(out.reported.params.has(SSID), false, "reported knowledge is re-read either way");
  });
}

// The model's ParameterKey setting (`quirks:` parameterKey): what an Inform with a given key and events forgets.
// "learn" is the default (the rows above); "kept" takes an emptied key without BOOTSTRAP as a reset (a config-file
// restore); "ignored" takes every BOOTSTRAP as one (its key tells nothing).
for (const [mode, events, parameterKey, forget] of [
  ["learn", ["1 BOOT"], "", "nothing"],
  ["learn", ["2 PERIODIC"], "", "nothing"],
  ["kept", ["1 BOOT"], "", "everything"],
  ["kept", ["2 PERIODIC"], "", "everything"],
  ["kept", ["1 BOOT"], "k1", "nothing"],
  ["kept", ["1 BOOT"], "vendor", "nothing"],
  ["kept", ["0 BOOTSTRAP"], "k1", "reported"],
  ["kept", ["0 BOOTSTRAP"], "", "everything"],
  ["ignored", ["1 BOOT"], "", "nothing"],
  ["ignored", ["0 BOOTSTRAP"], "k1", "everything"],
  ["ignored", ["0 BOOTSTRAP"], "unsetCommandKey", "everything"],
  ["learn", ["0 BOOTSTRAP"], "k1", "reported"],
] as const) {
  void test(`Inform step, parameterKey ${mode}: ${events.join("+")} with key ${JSON.stringify(parameterKey)} forgets ${forget}`, () => {
    const known: DeviceLoad = { ...KNOWN, inventory: { ...KNOWN.inventory, appliedKeys: ["k1"] } };
    const out = applyInform(facts(events.map(ev), { parameterKey }), known, 1000, new Map(), mode);
    const written = out.writes.find((w) => w.kind === "forgetState");
    assert.deepEqual(written, forget === "nothing" ? undefined : { kind: "forgetState", inventory: forget === "everything" });
    assert.equal(out.inventory.created.size, forget === "everything" ? 0 : 1);
    assert.equal(out.reported.params.has(SSID), forget === "nothing", "reported knowledge is kept only when nothing is forgotten");
  });
}

void test("Inform step, parameterKey kept: an empty key before Converge set any is no reset (a new device's first key)", () => {
  const out = applyInform(facts([ev("1 BOOT")], { parameterKey: "" }), KNOWN, 1000, new Map(), "kept");
  assert.equal(
    out.writes.some((w) => w.kind === "forgetState"),
    false,
  );
});

void test("a value write keeps what is known of the parameter: writability and notification", () => {
  const out = applyInform(facts([ev("2 PERIODIC")]), KNOWN, 1000);
  assert.deepEqual(out.reported.params.get(PII), { value: "60", type: "xsd:unsignedInt", writable: true, observedAt: 1000, notification: 2 });
});

void test("an Inform without a data model keeps the known one", () => {
  assert.equal(applyInform(facts([], { dataModel: undefined }), KNOWN, 1000).record.dataModel, "tr098");
  assert.equal(applyInform(facts([], { dataModel: undefined }), UNKNOWN, 1000).record.dataModel, undefined);
});

void test("drawn secrets are written only for names the device lacks", () => {
  const out = applyInform(
    facts([]),
    KNOWN,
    1000,
    new Map([
      ["cr.user", "other"],
      ["cr.pass", "p"],
    ]),
  );
  assert.deepEqual(
    out.writes.filter((w) => w.kind === "secret"),
    [{ kind: "secret", name: "cr.pass", value: "p" }],
  );
});

void test("the rules compare exact codes: the decoder's normalisation is what makes '1  boot' a boot", () => {
  assert.equal(bootedBy(facts([ev("1  boot")])), false);
  assert.equal(bootedBy(facts([ev(normaliseEventCode("1  boot"))])), true);
  assert.equal(bootedBy(facts([ev(normaliseEventCode(" 0 bootstrap "))])), true);
});

const NORMALISED: readonly [string, string][] = [
  ["1 BOOT", "1 BOOT"],
  ["  0   bootstrap\t", "0 BOOTSTRAP"],
  ["2 periodic", "2 PERIODIC"],
  ["6 Connection  Request", "6 CONNECTION REQUEST"],
  ["m reboot", "M Reboot"],
  ["M  Download", "M Download"],
  ["X 00259E  Vendor Thing", "X 00259E Vendor Thing"],
];
for (const [raw, want] of NORMALISED) {
  void test(`event code ${JSON.stringify(raw)} normalises to ${JSON.stringify(want)}`, () => assert.equal(normaliseEventCode(raw), want));
}
