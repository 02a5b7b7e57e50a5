/** The claim-by-priority step shared by every kind of desired item (see desired.ts for the rule). Pure. */
import type { DesiredNote, Provenance } from "./desired.types.js";
import type { TemplateContext } from "./template.js";
import { resolveTemplate } from "./template.js";
import type { PolicyValue } from "./types.js";

/** Resolves a policy value for a device: its lexical form, or an error message. */
export function resolveValue(v: PolicyValue, ctx: TemplateContext): { ok: true; value: string } | { ok: false; error: string } {
  if (v.template === undefined) return { ok: true, value: v.literal ?? "" };
  return resolveTemplate(v.template, ctx);
}

/** One path's claim while merging: the winning priority, its value (undefined = conflict or unresolved). */
export interface Claim<T> {
  readonly priority: number;
  item: T | undefined;
  readonly from: Provenance[];
}

export class NoteSink {
  readonly notes: DesiredNote[] = [];
  add(kind: DesiredNote["kind"], path: string, message: string, from: readonly Provenance[]): void {
    this.notes.push({ kind, path, message, from });
  }
}

/**
 * Claims `path` for an item of priority `priority`. Returns the notes-worthy outcome. `same` decides whether
 * two items are the same value (then no conflict).
 */
export function claim<T>(
  claims: Map<string, Claim<T>>,
  path: string,
  priority: number,
  item: T | undefined,
  from: Provenance,
  same: (a: T, b: T) => boolean,
  notes: NoteSink,
): void {
  const c = claims.get(path);
  if (c === undefined) {
    claims.set(path, { priority, item, from: [from] });
    return;
  }
  if (c.priority > priority) {
    if (item !== undefined && c.item !== undefined && !same(c.item, item))
      notes.add("shadowed", path, `a higher-priority policy (${c.from[0]?.policy ?? "?"}) overrides this value`, [from, ...c.from]);
    return;
  }
  c.from.push(from);
  if (c.item === undefined || item === undefined || same(c.item, item)) return;
  c.item = undefined;
  notes.add(
    "conflict",
    path,
    `policies ${c.from.map((f) => `"${f.policy}"`).join(" and ")} have the same priority (${priority}) and set different values: none is applied`,
    [...c.from],
  );
}
