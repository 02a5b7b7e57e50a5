/**
 * One desired value against what is known: nothing to do, read it (unknown, stale, read back), discover where
 * it lives, set it, or a note (backoff, unsupported, not writable, drift, ignored drift).
 */
import type { XsdType } from "../domain/xsd.js";
import type { DesiredValue } from "../policy/desired.types.js";
import type { PlanContext } from "./context.js";
import { sameValue } from "./equality.js";
import { intents, NO_INTENTS, type Intents } from "./intents.js";
import { activeBackoff, existenceOf, writableOf } from "./knowledge.js";
import { writeOnlyHash } from "./parameter-key.js";
import { isIgnored } from "./paths.js";
import type { ReportedParam } from "./types.js";

const HIDDEN = "(write-only)";

/**
 * Plans one desired value at full path `path`. `assumeExists`: the path is a parameter of a known table
 * instance, read directly rather than discovered (instances of a table share their parameters).
 */
export function planValue(ctx: PlanContext, dv: DesiredValue, path: string, assumeExists: boolean): Intents {
  if (isIgnored(ctx.input.desired.ignore, path)) return NO_INTENTS;
  const b = activeBackoff(ctx.k, path);
  if (b !== undefined) return intents({ notes: [{ kind: "backoff", path, until: b.until, code: b.code }] });
  if (!assumeExists) {
    const e = existenceOf(ctx.k, path, dv.verifyEveryMs);
    if (e.kind === "discover") return intents({ discover: [{ path: e.path, reason: e.reason }] });
    if (e.kind === "backoff") return intents({ notes: [{ kind: "backoff", path, until: e.until, code: e.code }] });
    if (e.kind === "absent") return intents({ notes: [{ kind: "unsupported", path, message: `not in ${e.parent} on this device` }] });
  }
  return dv.writeOnly ? planWriteOnly(ctx, dv, path) : planReadable(ctx, dv, path);
}

// cwmp-notes §7.5 (5): hidden values read back empty; compare with the hash of what we last set, and re-set
// when the ParameterKey says another party may have written since.
function planWriteOnly(ctx: PlanContext, dv: DesiredValue, path: string): Intents {
  const applied = ctx.input.inventory.writeOnlyHashes.get(path) === writeOnlyHash(dv.value);
  if (applied && ctx.keyMatches) return NO_INTENTS;
  if (writableOf(ctx.k, path) === false) return intents({ notes: [{ kind: "not-writable", path }] });
  if (dv.drift === "report") return intents({ notes: [{ kind: "drift", path, desired: HIDDEN, reported: HIDDEN, healed: false }] });
  const type = ctx.input.reported.params.get(path)?.type ?? dv.type ?? "xsd:string";
  return intents({ sets: [{ value: { name: path, value: dv.value, type }, from: dv.from, writeOnly: true }] });
}

function planReadable(ctx: PlanContext, dv: DesiredValue, path: string): Intents {
  const { inventory, now } = ctx.input;
  if (inventory.readback?.has(path) === true) return intents({ refresh: [{ path, reason: "readback" }] });
  const p = ctx.input.reported.params.get(path);
  if (p === undefined) return intents({ refresh: [{ path, reason: "unknown" }] });
  if (now - p.observedAt >= dv.verifyEveryMs) return intents({ refresh: [{ path, reason: "stale" }] });
  if (sameValue(compareType(p, dv.type), dv.value, p.value)) return NO_INTENTS;
  if (writableOf(ctx.k, path) === false) return intents({ notes: [{ kind: "not-writable", path }] });
  if (dv.drift === "report") return intents({ notes: [{ kind: "drift", path, desired: dv.value, reported: p.value, healed: false }] });
  // Drift proper: this revision was applied (the CPE carries its key) and the value moved since.
  const notes = ctx.keyMatches ? [{ kind: "drift" as const, path, desired: dv.value, reported: p.value, healed: true }] : [];
  return intents({ sets: [{ value: { name: path, value: dv.value, type: p.type }, from: dv.from, writeOnly: false }], notes });
}

/**
 * The type to compare with: the CPE's, unless it says xsd:string while the policy knows better. Decoders
 * default a missing xsi:type to xsd:string (Thomson, Sphairon), and "1" must still equal a desired `true`.
 */
function compareType(p: ReportedParam, desired: XsdType | undefined): XsdType {
  return p.type === "xsd:string" && desired !== undefined ? desired : p.type;
}
