/**
 * What the planner knows of a device's structure: which objects and parameters are known to exist, which are
 * known not to exist (their parent was enumerated without them), and where to look next when neither.
 */
import type { Inventory, ReportedState } from "./types.js";
import { ancestorsOf, parentOf, rootOf } from "./paths.js";

export interface Knowledge {
  readonly reported: ReportedState;
  readonly inventory: Inventory;
  readonly now: number;
  /** Every object known to exist: reported objects, discovered paths, and all ancestors of known paths. */
  readonly objects: ReadonlySet<string>;
}

export type Existence =
  | { readonly kind: "present" }
  | { readonly kind: "absent"; readonly parent: string }
  | { readonly kind: "discover"; readonly path: string; readonly reason: "unknown" | "stale" }
  | { readonly kind: "backoff"; readonly path: string; readonly until: number; readonly code: number };

/** Indexes the reported structure once per plan. */
export function knowledgeOf(reported: ReportedState, inventory: Inventory, now: number): Knowledge {
  const objects = new Set<string>();
  const addWithAncestors = (path: string): void => {
    if (path.endsWith(".")) objects.add(path);
    for (const a of ancestorsOf(path)) {
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
export function activeBackoff(k: Pick<Knowledge, "inventory" | "now">, path: string): { readonly until: number; readonly code: number } | undefined {
  const b = k.inventory.backoff.get(path);
  return b !== undefined && b.until > k.now ? b : undefined;
}

/**
 * Whether `path` exists, and if that is not known, which object to enumerate next: GetParameterNames
 * (NextLevel=true) on the nearest known ancestor, never the whole tree. An ancestor enumerated less than
 * `freshMs` ago without listing the next segment means the path is absent.
 */
export function existenceOf(k: Knowledge, path: string, freshMs: number): Existence {
  if (isKnown(k, path)) return { kind: "present" };
  for (const anc of ancestorsOf(path)) {
    if (!k.objects.has(anc)) continue;
    const at = k.reported.discovered.get(anc);
    if (at !== undefined && k.now - at < freshMs) return { kind: "absent", parent: anc };
    return discoverOrBackoff(k, anc, at === undefined ? "unknown" : "stale");
  }
  return discoverOrBackoff(k, rootOf(path), "unknown");
}

function discoverOrBackoff(k: Knowledge, path: string, reason: "unknown" | "stale"): Existence {
  const b = activeBackoff(k, path);
  return b === undefined ? { kind: "discover", path, reason } : { kind: "backoff", path, until: b.until, code: b.code };
}

/** Writability as far as known (GetParameterNames or a 9008): undefined when not known. */
export function writableOf(k: Knowledge, path: string): boolean | undefined {
  return k.reported.params.get(path)?.writable ?? k.reported.names?.get(path)?.writable;
}

/** True when `path` sits directly in `object`. */
export function isChildOf(object: string, path: string): boolean {
  return parentOf(path) === object;
}
