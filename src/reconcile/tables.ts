/**
 * Keyed instances of multi-instance tables. Instances are matched by their key values, never by instance number
 * (the CPE assigns numbers). Unmatched instances Converge created are reused for missing desired instances
 * (that is how an instance we just added gets its keys set), and pruned when `prune` is set; instances we did
 * not create are never touched (Flux: delete only what you created).
 */
import type { XsdType } from "../domain/xsd.js";
import type { DesiredInstance, DesiredTable, DesiredValue } from "../policy/desired.types.js";
import type { PlanContext } from "./context.js";
import { sameAsWritten } from "./equality.js";
import { intents, mergeIntents, NO_INTENTS, type Intents, type RefreshReason } from "./intents.js";
import { activeBackoff, knownAbsent } from "./knowledge.js";
import { instanceOf, isIgnored, selectorOf } from "./paths.js";
import { planValue } from "./values.js";
import { addedKey } from "./add-intents.js";

interface Binding {
  readonly instance: DesiredInstance;
  readonly n: number;
  /** Bound because Converge added instance n for this declared instance (Inventory.createdKeys), not by key. */
  readonly ours?: boolean;
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
  // NextLevel=true). A table the CPE does not have answers 9005 and backs off. An AddObject whose answer was
  // never recorded (write-ahead intent: a crash, a lost response) makes it stale: the enumeration adopts the
  // instance that appeared (fold.ts) before anything is added again.
  const unresolved = (ctx.input.inventory.addIntents ?? []).some((i) => i.table === t && (at === undefined || i.at >= at));
  if (at === undefined || ctx.input.now - at >= dt.verifyEveryMs || unresolved) {
    return intents({ discover: [{ path: t, reason: at === undefined ? "unknown" : "stale" }] });
  }
  const keyNames = keyNamesOf(dt);
  const numbers = instancesOf(ctx, t);
  const keyReads = keyRefreshes(ctx, dt, numbers, keyNames);
  if (keyReads.refresh.length > 0) return keyReads;
  const matchable = numbers.filter((n) => keyNames.every((k) => activeBackoff(ctx.k, `${t}${n}.${k}`) === undefined));
  const { bound, missing, duplicates } = bindInstances(ctx, dt, numbers, matchable, keyNames);
  return mergeIntents([
    keyReads,
    pruneUnbound(ctx, dt, matchable, bound, duplicates),
    addMissing(ctx, dt, missing),
    ...bound.map((bi) => planInstanceValues(ctx, dt, bi, keyNames)),
  ]);
}

/** The key an instance Converge created was added for (Inventory.createdKeys), if recorded. */
function addedFor(ctx: PlanContext, table: string, n: number): Readonly<Record<string, string>> | undefined {
  return ctx.input.inventory.createdKeys?.get(`${table}${n}.`);
}

