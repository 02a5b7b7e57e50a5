/**
 * Keyed instances of multi-instance tables. Instances are matched by their key values, never by instance number
 * (the CPE assigns numbers). Unmatched instances Converge created are reused for missing desired instances
 * (that is how an instance we just added gets its keys set), and pruned when `prune` is set; instances we did
 * not create are never touched (Flux: delete only what you created).
 */
import type { DesiredInstance, DesiredTable, DesiredValue } from "../policy/desired.types.js";
import type { PlanContext } from "./context.js";
import { sameAsWritten } from "./equality.js";
import { intents, mergeIntents, NO_INTENTS, type Intents, type RefreshReason } from "./intents.js";
import { activeBackoff, knownAbsent } from "./knowledge.js";
import { instanceOf, isIgnored, selectorOf } from "./paths.js";
import { planValue } from "./values.js";

interface Binding {
  readonly instance: DesiredInstance;
  readonly n: number;
}

/** Plans one desired table: discover it, read instance keys, match, add, prune, then each bound instance's values. */
export function planTable(ctx: PlanContext, dt: DesiredTable): Intents {
  const t = dt.table;
  if (isIgnored(ctx.input.desired.ignore, t)) return NO_INTENTS;
  const b = activeBackoff(ctx.k, t);
  if (b !== undefined) return intents({ notes: [{ kind: "backoff", path: t, until: b.until, code: b.code }] });
  const absentFrom = knownAbsent(ctx.k, t, dt.verifyEveryMs);
  if (absentFrom !== undefined) return intents({ notes: [{ kind: "unsupported", path: t, message: `not in ${absentFrom} on this device` }] });
  const at = ctx.input.reported.discovered.get(t);
  // The instance list must be current before matching: enumerate the table itself, one level (TR-069 A.3.2.3
  // NextLevel=true). A table the CPE does not have answers 9005 and backs off.
  if (at === undefined || ctx.input.now - at >= dt.verifyEveryMs) {
    return intents({ discover: [{ path: t, reason: at === undefined ? "unknown" : "stale" }] });
  }
  const keyNames = keyNamesOf(dt);
  const numbers = instancesOf(ctx, t);
  const keyReads = keyRefreshes(ctx, dt, numbers, keyNames);
  if (keyReads.refresh.length > 0) return keyReads;
  const matchable = numbers.filter((n) => keyNames.every((k) => activeBackoff(ctx.k, `${t}${n}.${k}`) === undefined));
  const { bound, missing } = bindInstances(ctx, dt, matchable, keyNames);
  return mergeIntents([
    keyReads,
    pruneUnbound(ctx, dt, matchable, bound),
    addMissing(ctx, dt, missing),
    ...bound.map((bi) => planInstanceValues(ctx, dt, bi, keyNames)),
  ]);
}

function keyNamesOf(dt: DesiredTable): readonly string[] {
  if (dt.keyNames.length > 0) return dt.keyNames;
  return [...new Set(dt.instances.flatMap((i) => Object.keys(i.key)))].sort();
}

function instancesOf(ctx: PlanContext, table: string): number[] {
  const out: number[] = [];
  for (const o of ctx.k.objects) {
    const n = instanceOf(table, o);
    if (n !== undefined) out.push(n);
  }
  return out.sort((a, b) => a - b);
}

/** Reads of instance key values that are unknown, stale or awaiting read-back (matching waits for them). */
function keyRefreshes(ctx: PlanContext, dt: DesiredTable, numbers: readonly number[], keyNames: readonly string[]): Intents {
  const refresh: { path: string; reason: RefreshReason }[] = [];
  for (const n of numbers) {
    for (const k of keyNames) {
      const path = `${dt.table}${n}.${k}`;
      const reason = keyReadReason(ctx, dt, path);
      if (reason !== undefined) refresh.push({ path, reason });
    }
  }
  return intents({ refresh });
}

function keyReadReason(ctx: PlanContext, dt: DesiredTable, path: string): RefreshReason | undefined {
  if (activeBackoff(ctx.k, path) !== undefined) return undefined;
  if (ctx.input.inventory.readback?.has(path) === true) return "readback";
  const p = ctx.input.reported.params.get(path);
  if (p === undefined) return "unknown";
  return ctx.input.now - p.observedAt >= dt.verifyEveryMs ? "stale" : undefined;
}

