/**
 * The fixed step order (GenieACS's, made explicit) and the assembly of intents into batched steps.
 * Discover and read before writing (never set from stale knowledge); delete before add (frees instance slots on
 * constrained CPEs); values before attributes; disruptive operations (download, reboot) last.
 */
import type { Intents, RefreshReason } from "./intents.js";
import { batchBy, chunk, uniqueBy } from "./batch.js";
import type { DeviceQuirks, Inventory, PlanStep } from "./types.js";

const REFRESH_ORDER: readonly RefreshReason[] = ["unknown", "readback", "stale"];

/** Orders and batches intents into plan steps. */
export function stepsOf(i: Intents, quirks: DeviceQuirks, inventory: Inventory): PlanStep[] {
  const groups = inventory.bisect ?? [];
  return [
    ...uniqueBy(i.discover, (d) => d.path).map((d): PlanStep => ({ kind: "discover", path: d.path, reason: d.reason })),
    ...refreshSteps(i, quirks, groups),
    ...batchBy(
      uniqueBy(i.readAttributes, (p) => p),
      (p) => p,
      quirks.gpvBatchSize,
      groups,
    ).map((paths): PlanStep => ({ kind: "readAttributes", paths })),
    ...uniqueBy(i.deletes, (d) => d.object),
    ...i.adds,
    ...setSteps(i, quirks, groups),
    ...chunk(
      uniqueBy(i.attributes, (a) => a.path),
      Math.max(1, quirks.spvBatchSize),
    ).map((batch): PlanStep => ({
      kind: "setAttributes",
      attributes: batch.map((a) => ({ path: a.path, notification: a.notification })),
      from: batch.map((a) => a.from),
    })),
    ...i.download.slice(0, 1),
    ...i.reboot.slice(0, 1),
  ];
}

function refreshSteps(i: Intents, quirks: DeviceQuirks, groups: readonly (readonly string[])[]): PlanStep[] {
  const all = uniqueBy(i.refresh, (r) => r.path);
  return REFRESH_ORDER.flatMap((reason) => {
    const paths = all.filter((r) => r.reason === reason).map((r) => r.path);
    return batchBy(paths, (p) => p, quirks.gpvBatchSize, groups).map((batch): PlanStep => ({ kind: "refresh", paths: batch, reason }));
  });
}

function setSteps(i: Intents, quirks: DeviceQuirks, groups: readonly (readonly string[])[]): PlanStep[] {
  const sets = uniqueBy(i.sets, (s) => s.value.name);
  return batchBy(sets, (s) => s.value.name, quirks.spvBatchSize, groups).map((batch): PlanStep => {
    const writeOnly = batch.filter((s) => s.writeOnly).map((s) => s.value.name);
    const report = batch.filter((s) => s.report === true && !s.writeOnly).map((s) => s.value.name);
    const step = { kind: "setValues" as const, values: batch.map((s) => s.value), from: batch.map((s) => s.from) };
    // Object.assign: a spread followed by keys it lacks costs V8 ~1 µs per key (Node 20), per step of every plan.
    return Object.assign(step, writeOnly.length > 0 ? { writeOnly } : {}, report.length > 0 ? { report } : {});
  });
}
