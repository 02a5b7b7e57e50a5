/**
 * Merging keyed table instances across matching policies (see desired.ts for the rule). Pure.
 * The highest-precedence policy that declares a table fixes its key names, prune flag, drift and verify;
 * instances are merged by key value; a lower-priority policy keying the same table differently is ignored
 * with a conflict note.
 */
import type { DesiredInstance, DesiredTable, DesiredValue, Provenance } from "./desired.types.js";
import type { TemplateContext } from "./template.js";
import type { Policy, PolicyInstance, PolicyTable } from "./types.js";
import { provenanceOf } from "./types.js";
import type { NoteSink } from "./desired-merge.js";
import { sameDesired } from "../reconcile/equality.js";
import { claim, resolveValue } from "./desired-merge.js";

interface TableAcc {
  readonly head: { readonly policy: Policy; readonly table: PolicyTable };
  readonly instances: Map<string, { readonly priority: number; item: DesiredInstance | undefined; readonly from: Provenance[] }>;
}

function resolveInstance(p: Policy, t: PolicyTable, inst: PolicyInstance, ctx: TemplateContext, notes: NoteSink): DesiredInstance | undefined {
  const from = provenanceOf(p, inst.site);
  const values: DesiredValue[] = [];
  for (const v of inst.values) {
    const r = resolveValue(v, ctx);
    if (!r.ok) {
      notes.add("unresolved-template", `${t.table}[${JSON.stringify(inst.key)}].${v.path}`, `${r.error}: the instance is left out`, [from]);
      return undefined;
    }
    values.push({
      path: v.path,
      value: r.value,
      type: v.type,
      writeOnly: v.writeOnly,
      drift: p.drift,
      verifyEveryMs: p.verifyEveryMs,
      from: provenanceOf(p, v.site),
    });
  }
  return { key: inst.key, values, from };
}

/** Two declarations of one instance set the same paths to the same values (`sameDesired`, per type). */
function sameInstance(a: DesiredInstance, b: DesiredInstance): boolean {
  if (a.values.length !== b.values.length) return false;
  const theirs = new Map(b.values.map((v) => [v.path, v]));
  return a.values.every((v) => {
    const o = theirs.get(v.path);
    return o !== undefined && sameDesired(v, o);
  });
}

export function mergeTables(policies: readonly Policy[], ctx: TemplateContext, notes: NoteSink): DesiredTable[] {
  const acc = new Map<string, TableAcc>();
  for (const p of policies)
    for (const t of p.tables) {
      let a = acc.get(t.table);
      if (a === undefined) acc.set(t.table, (a = { head: { policy: p, table: t }, instances: new Map() }));
      else if (a.head.table.keyNames.join(",") !== t.keyNames.join(",")) {
        notes.add(
          "conflict",
          t.table,
          `keyed by [${t.keyNames.join(", ")}] here but [${a.head.table.keyNames.join(", ")}] in "${a.head.policy.name}": these instances are ignored`,
          [provenanceOf(p, t.site), provenanceOf(a.head.policy, a.head.table.site)],
        );
        continue;
      }
      for (const inst of t.instances) {
        const item = resolveInstance(p, t, inst, ctx, notes);
        claim(a.instances, `${t.table}[${JSON.stringify(inst.key)}]`, p.priority, item, provenanceOf(p, inst.site), sameInstance, notes);
      }
    }
  return [...acc.values()].map(({ head: { policy, table }, instances }) => ({
    table: table.table,
    keyNames: table.keyNames,
    prune: table.prune,
    instances: [...instances.values()].flatMap((c) => (c.item === undefined ? [] : [c.item])),
    drift: policy.drift,
    verifyEveryMs: policy.verifyEveryMs,
    from: provenanceOf(policy, table.site),
  }));
}
