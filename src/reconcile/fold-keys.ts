/**
 * Issue 9.1: an instance Converge added whose key parameters the CPE does not expose or keep. When setting them
 * on the instance fails (a fault on the SetParameterValues, or a set that is accepted and then does not read
 * back), the fold records the named fault `instance_keys_missing`, naming the table, the instance and the keys,
 * and backs off the declared instance (its selector) exponentially. The instance stays bound to it: never a
 * second AddObject, and the device's other policies go on. Pure.
 */
import type { StoreWrite } from "../domain/store.js";
import type { Fault } from "../domain/faults.js";
import type { Folded } from "./fold-faults.js";
import { stepPaths } from "./fold-faults.js";
import type { FoldState } from "./fold-state.js";
import { nextBackoff, type BackoffLimits } from "./limits.js";
import { parentOf, selectorOf } from "./paths.js";
import type { PlanStep } from "./types.js";

export const KEYS_MISSING = "instance_keys_missing";

/** Adds instance_keys_missing for key paths of our own instances that this fold newly backed off after a write. */
export function withKeyFailures(before: FoldState, after: Folded, step: PlanStep, now: number, limits: BackoffLimits): Folded {
  const keysOf = before.inventory.createdKeys;
  if (keysOf === undefined || keysOf.size === 0 || (step.kind !== "setValues" && step.kind !== "refresh")) return after;
  const written = before.inventory.readback ?? new Map<string, string>();
  const failed = new Map<string, string[]>();
  for (const path of stepPaths(step)) {
    const object = parentOf(path);
    const key = keysOf.get(object);
    const name = path.slice(object.length);
    if (key === undefined || key[name] === undefined) continue;
    // A failed first read only sends Converge on to set the keys; a failed set, or a set that does not read back, is the fault.
    if (step.kind === "refresh" && !written.has(path)) continue;
    const was = before.inventory.backoff.get(path);
    const now_ = after.inventory.backoff.get(path);
    if (now_ === undefined || (was !== undefined && was.until === now_.until && was.attempts === now_.attempts)) continue;
    failed.set(object, [...(failed.get(object) ?? []), name]);
  }
  if (failed.size === 0) return after;
  const backoff = new Map(after.inventory.backoff);
  const writes: StoreWrite[] = [];
  const faults: Fault[] = [];
  for (const [object, names] of failed) {
    const key = keysOf.get(object) ?? {};
    const table = parentOf(object);
    const selector = selectorOf(table, key);
    const b = nextBackoff(limits, backoff.get(selector)?.attempts ?? 0, now);
    backoff.set(selector, { until: b.until, code: KEYS_MISSING, attempts: b.attempts });
    const message = `table ${table}: instance ${object} that Converge added for ${selector.slice(table.length)} does not expose or keep its key parameter(s) ${names.join(", ")}; not added again, retried after backoff`;
    const policy = step.kind === "setValues" ? step.from[step.values.findIndex((v) => parentOf(v.name) === object)]?.policy : undefined;
    writes.push({ kind: "backoff", path: selector, until: b.until, code: KEYS_MISSING, attempts: b.attempts });
    writes.push({ kind: "fault", fault: { code: KEYS_MISSING, message, path: selector, policy, sessionId: undefined, retryable: true, at: now } });
    faults.push({ code: KEYS_MISSING, message, path: selector, retryable: true });
  }
  return { reported: after.reported, inventory: { ...after.inventory, backoff }, writes: [...after.writes, ...writes], faults: [...after.faults, ...faults] };
}
