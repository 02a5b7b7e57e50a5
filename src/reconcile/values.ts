/**
 * One desired value against what is known: nothing to do, read it (unknown, stale, read back), discover where
 * it lives, set it, or a note (backoff, unsupported, not writable, drift, ignored drift).
 */
import type { DesiredValue } from "../policy/desired.types.js";
import type { PlanContext } from "./context.js";
import { reportedHolds } from "./equality.js";
import { intents, NO_INTENTS, type Intents } from "./intents.js";
import { activeBackoff, isKnown, knownAbsent, writableOf } from "./knowledge.js";
import { isIgnored } from "./paths.js";
import { writeOnlyHashOf } from "./parameter-key.js";

const HIDDEN = "(write-only)";

/** Plans one desired value at full path `path` (for table instances, under the bound instance number). */
export function planValue(ctx: PlanContext, dv: DesiredValue, path: string): Intents {
  if (isIgnored(ctx.input.desired.ignore, path)) return NO_INTENTS;
  const b = activeBackoff(ctx.k, path);
  // Converge's own management that the CPE refused (issue 9.10): backed off like any value, but it is no
  // policy's demand, so it does not keep the device from converging nor mark it Faulted.
  if (b !== undefined && dv.builtin === true) return NO_INTENTS;
  // A path backing off after a rejected write needs nothing when the device already holds the desired value
  // (a rollout aborted back to the value the CPE kept): only a write would be retried.
  if (b !== undefined)
    return !dv.writeOnly && freshAndEqual(ctx, dv, path) ? NO_INTENTS : intents({ notes: [{ kind: "backoff", path, until: b.until, code: b.code }] });
  const absentFrom = knownAbsent(ctx.k, path, dv.verifyEveryMs);
  if (absentFrom !== undefined) return intents({ notes: [{ kind: "unsupported", path, message: `not in ${absentFrom} on this device` }] });
  if (dv.observe === true) return planObserved(ctx, dv, path);
  return dv.writeOnly ? planWriteOnly(ctx, dv, path) : planReadable(ctx, dv, path);
}

/** A value Converge only reads (`DesiredValue.observe`): read when unknown or stale, never written. */
function planObserved(ctx: PlanContext, dv: DesiredValue, path: string): Intents {
  const p = ctx.input.reported.params.get(path);
  if (p === undefined) return intents({ refresh: [{ path, reason: "unknown" }] });
  if (ctx.input.now - p.observedAt >= dv.verifyEveryMs) return intents({ refresh: [{ path, reason: "stale" }] });
  return NO_INTENTS;
}

// cwmp-notes §7.5 (5): hidden values read back empty; compare with the hash of what we last set, and re-set
// when the ParameterKey says another party may have written since.
function planWriteOnly(ctx: PlanContext, dv: DesiredValue, path: string): Intents {
  // Read once to learn that it exists and its xsd type (SPV with the wrong type is 9006); the value is ignored.
  if (!isKnown(ctx.k, path) && dv.type === undefined) return intents({ refresh: [{ path, reason: "unknown" }] });
  const applied = wasApplied(ctx, dv, path);
  // A CPE that does not keep ParameterKey (learnt, inform-watch.ts) can never prove nobody wrote since: rely on
  // the last-set record alone instead of re-sending the value on every full visit (issue 9.11).
  if (applied && (keyIsOurs(ctx) || keyNotKept(ctx))) return NO_INTENTS;
  if (writableOf(ctx.k, path) === false) return intents({ notes: [{ kind: "not-writable", path }] });
  // drift: report applies a value once (new device, new desired value); afterwards another writer's change is reported.
  if (dv.drift === "report" && applied) return intents({ notes: [{ kind: "drift", path, desired: HIDDEN, reported: HIDDEN, healed: false }] });
  const type = ctx.input.reported.params.get(path)?.type ?? dv.type ?? "xsd:string";
  return intents({ sets: [{ value: { name: path, value: dv.value, type }, from: dv.from, writeOnly: true }] });
}

function freshAndEqual(ctx: PlanContext, dv: DesiredValue, path: string): boolean {
  const p = ctx.input.reported.params.get(path);
  if (p === undefined || ctx.input.inventory.readback?.has(path) === true) return false;
  return ctx.input.now - p.observedAt < dv.verifyEveryMs && reportedHolds(dv, p, ctx.input.quirks);
}

function planReadable(ctx: PlanContext, dv: DesiredValue, path: string): Intents {
  const { inventory, now } = ctx.input;
  if (inventory.readback?.has(path) === true) return intents({ refresh: [{ path, reason: "readback" }] });
  const p = ctx.input.reported.params.get(path);
  if (p === undefined) return intents({ refresh: [{ path, reason: "unknown" }] });
  if (now - p.observedAt >= dv.verifyEveryMs) return intents({ refresh: [{ path, reason: "stale" }] });
  if (reportedHolds(dv, p, ctx.input.quirks)) return NO_INTENTS;
  if (writableOf(ctx.k, path) === false) return intents({ notes: [{ kind: "not-writable", path }] });
  if (dv.drift === "report") {
    // Applied before (this very desired value): the device moved away since, so report it and leave it. Not yet
    // applied (a device that first matches, or a desired value that changed): apply it, and remember that.
    if (wasApplied(ctx, dv, path)) return intents({ notes: [{ kind: "drift", path, desired: dv.value, reported: p.value, healed: false }] });
    return intents({ sets: [{ value: { name: path, value: dv.value, type: p.type }, from: dv.from, writeOnly: false, report: true }] });
  }
  // Drift proper: this revision was applied (the CPE carries its key) and the value moved since.
  const notes = ctx.keyMatches ? [{ kind: "drift" as const, path, desired: dv.value, reported: p.value, healed: true }] : [];
  return intents({ sets: [{ value: { name: path, value: dv.value, type: p.type }, from: dv.from, writeOnly: false }], notes });
}

/** The device is known not to keep our ParameterKey: its model ignores it (`quirks:`), or it was learnt (learn only). */
function keyNotKept(ctx: PlanContext): boolean {
  const mode = ctx.input.quirks.parameterKey ?? "learn";
  return mode === "ignored" || (mode === "learn" && ctx.input.inventory.parameterKeyKept === false);
}

/** Converge set exactly this desired value at `path` before (the inventory keeps a keyed hash of it). */
function wasApplied(ctx: PlanContext, dv: DesiredValue, path: string): boolean {
  return ctx.input.inventory.writeOnlyHashes.get(path) === writeOnlyHashOf(dv, ctx.input.hashWriteOnly);
}

/**
 * The type to compare with: the CPE's, unless it says xsd:string while the policy knows better. Decoders
 * default a missing xsi:type to xsd:string (Thomson, Sphairon), and "1" must still equal a desired `true`.
 */
/**
 * cwmp-notes §7.5 (3): the CPE's ParameterKey changes only on a successful SetParameterValues/AddObject/
 * DeleteObject (and is emptied by a factory reset). A key we set ourselves, this revision's or an earlier one's,
 * means nobody else wrote through CWMP since; any other key (another ACS, an operator task, "") means someone may have.
 */
export function keyIsOurs(ctx: PlanContext): boolean {
  const reported = ctx.input.reported.parameterKey;
  return ctx.keyMatches || (reported !== "" && (ctx.input.inventory.appliedKeys ?? []).includes(reported));
}