function keyMatches(ctx: PlanContext, table: string, n: number, keyNames: readonly string[], inst: DesiredInstance): boolean {
  return keyNames.every((k) => {
    const p = ctx.input.reported.params.get(`${table}${n}.${k}`);
    const want = inst.key[k];
    return p !== undefined && want !== undefined && sameAsWritten(p.type, want, p.value, ctx.input.quirks);
  });
}

/**
 * Binds desired instances to instance numbers: first by key values (lowest number wins), then unmatched desired
 * instances take unmatched instances Converge created (lowest first), e.g. one just added whose keys are unset.
 */
function bindInstances(ctx: PlanContext, dt: DesiredTable, numbers: readonly number[], keyNames: readonly string[]): { bound: Binding[]; missing: DesiredInstance[] } {
  const used = new Set<number>();
  const bound: Binding[] = [];
  const unmatched: DesiredInstance[] = [];
  for (const inst of dt.instances) {
    const n = numbers.find((m) => !used.has(m) && keyMatches(ctx, dt.table, m, keyNames, inst));
    if (n === undefined) unmatched.push(inst);
    else (used.add(n), bound.push({ instance: inst, n }));
  }
  const created = new Set(ctx.input.inventory.created.get(dt.table) ?? []);
  const free = numbers.filter((n) => created.has(n) && !used.has(n) && !dt.instances.some((i) => keyMatches(ctx, dt.table, n, keyNames, i)));
  const missing: DesiredInstance[] = [];
  for (const inst of unmatched) {
    const n = free.shift();
    if (n === undefined) missing.push(inst);
    else bound.push({ instance: inst, n });
  }
  return { bound, missing };
}

function addMissing(ctx: PlanContext, dt: DesiredTable, missing: readonly DesiredInstance[]): Intents {
  const parts = missing.map((inst): Intents => {
    const sel = selectorOf(dt.table, inst.key);
    const b = activeBackoff(ctx.k, sel);
    if (b !== undefined) return intents({ notes: [{ kind: "backoff", path: sel, until: b.until, code: b.code }] });
    if (dt.drift === "report") return intents({ notes: [{ kind: "drift", path: sel, desired: "present", reported: "absent", healed: false }] });
    return intents({ adds: [{ kind: "addObject", table: dt.table, key: inst.key, from: inst.from }] });
  });
  return mergeIntents(parts);
}

// Flux's rule: only what we created may be deleted, and only when the policy asks for pruning.
function pruneUnbound(ctx: PlanContext, dt: DesiredTable, numbers: readonly number[], bound: readonly Binding[]): Intents {
  if (!dt.prune) return NO_INTENTS;
  const created = new Set(ctx.input.inventory.created.get(dt.table) ?? []);
  const keep = new Set(bound.map((bi) => bi.n));
  const parts = numbers
    .filter((n) => created.has(n) && !keep.has(n))
    .map((n): Intents => {
      const object = `${dt.table}${n}.`;
      const b = activeBackoff(ctx.k, object);
      if (b !== undefined) return intents({ notes: [{ kind: "backoff", path: object, until: b.until, code: b.code }] });
      if (dt.drift === "report") return intents({ notes: [{ kind: "drift", path: object, desired: "absent", reported: "present", healed: false }] });
      if (ctx.input.desired.held?.includes(dt.from.policy) === true)
        return intents({ notes: [{ kind: "pending", what: "window", message: `deleting ${object} waits for the maintenance window of policy ${dt.from.policy}'s rollout` }] });
      return intents({ deletes: [{ kind: "deleteObject", object, from: dt.from }] });
    });
  return mergeIntents(parts);
}

function planInstanceValues(ctx: PlanContext, dt: DesiredTable, bi: Binding, keyNames: readonly string[]): Intents {
  const base = `${dt.table}${bi.n}.`;
  const keys = keyNames.flatMap((k): DesiredValue[] => {
    const value = bi.instance.key[k];
    if (value === undefined) return [];
    return [{ path: k, value, type: undefined, writeOnly: false, drift: dt.drift, verifyEveryMs: dt.verifyEveryMs, from: bi.instance.from }];
  });
  return mergeIntents([...keys, ...bi.instance.values].map((v) => planValue(ctx, v, `${base}${v.path}`)));
}
