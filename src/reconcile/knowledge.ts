/**
 * What the planner knows of a device's structure: which objects and parameters are known to exist, and which are
 * known not to exist (their parent was enumerated without them).
 */
import type { Inventory, ReportedState } from "./types.js";
import { parentOf } from "./paths.js";

export interface Knowledge {
  readonly reported: ReportedState;
  readonly inventory: Inventory;
  readonly now: number;
  /** Every object known to exist: reported objects, discovered paths, and all ancestors of known paths. */
  readonly objects: ReadonlySet<string>;
}

/** Indexes the reported structure once per plan. */
export function knowledgeOf(reported: ReportedState, inventory: Inventory, now: number): Knowledge {
  const objects = new Set<string>();
  // Ancestors nearest first (as `ancestorsOf`), stopping at the first one known: its own ancestors are known then.
  // Sliced in place rather than through `ancestorsOf`, which builds every ancestor of every path (twice the
  // slices, and an array) where the first is usually known already: a session plans 3-4 times over 100s of paths.
  const addWithAncestors = (path: string): void => {
    if (path.endsWith(".")) objects.add(path);
    for (let i = path.lastIndexOf(".", path.length - 2); i >= 0; i = i === 0 ? -1 : path.lastIndexOf(".", i - 1)) {
      const a = path.slice(0, i + 1);
      if (objects.has(a)) return;
      objects.add(a);
    }
  };
  for (const p of reported.params.keys()) addWithAncestors(p);
  for (const p of reported.names?.keys() ?? []) addWithAncestors(p);
  for (const p of reported.objects.keys()) addWithAncestors(p);
  for (const p of reported.discovered.keys()) addWithAncestors(p);
  return { reported, inventory, now, objects };
}

/** True when a parameter or object is known to exist. */
export function isKnown(k: Knowledge, path: string): boolean {
  if (path.endsWith(".")) return k.objects.has(path);
  return k.reported.params.has(path) || (k.reported.names?.has(path) ?? false);
}

/** The backoff entry of `path` when it is still running at `now`. */
export function activeBackoff(k: Pick<Knowledge, "inventory" | "now">, path: string): { readonly until: number; readonly code: number | string } | undefined {
  const b = k.inventory.backoff.get(path);
  return b !== undefined && b.until > k.now ? b : undefined;
}

/**
 * The object that proves `path` absent: its parent was enumerated (GetParameterNames) less than `freshMs` ago and
 * did not list it. Undefined when the path is known, or when nothing proves it absent (then reading it is the
 * cheapest way to find out: a GetParameterValues answers existence, type and value in one round, where walking
 * the tree with GetParameterNames costs a round per level; a 9005 is bisected and backed off).
 */
export function knownAbsent(k: Knowledge, path: string, freshMs: number): string | undefined {
  if (isKnown(k, path)) return undefined;
  const parent = parentOf(path);
  const at = k.reported.discovered.get(parent);
  return at !== undefined && k.now - at < freshMs ? parent : undefined;
}

/** Writability as far as known (GetParameterNames or a 9008): undefined when not known. */
export function writableOf(k: Knowledge, path: string): boolean | undefined {
  return k.reported.params.get(path)?.writable ?? k.reported.names?.get(path)?.writable;
}
