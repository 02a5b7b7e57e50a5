/**
 * Checks across policies: duplicate names, same-priority conflicts between policies whose selectors can
 * overlap, and policies fully shadowed by a higher-priority one with the same selector. Pure.
 */
import { selectorsDisjoint } from "./match.js";
import { sameDeclared } from "../reconcile/equality.js";
import type { Policy, PolicyError, PolicyInstance, Site, SourceLocation } from "./types.js";

const loc = (p: Policy, s: Site): SourceLocation => ({ file: p.file, line: s.line, column: s.column });
const where = (p: Policy, s: Site): string => `${p.file}:${s.line}`;

/** Duplicate policy names: an error at every occurrence, each naming the others. */
export function duplicateNames(policies: readonly Policy[]): PolicyError[] {
  const byName = new Map<string, Policy[]>();
  for (const p of policies) byName.set(p.name, [...(byName.get(p.name) ?? []), p]);
  const out: PolicyError[] = [];
  for (const group of byName.values()) {
    if (group.length < 2) continue;
    for (const p of group) {
      const others = group.filter((o) => o !== p);
      out.push({
        ...loc(p, p.site),
        severity: "error",
        code: "duplicate-name",
        path: "/name",
        message: `duplicate policy name "${p.name}" (also in ${others.map((o) => where(o, o.site)).join(", ")})`,
        related: others.map((o) => loc(o, o.site)),
      });
    }
  }
  return out;
}

function conflict(a: Policy, b: Policy, site: Site, what: string, mine: string, theirs: string, otherSite: Site): PolicyError {
  return {
    ...loc(b, site),
    severity: "error",
    code: "conflict",
    path: site.pointer,
    message: `conflict: ${what} is ${mine} here but ${theirs} in policy "${a.name}" (${where(a, otherSite)}); both have priority ${b.priority} and their selectors can match the same device`,
    expected: "different priorities, disjoint selectors, or the same value",
    related: [loc(a, otherSite)],
  };
}

/** The conflicts between two policies of equal priority (assumed to overlap). Reported at `b`. */
function pairConflicts(a: Policy, b: Policy): PolicyError[] {
  const out: PolicyError[] = [];
  const av = new Map(a.values.map((v) => [v.path, v]));
  for (const v of b.values) {
    const o = av.get(v.path);
    if (o !== undefined && !sameDeclared(v, o)) out.push(conflict(a, b, v.site, v.path, JSON.stringify(v.raw), JSON.stringify(o.raw), o.site));
  }
  const aa = new Map(a.attributes.map((x) => [x.path, x]));
  for (const x of b.attributes) {
    const o = aa.get(x.path);
    if (o !== undefined && o.notification !== x.notification)
      out.push(conflict(a, b, x.site, `notification of ${x.path}`, String(x.notification), String(o.notification), o.site));
  }
  out.push(...tableConflicts(a, b));
  if (a.firmware !== undefined && b.firmware !== undefined && (a.firmware.version !== b.firmware.version || a.firmware.url.raw !== b.firmware.url.raw))
    out.push(conflict(a, b, b.firmware.site, "firmware", JSON.stringify(b.firmware.version), JSON.stringify(a.firmware.version), a.firmware.site));
  return out;
}

function tableConflicts(a: Policy, b: Policy): PolicyError[] {
  const out: PolicyError[] = [];
  for (const t of b.tables) {
    const o = a.tables.find((x) => x.table === t.table);
    if (o === undefined) continue;
    if (o.keyNames.join(",") !== t.keyNames.join(",")) {
      out.push(conflict(a, b, t.site, `the key of ${t.table}`, `[${t.keyNames.join(", ")}]`, `[${o.keyNames.join(", ")}]`, o.site));
      continue;
    }
    for (const inst of t.instances) {
      const k = JSON.stringify(inst.key);
      const other = o.instances.find((x) => JSON.stringify(x.key) === k);
      if (other === undefined) continue;
      if (!sameInstance(inst, other)) out.push(conflict(a, b, inst.site, `instance ${k} of ${t.table}`, "declared differently", "another way", other.site));
    }
  }
  return out;
}

/** Two declarations of one instance set the same paths to the same values (per type: `sameDeclared`). */
function sameInstance(a: PolicyInstance, b: PolicyInstance): boolean {
  if (a.values.length !== b.values.length) return false;
  const theirs = new Map(b.values.map((v) => [v.path, v]));
  return a.values.every((v) => {
    const o = theirs.get(v.path);
    return o !== undefined && sameDeclared(v, o);
  });
}

/** Same-priority conflicts over the whole set. `policies` in precedence order (priority desc, then name). */
export function conflicts(policies: readonly Policy[]): PolicyError[] {
  const out: PolicyError[] = [];
  for (let i = 0; i < policies.length; i++) {
    const a = policies[i] as Policy;
    for (let j = i + 1; j < policies.length; j++) {
      const b = policies[j] as Policy;
      if (b.priority !== a.priority) break;
      if (a.inert || b.inert || selectorsDisjoint(a.selector, b.selector, a.dataModel, b.dataModel)) continue;
      out.push(...pairConflicts(a, b));
    }
  }
  return out;
}

function claims(p: Policy): string[] {
  return [
    ...p.values.map((v) => `v:${v.path}`),
    ...p.attributes.map((x) => `a:${x.path}`),
    ...p.tables.flatMap((t) => t.instances.map((i) => `t:${t.table}:${JSON.stringify(i.key)}`)),
    ...(p.firmware === undefined ? [] : ["firmware"]),
  ];
}

/** Warnings for policies whose every setting is overridden by a higher-priority policy with the same selector. */
export function shadowed(policies: readonly Policy[]): PolicyError[] {
  const out: PolicyError[] = [];
  policies.forEach((b, j) => {
    const mine = claims(b);
    if (mine.length === 0 || b.inert) return;
    const a = policies
      .slice(0, j)
      .find((x) => x.priority > b.priority && !x.inert && x.selector.key === b.selector.key && x.dataModel === b.dataModel && covers(claims(x), mine));
    if (a === undefined) return;
    out.push({
      ...loc(b, b.site),
      severity: "warning",
      code: "shadowed",
      path: "",
      message: `policy "${b.name}" is fully shadowed by "${a.name}" (${where(a, a.site)}): same selector, higher priority (${a.priority} > ${b.priority}), and it sets everything "${b.name}" sets`,
      related: [loc(a, a.site)],
    });
  });
  return out;
}

const covers = (higher: readonly string[], lower: readonly string[]): boolean => {
  const set = new Set(higher);
  return lower.every((c) => set.has(c));
};