function sameKey(a: Readonly<Record<string, string>> | undefined, b: Readonly<Record<string, string>>, keyNames: readonly string[]): boolean {
  return a !== undefined && keyNames.every((k) => a[k] === b[k]);
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
 * Binds desired instances to instance numbers: first by key values (lowest number wins); then an unmatched desired
 * instance takes the instance Converge added for it (Inventory.createdKeys), even while that instance's keys cannot
 * be read (issue 9.1: a CPE whose new object shows no children must get its keys set, not a second AddObject);
 * then unmatched instances Converge created with no recorded key (lowest first). An instance Converge added for a
 * declared instance that is bound elsewhere is a duplicate of its own making (a lost AddObjectResponse, a crash).
 */
function bindInstances(
  ctx: PlanContext,
  dt: DesiredTable,
  numbers: readonly number[],
  matchable: readonly number[],
  keyNames: readonly string[],
): { bound: Binding[]; missing: DesiredInstance[]; duplicates: number[] } {
  const used = new Set<number>();
  const bound: Binding[] = [];
  const unmatched: DesiredInstance[] = [];
  for (const inst of dt.instances) {
    const n = matchable.find((m) => !used.has(m) && keyMatches(ctx, dt.table, m, keyNames, inst));
    if (n === undefined) unmatched.push(inst);
    else (used.add(n), bound.push({ instance: inst, n }));
  }
  const created = new Set(ctx.input.inventory.created.get(dt.table) ?? []);
  const rest: DesiredInstance[] = [];
  for (const inst of unmatched) {
    const n = numbers.find((m) => !used.has(m) && created.has(m) && sameKey(addedFor(ctx, dt.table, m), inst.key, keyNames));
    if (n === undefined) rest.push(inst);
    else (used.add(n), bound.push({ instance: inst, n, ours: true }));
  }
  const duplicates = numbers.filter((m) => !used.has(m) && created.has(m) && dt.instances.some((i) => sameKey(addedFor(ctx, dt.table, m), i.key, keyNames)));
  const free = matchable.filter(
    (n) => created.has(n) && !used.has(n) && addedFor(ctx, dt.table, n) === undefined && !dt.instances.some((i) => keyMatches(ctx, dt.table, n, keyNames, i)),
  );
  const missing: DesiredInstance[] = [];
  for (const inst of rest) {
    const n = free.shift();
    if (n === undefined) missing.push(inst);
    else bound.push({ instance: inst, n });
  }
  return { bound, missing, duplicates };
}

function addMissing(ctx: PlanContext, dt: DesiredTable, missing: readonly DesiredInstance[]): Intents {
  const parts = missing.map((inst): Intents => {
    const sel = selectorOf(dt.table, inst.key);
    const b = activeBackoff(ctx.k, sel);
    if (b !== undefined) return intents({ notes: [{ kind: "backoff", path: sel, until: b.until, code: b.code }] });
    // At most one AddObject per declared instance per session, and per backoff period across sessions,
    // whatever the CPE answers afterwards (an instance gone again at once is not re-added in a loop).
    if (ctx.input.inventory.addedThisSession?.has(sel) === true) {
      return intents({
        notes: [{ kind: "unsupported", path: sel, message: "added once in this session and not found since: not added again before the next visit" }],
      });
    }
    const recent = activeBackoff(ctx.k, addedKey(sel));
    if (recent !== undefined) {
      return intents({
        notes: [
          {
            kind: "unsupported",
            path: sel,
            message: `added less than a backoff period ago and gone again: not re-added before ${new Date(recent.until).toISOString()}`,
          },
        ],
      });
    }
    if (dt.drift === "report") return intents({ notes: [{ kind: "drift", path: sel, desired: "present", reported: "absent", healed: false }] });
    return intents({ adds: [{ kind: "addObject", table: dt.table, key: inst.key, from: inst.from }] });
  });
  return mergeIntents(parts);
}

// Flux's rule: only what we created may be deleted, and only when the policy asks for pruning; a duplicate of
// Converge's own making (added for a declared instance that is bound to another instance) always goes.
function pruneUnbound(ctx: PlanContext, dt: DesiredTable, numbers: readonly number[], bound: readonly Binding[], duplicates: readonly number[]): Intents {
  const created = new Set(ctx.input.inventory.created.get(dt.table) ?? []);
  const keep = new Set(bound.map((bi) => bi.n));
  const doomed = dt.prune ? [...new Set([...numbers.filter((n) => created.has(n) && !keep.has(n)), ...duplicates])] : duplicates.filter((n) => !keep.has(n));
  const parts = doomed.map((n): Intents => {
    const object = `${dt.table}${n}.`;
    const b = activeBackoff(ctx.k, object);
    if (b !== undefined) return intents({ notes: [{ kind: "backoff", path: object, until: b.until, code: b.code }] });
    if (dt.drift === "report") return intents({ notes: [{ kind: "drift", path: object, desired: "absent", reported: "present", healed: false }] });
    if (ctx.input.desired.held?.includes(dt.from.policy) === true)
      return intents({
        notes: [{ kind: "pending", what: "window", message: `deleting ${object} waits for the maintenance window of policy ${dt.from.policy}'s rollout` }],
      });
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
  if (bi.ours === true) {
    const unread = keys.filter((k) => !ctx.input.reported.params.has(`${base}${k.path}`));
    if (unread.length > 0) return setOwnKeys(ctx, dt, bi, base, unread);
  }
  return mergeIntents([...keys, ...bi.instance.values].map((v) => planValue(ctx, v, `${base}${v.path}`)));
}

/**
 * An instance Converge added whose keys do not read back (no children, GetParameterValues empty or 9005): its keys
 * are set on its instance number (SetParameterValues), never the table added to again. When that fails too, the
 * fold records instance_keys_missing and backs the declared instance off (fold-keys.ts); its other values wait
 * for the keys. Types: the policy's, else the lexical form's (a key that cannot be read has no reported type).
 */
function setOwnKeys(ctx: PlanContext, dt: DesiredTable, bi: Binding, base: string, keys: readonly DesiredValue[]): Intents {
  const sel = selectorOf(dt.table, bi.instance.key);
  const b = activeBackoff(ctx.k, sel);
  if (b !== undefined) return intents({ notes: [{ kind: "backoff", path: sel, until: b.until, code: b.code }] });
  if (dt.drift === "report") return intents({ notes: [{ kind: "drift", path: sel, desired: "keys set", reported: "keys unreadable", healed: false }] });
  const sets = keys.map((k) => ({ value: { name: `${base}${k.path}`, value: k.value, type: k.type ?? lexicalType(k.value) }, from: k.from, writeOnly: false }));
  return intents({ sets });
}

function lexicalType(value: string): XsdType {
  if (/^(0|[1-9][0-9]{0,9})$/.test(value)) return "xsd:unsignedInt";
  if (value === "true" || value === "false") return "xsd:boolean";
  return "xsd:string";
}
