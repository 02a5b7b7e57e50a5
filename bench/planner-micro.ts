/**
 * Not part of `run.ts`: the planner's two cuts of session 6 against the code they replaced, in one process, same
 * run (the replaced code is kept here only as the baseline): `mergeIntents` (loops against ten `flatMap`s) over
 * the intents of a first session's plan (60 values, a table of 20 instances of 5 values), and the ignore check over
 * 300 paths and 3 patterns (a segment walk against two `split`s). Run alone: node --import tsx bench/planner-micro.ts
 */
import { mergeIntents, intents, type Intents } from "../src/reconcile/intents.js";
import { matchesPattern } from "../src/reconcile/paths.js";
import { matchesBySplit as matchOld } from "../test/support/ignore-reference.js";
function mergeOld(all: readonly Intents[]): Intents {
  return {
    discover: all.flatMap((i) => i.discover),
    refresh: all.flatMap((i) => i.refresh),
    readAttributes: all.flatMap((i) => i.readAttributes),
    deletes: all.flatMap((i) => i.deletes),
    adds: all.flatMap((i) => i.adds),
    sets: all.flatMap((i) => i.sets),
    attributes: all.flatMap((i) => i.attributes),
    download: all.flatMap((i) => i.download),
    reboot: all.flatMap((i) => i.reboot),
    notes: all.flatMap((i) => i.notes),
  };
}
// A first session's plan: 60 values, a table of 20 instances x 5 values (each merged per instance, then per table).
const one = (i: number): Intents => intents(i % 3 === 0 ? { refresh: [{ path: `P.${i}`, reason: "unknown" }] } : {});
const values = Array.from({ length: 60 }, (_, i) => one(i));
const instances = Array.from({ length: 20 }, (_, k) => Array.from({ length: 5 }, (_, i) => one(k * 5 + i)));
const paths = Array.from({ length: 300 }, (_, i) => `InternetGatewayDevice.LANDevice.1.WLANConfiguration.${i % 4}.X_Vendor.Param${i}`);
const patterns = [
  "InternetGatewayDevice.DeviceInfo.",
  "InternetGatewayDevice.*.X_Vendor_Stats.",
  "InternetGatewayDevice.WANDevice.1.WANConnectionDevice.*.WANIPConnection.*.Stats.",
];
function time(label: string, f: () => void): number {
  for (let i = 0; i < 2000; i++) f();
  const t0 = performance.now();
  const n = 20000;
  for (let i = 0; i < n; i++) f();
  const us = ((performance.now() - t0) * 1000) / n;
  console.log(`${label}: ${us.toFixed(2)} µs`);
  return us;
}
for (let round = 0; round < 3; round++) {
  const a = time("mergeIntents flatMap (one plan)", () => {
    const t = instances.map((x) => mergeOld(x));
    mergeOld([...values, ...t]);
  });
  const b = time("mergeIntents loops  (one plan)", () => {
    const t = instances.map((x) => mergeIntents(x));
    mergeIntents([...values, ...t]);
  });
  const c = time("isIgnored split, 300 paths x 3 patterns", () => {
    for (const p of paths) patterns.some((q) => matchOld(q, p));
  });
  const d = time("isIgnored walk,  300 paths x 3 patterns", () => {
    for (const p of paths) patterns.some((q) => matchesPattern(q, p));
  });
  console.log(`ratios: merge ${((b / a) * 100).toFixed(0)}%, match ${((d / c) * 100).toFixed(0)}%`);
}
