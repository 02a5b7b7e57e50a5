import test from "node:test";
import assert from "node:assert/strict";
import { UNVERIFIED } from "../../src/plan/state-json.js";
import { fromJson, stateResponseFromJson, toJson } from "../../src/plan/state-json.js";
import type { Inventory, ReportedState } from "../../src/reconcile/types.js";
import { inventory } from "../support/reconcile-builders.js";

interface RoundTrip {
  readonly name: string;
  readonly reported: ReportedState;
  readonly inventory: Inventory;
}

const BARE: ReportedState = { params: new Map(), objects: new Map(), discovered: new Map(), parameterKey: "", softwareVersion: "" };

const ROUND_TRIPS: readonly RoundTrip[] = [
  { name: "an empty device without names", reported: BARE, inventory: inventory() },
  {
    name: "params with unknown writability, with and without notification; names; objects and discovered paths",
    reported: {
      params: new Map([
        ["Device.A.X", { value: "1", type: "xsd:int", writable: undefined, observedAt: 10 }],
        ["Device.A.Y", { value: "18446744073709551615", type: "xsd:unsignedLong", writable: false, observedAt: 11, notification: 2 }],
        ["Device.A.Z", { value: "", type: "xsd:string", writable: true, observedAt: 12, notification: 0 }],
      ]),
      names: new Map([
        ["Device.A.N", { writable: true }],
        ["Device.A.M", { writable: undefined, notification: 1 }],
      ]),
      objects: new Map([["Device.T.3.", 5]]),
      discovered: new Map([
        ["Device.A.", 6],
        ["", 7],
      ]),
      parameterKey: "cv1-0123456789abcdef",
      softwareVersion: "V1.0",
    },
    inventory: inventory(),
  },
  { name: "an empty names map stays an empty map", reported: { ...BARE, names: new Map() }, inventory: inventory() },
  {
    name: "inventory: created, hashes, backoff, download, reboot pending, applied keys",
    reported: BARE,
    inventory: inventory({
      created: new Map([["Device.T.", [1, 4]]]),
      writeOnlyHashes: new Map([["Device.P", "ab12"]]),
      backoff: new Map([["Device.Q", { until: 99, code: 9005, attempts: 3 }]]),
      download: { commandKey: "fw-1", version: "2.0", startedAt: 42 },
      rebootPending: false,
      appliedKeys: ["k1", "k2"],
    }),
  },
  { name: "reboot pending true, no applied keys", reported: BARE, inventory: inventory({ rebootPending: true }) },
];

for (const row of ROUND_TRIPS) {
  void test(`state JSON round trip: ${row.name}`, () => {
    const json = toJson(row.reported, row.inventory);
    const back = fromJson(JSON.parse(JSON.stringify(json)));
    assert.ok(back.ok, back.ok ? "" : back.error);
    // Write-only hashes never leave the server: only their paths do, each marked UNVERIFIED.
    const hashes = new Map([...row.inventory.writeOnlyHashes.keys()].map((p) => [p, UNVERIFIED] as const));
    assert.deepStrictEqual(back.value, { reported: row.reported, inventory: { ...row.inventory, writeOnlyHashes: hashes } });
    assert.equal(JSON.stringify(json).includes("ab12"), false, "no stored hash in the JSON");
  });
}

void test("toJson leaves session-scoped inventory (readback, bisect) out", () => {
  const json = toJson(BARE, inventory({ readback: new Map([["A", "1"]]), bisect: [["A"]] }));
  assert.deepStrictEqual(Object.keys(json.inventory).sort(), ["backoff", "created", "download", "writeOnlyPaths"]);
});

const GOOD = (): Record<string, unknown> => JSON.parse(JSON.stringify(toJson(ROUND_TRIPS[1]?.reported ?? BARE, ROUND_TRIPS[3]?.inventory ?? inventory())));
type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
/** The object at `keys` inside `j` (fails the test if there is none). */
function at(j: unknown, ...keys: string[]): Obj {
  return keys.reduce<Obj>(
    (o, k) => {
      const v = o[k];
      assert.ok(isObj(v), `no object at ${keys.join(".")}`);
      return v;
    },
    isObj(j) ? j : {},
  );
}
/** GOOD() with `f` applied to the object at `keys`. */
const edit = (keys: string[], f: (o: Obj) => void): unknown => {
  const j = GOOD();
  f(at(j, ...keys));
  return j;
};

