/**
 * `converge plan` over worker threads folds row slices (not in id order) into report parts (issue 16): merged, they
 * give the accumulator's summary over the devices in id order, keys in its insertion order, and the first changing
 * devices by id, whatever the order and the cut of the parts. Ids compare as SQLite's BINARY collation orders them.
 */
import test from "node:test";
import assert from "node:assert/strict";
import type { DeviceId } from "../../src/domain/device.js";
import type { DevicePlan } from "../../src/plan/device-plan.js";
import { createAccumulator, deviceChange, type DeviceChange } from "../../src/plan/fleet-plan.js";
import { compareIds, mergeParts, partBuilder } from "../../src/plan/report-parts.js";

const from = (policy: string) => ({ policy, file: `${policy}.yaml`, line: 3 });

/** Device i: a model of six (some with digit-only names: JSON puts integer keys first), policies by i, some unchanged, some drifting. */
function device(i: number): DevicePlan {
  const model = ["EG8145V5", "9", "BM632w", "Device2", "ZXHN H199A", "12"][i % 6] ?? "x";
  const wifi = i % 5 === 0 ? "wifi-b" : "wifi-a";
  const steps =
    i % 7 === 3
      ? []
      : [
          { kind: "setValues" as const, values: [{ name: "W.SSID", value: `isp-${i % 4}`, type: "xsd:string" as const }], from: [from(wifi)] },
          ...(i % 3 === 0 ? [{ kind: "reboot" as const, reason: "firmware", from: from(i % 2 === 0 ? "fw-z" : "fw-a") }] : []),
        ];
  const notes = i % 11 === 4 ? [{ kind: "drift" as const, path: "W.Code", desired: "a", reported: "b", healed: false }] : [];
  return {
    deviceId: `00259E-${model}-S${String((i * 7919) % 1000).padStart(4, "0")}${i}` as DeviceId,
    productClass: model,
    revision: "r1",
    matched: i % 13 === 0 ? [] : [wifi],
    diff: [],
    plan: { converged: false, parameterKey: "k", notes, steps },
  };
}

function shuffled<T>(xs: readonly T[], seed: number): T[] {
  const out = [...xs];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

void test("merged parts give the accumulator's summary in id order (keys in its insertion order) and the first changing devices by id", () => {
  const devices = Array.from({ length: 600 }, (_, i) => device(i));
  const inIdOrder = [...devices].sort((a, b) => compareIds(a.deviceId, b.deviceId));
  const limit = 37;
  const acc = createAccumulator();
  const want: DeviceChange[] = [];
  for (const d of inIdOrder) {
    const c = deviceChange(d);
    acc.accumulate(d, c);
    if ((c.writes.length > 0 || c.drift.length > 0) && want.length < limit) want.push(c);
  }
  for (const [seed, cuts] of [
    [1, 1],
    [7, 5],
    [42, 13],
  ] as const) {
    const order = shuffled(devices, seed);
    const parts = Array.from({ length: cuts }, (_, k) => {
      const b = partBuilder(limit);
      for (const d of order.slice(Math.floor((k * order.length) / cuts), Math.floor(((k + 1) * order.length) / cuts))) b.add(d, deviceChange(d));
      return b.part();
    });
    const got = mergeParts(shuffled(parts, seed + 1), limit);
    assert.equal(JSON.stringify(got.summary), JSON.stringify(acc.summary()), `summary, ${cuts} part(s)`);
    assert.equal(JSON.stringify(got.details), JSON.stringify(want), `details, ${cuts} part(s)`);
  }
  // The insertion order is not the sorted one: the test would see a merge that sorted its keys.
  assert.notDeepEqual(Object.keys(acc.summary().byPolicy), Object.keys(acc.summary().byPolicy).sort());
});

void test("a part given a cutoff keeps no listed device past it", () => {
  const b = partBuilder(10, "00259E-9-S5");
  for (let i = 0; i < 200; i++) b.add(device(i), deviceChange(device(i)));
  const part = b.part();
  assert.ok(part.details.length > 0);
  assert.ok(part.details.every((d) => compareIds(d.deviceId, "00259E-9-S5") < 0));
  assert.equal(part.devices, 200);
});

void test("ids compare by code point, as SQLite's BINARY collation orders their UTF-8", () => {
  const ids = ["a", "ab", "b", "\uffff", "\u{1f600}", "\ue000", "A", "", "a\u{10000}", "a\uffee"];
  const utf8 = [...ids].sort((x, y) => Buffer.compare(Buffer.from(x, "utf8"), Buffer.from(y, "utf8")));
  assert.deepEqual([...ids].sort(compareIds), utf8);
  // UTF-16 order differs: the test means something.
  assert.notDeepEqual([...ids].sort(), utf8);
});

void test("policies one device adds together keep its order, whatever part brought them first", () => {
  const plan = (id: string, policies: readonly string[]): DevicePlan => ({
    deviceId: id as DeviceId,
    productClass: "M",
    revision: "r1",
    matched: [...policies],
    diff: [],
    plan: { converged: false, parameterKey: "k", notes: [], steps: policies.map((p) => ({ kind: "reboot" as const, reason: "x", from: from(p) })) },
  });
  const first = plan("00259E-M-S1", ["p-a", "p-b"]);
  const later = plan("00259E-M-S2", ["p-b"]);
  const acc = createAccumulator();
  for (const d of [first, later]) acc.accumulate(d, deviceChange(d));
  const parts = [later, first].map((d) => {
    const b = partBuilder(5);
    b.add(d, deviceChange(d));
    return b.part();
  });
  assert.deepEqual(Object.keys(mergeParts(parts, 5).summary.byPolicy), Object.keys(acc.summary().byPolicy));
  assert.deepEqual(Object.keys(acc.summary().byPolicy), ["p-a", "p-b"]);
});
