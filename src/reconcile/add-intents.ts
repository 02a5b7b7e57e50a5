/**
 * Write-ahead AddObject intents (issue 10.5) and the instances Converge added for a declared instance (issue 9.1).
 * Pure: the session records an intent in the step that sends the AddObject (one transaction, before the RPC);
 * the answer turns it into a created instance with its key; a crash or a lost answer leaves the intent, and the
 * next enumeration of the table adopts the instance that appeared since (or drops the intent when none did).
 */
import type { ParamInfo } from "../cwmp/types.js";
import type { StoreWrite } from "../domain/store.js";
import { instanceOf, selectorOf } from "./paths.js";
import type { AddIntent, Inventory, PlanStep, ReportedState } from "./types.js";
import { nextBackoff, type BackoffLimits } from "./limits.js";

/**
 * Backoff key remembering that a declared instance was added (not a parameter path, so it never clashes): a
 * declared instance is added at most once per backoff period, even when its instance is gone again at once.
 */
export function addedKey(selector: string): string {
  return `#added:${selector}`;
}

/** Records the intent of `step` (and that this session added for its declared instance). */
export function withAddIntent(
  inv: Inventory,
  reported: ReportedState,
  step: Extract<PlanStep, { kind: "addObject" }>,
  now: number,
): { intent: AddIntent; inventory: Inventory } {
  const selector = selectorOf(step.table, step.key);
  const intent: AddIntent = { selector, table: step.table, key: step.key, before: instancesIn(reported, step.table), at: now };
  const addIntents = [...(inv.addIntents ?? []).filter((i) => i.selector !== selector), intent];
  const addedThisSession = new Set(inv.addedThisSession ?? []).add(selector);
  return { intent, inventory: { ...inv, addIntents, addedThisSession } };
}

/** Drops the intent of `selector` (answered: created, or faulted and nothing created). */
export function withoutAddIntent(inv: Inventory, selector: string): Inventory {
  if (!(inv.addIntents ?? []).some((i) => i.selector === selector)) return inv;
  return { ...inv, addIntents: (inv.addIntents ?? []).filter((i) => i.selector !== selector) };
}

/** Remembers the key instance `object` was added for. */
export function withCreatedKey(inv: Inventory, object: string, key: Readonly<Record<string, string>>): Inventory {
  return { ...inv, createdKeys: new Map(inv.createdKeys ?? []).set(object, key) };
}

/**
 * After GetParameterNames(NextLevel) of `table`: each unresolved intent for it adopts one instance that is new
 * since the intent (not known before it, not created by us), the lowest such number first (CPEs number max+1).
 * Returns the adopted instances (as created, with their key) and the intents resolved either way.
 */
export function resolveIntents(
  inv: Inventory,
  table: string,
  listed: readonly ParamInfo[],
  now: number,
  limits: BackoffLimits,
): { inventory: Inventory; writes: StoreWrite[] } {
  const pending = (inv.addIntents ?? []).filter((i) => i.table === table);
  if (pending.length === 0) return { inventory: inv, writes: [] };
  const created = new Set(inv.created.get(table) ?? []);
  const numbers = listed.flatMap((p) => {
    const n = instanceOf(table, p.name);
    return n === undefined ? [] : [n];
  });
  const taken = new Set<number>();
  const writes: StoreWrite[] = [];
  let next = inv;
  for (const intent of pending) {
    const known = new Set(intent.before);
    const n = numbers.filter((m) => !known.has(m) && !created.has(m) && !taken.has(m)).sort((a, b) => a - b)[0];
    next = withoutAddIntent(next, intent.selector);
    writes.push({ kind: "clearAddIntent", selector: intent.selector });
    if (n === undefined) {
      // The AddObject never took effect (or its answer and instance were lost): it still counts as the one
      // AddObject of this declared instance for a backoff period.
      const again = addedKey(intent.selector);
      const b = nextBackoff(limits, next.backoff.get(again)?.attempts ?? 0, now);
      next = { ...next, backoff: new Map(next.backoff).set(again, { until: b.until, code: "added", attempts: b.attempts }) };
      writes.push({ kind: "backoff", path: again, until: b.until, code: "added", attempts: b.attempts });
      continue;
    }
    taken.add(n);
    const object = `${table}${n}.`;
    const list = [...(next.created.get(table) ?? []), n].sort((a, b) => a - b);
    next = withCreatedKey({ ...next, created: new Map(next.created).set(table, list) }, object, intent.key);
    writes.push({ kind: "objectAdded", path: object, createdByUs: true, observedAt: now, key: intent.key });
  }
  return { inventory: next, writes };
}

/** Instance numbers of `table` the reported state knows (as objects, or through their parameters). */
export function instancesIn(reported: ReportedState, table: string): number[] {
  const out = new Set<number>();
  for (const paths of [reported.objects.keys(), reported.params.keys(), reported.names?.keys() ?? []]) {
    for (const p of paths) {
      if (!p.startsWith(table)) continue;
      const dot = p.indexOf(".", table.length);
      if (dot < 0) continue;
      const n = instanceOf(table, p.slice(0, dot + 1));
      if (n !== undefined) out.add(n);
    }
  }
  return [...out].sort((a, b) => a - b);
}