interface Bad {
  readonly name: string;
  readonly value: unknown;
  readonly error: RegExp;
}

const BAD: readonly Bad[] = [
  { name: "not an object", value: [], error: /^state: expected an object/ },
  { name: "no params", value: edit(["reported"], (o) => delete o["params"]), error: /^reported\.params: expected an object/ },
  {
    name: "an unknown xsd type",
    value: edit(["reported", "params", "Device.A.X"], (o) => (o["type"] = "xsd:float")),
    error: /^reported\.params\.Device\.A\.X\.type: expected an xsd type/,
  },
  { name: "writable as a string", value: edit(["reported", "params", "Device.A.X"], (o) => (o["writable"] = "yes")), error: /writable: expected a boolean/ },
  {
    name: "notification out of range",
    value: edit(["reported", "names", "Device.A.M"], (o) => (o["notification"] = 9)),
    error: /notification: expected a notification level/,
  },
  { name: "a value that is a number", value: edit(["reported", "params", "Device.A.X"], (o) => (o["value"] = 1)), error: /value: expected a string/ },
  {
    name: "created instance not a number",
    value: edit(["inventory", "created"], (o) => (o["Device.T."] = ["1"])),
    error: /^inventory\.created\.Device\.T\.\[0\]: expected a number/,
  },
  { name: "download missing its version", value: edit(["inventory", "download"], (o) => delete o["version"]), error: /^download\.version: expected a string/ },
  { name: "applied keys not an array", value: edit(["inventory"], (o) => (o["appliedKeys"] = "k1")), error: /^inventory\.appliedKeys: expected an array/ },
];

for (const row of BAD) {
  void test(`state JSON refuses ${row.name}`, () => {
    const r = fromJson(row.value);
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.error, row.error);
  });
}

const DEVICE = {
  deviceId: "00D09E-EX220-S1",
  manufacturer: "TP-Link",
  oui: "00D09E",
  productClass: "EX220",
  serialNumber: "S1",
  softwareVersion: "1.0",
  hardwareVersion: "v1",
  dataModel: "tr181",
  tags: ["lab"],
  lastInform: 5,
};

interface ResponseRow {
  readonly name: string;
  readonly body: unknown;
  readonly want: RegExp | { readonly productClass: string; readonly dataModel: string | undefined; readonly managedCredentials: boolean };
}

const RESPONSES: readonly ResponseRow[] = [
  {
    name: "a full response",
    body: { device: DEVICE, ...GOOD(), managedCredentials: true },
    want: { productClass: "EX220", dataModel: "tr181", managedCredentials: true },
  },
  {
    name: "a device without a data model",
    body: { device: { ...DEVICE, dataModel: undefined }, ...GOOD(), managedCredentials: false },
    want: { productClass: "EX220", dataModel: undefined, managedCredentials: false },
  },
  {
    name: "a bad device id",
    body: { device: { ...DEVICE, deviceId: "nope" }, ...GOOD(), managedCredentials: true },
    want: /^device\.deviceId: expected a device id/,
  },
  { name: "an unknown data model", body: { device: { ...DEVICE, dataModel: "tr104" }, ...GOOD(), managedCredentials: true }, want: /^device\.dataModel/ },
  { name: "no managedCredentials", body: { device: DEVICE, ...GOOD() }, want: /^managedCredentials: expected a boolean/ },
  { name: "tags not strings", body: { device: { ...DEVICE, tags: [1] }, ...GOOD(), managedCredentials: true }, want: /^device\.tags\[0\]: expected a string/ },
];

for (const row of RESPONSES) {
  void test(`state response: ${row.name}`, () => {
    const r = stateResponseFromJson(JSON.parse(JSON.stringify(row.body)));
    if (row.want instanceof RegExp) {
      assert.equal(r.ok, false);
      if (!r.ok) assert.match(r.error, row.want);
      return;
    }
    assert.ok(r.ok, r.ok ? "" : r.error);
    assert.deepStrictEqual(
      { productClass: r.value.record.productClass, dataModel: r.value.record.dataModel, managedCredentials: r.value.managedCredentials },
      row.want,
    );
    assert.deepStrictEqual(r.value.record.tags, ["lab"]);
    assert.equal(r.value.reported.parameterKey, "cv1-0123456789abcdef");
  });
}
