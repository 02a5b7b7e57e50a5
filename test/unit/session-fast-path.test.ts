/** The converged fast path: when an Inform may skip loading and planning, and when it must not. */
import test from "node:test";
import assert from "node:assert/strict";
import { canTakeFastPath, informHash, nextVerifyAt, type FastPathEntry } from "../../src/session/fast-path.js";
import type { InformRequest } from "../../src/cwmp/types.js";
import type { DesiredState, DesiredValue } from "../../src/policy/desired.types.js";
import type { ReportedState } from "../../src/reconcile/types.js";

const inform = (events: string[], key = "cv1-abc", sw = "1.0"): InformRequest => ({
  method: "Inform",
  deviceId: { manufacturer: "ZTE", oui: "C0B101", productClass: "H199A", serialNumber: "S1" },
  events: events.map((code) => ({ code, commandKey: "" })),
  maxEnvelopes: 1,
  currentTime: "2026-11-25T00:00:00Z",
  retryCount: 0,
  parameterList: [
    { name: "InternetGatewayDevice.ManagementServer.ParameterKey", value: key, type: "xsd:string" },
    { name: "InternetGatewayDevice.DeviceInfo.SoftwareVersion", value: sw, type: "xsd:string" },
  ],
});

const BASE = inform(["2 PERIODIC"]);
const ENTRY: FastPathEntry = { revision: "r1", informHash: informHash(BASE, "10.0.0.1"), nextVerifyAt: 10_000, stateVersion: 3 };

const CASES: readonly [
  string,
  Partial<{ entry: FastPathEntry | undefined; revision: string | undefined; inform: InformRequest; ip: string; now: number; stateVersion: number }>,
  boolean,
][] = [
  ["a quiet periodic visit of a converged device", {}, true],
  ["a connection request visit", { inform: inform(["6 CONNECTION REQUEST"]) }, true],
  ["no entry: the device never ended converged here", { entry: undefined }, false],
  ["a new policy revision", { revision: "r2" }, false],
  ["no policy set loaded", { revision: undefined }, false],
  ["a desired value went stale (verify.every)", { now: 10_000 }, false],
  ["BOOT", { inform: inform(["1 BOOT"]) }, false],
  ["BOOTSTRAP", { inform: inform(["0 BOOTSTRAP", "1 BOOT"]) }, false],
  ["VALUE CHANGE", { inform: inform(["4 VALUE CHANGE"]) }, false],
  ["TRANSFER COMPLETE", { inform: inform(["7 TRANSFER COMPLETE", "M Download"]) }, false],
  ["another ParameterKey (someone else wrote)", { inform: inform(["2 PERIODIC"], "other") }, false],
  ["another software version", { inform: inform(["2 PERIODIC"], "cv1-abc", "2.0") }, false],
  ["another address", { ip: "10.0.0.2" }, false],
  ["the device's state changed since (another node's session, an API task, a tag, a delete)", { stateVersion: 4 }, false],
];

for (const [name, over, want] of CASES) {
  void test(`fast path: ${name} -> ${want}`, () => {
    const i = over.inform ?? BASE;
    const got = canTakeFastPath({
      entry: "entry" in over ? over.entry : ENTRY,
      revision: "revision" in over ? over.revision : "r1",
      inform: i,
      informHash: informHash(i, over.ip ?? "10.0.0.1"),
      now: over.now ?? 5_000,
      stateVersion: over.stateVersion ?? 3,
    });
    assert.equal(got, want);
  });
}

const from = { policy: "p", file: "p.yaml", line: 1 };
const dv = (path: string, verifyEveryMs: number, writeOnly = false): DesiredValue => ({
  path,
  value: "x",
  type: undefined,
  writeOnly,
  drift: "heal",
  verifyEveryMs,
  from,
});
const desired = (values: DesiredValue[]): DesiredState => ({
  revision: "r1",
  matched: ["p"],
  values,
  tables: [],
  attributes: [],
  firmware: undefined,
  ignore: [],
  allowReboot: false,
  notes: [],
});
const reported = (params: Record<string, number>): ReportedState => ({
  params: new Map(Object.entries(params).map(([p, at]) => [p, { value: "x", type: "xsd:string" as const, writable: true, observedAt: at }])),
  objects: new Map(),
  discovered: new Map(),
  parameterKey: "",
  softwareVersion: "",
});

void test("nextVerifyAt is the earliest observedAt + verify.every over desired values", () => {
  assert.equal(nextVerifyAt(desired([dv("A", 100), dv("B", 1000)]), reported({ A: 50, B: 10 })), 150);
});

void test("nextVerifyAt ignores write-only values (compared by hash, never re-read)", () => {
  assert.equal(nextVerifyAt(desired([dv("A", 100), dv("PW", 1, true)]), reported({ A: 50 })), 150);
});

void test("nextVerifyAt of a desired value never read is -Infinity: no fast path", () => {
  assert.equal(nextVerifyAt(desired([dv("A", 100)]), reported({})), Number.NEGATIVE_INFINITY);
});
