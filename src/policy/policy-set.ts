/**
 * Builds the immutable `PolicySet` snapshot from compiled policies: precedence order and the OUI /
 * ProductClass pre-index that keeps per-device matching proportional to the candidate policies. Pure.
 */
import type { Policy, PolicyIndex, PolicySet } from "./types.js";

/** Precedence: priority descending, then name ascending (code-unit order, locale-independent). */
export function byPrecedence(a: Policy, b: Policy): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** Indexes policies (given in precedence order) by literal OUI, else literal ProductClass; inert ones are left out. */
export function indexPolicies(policies: readonly Policy[]): PolicyIndex {
  const byOui = new Map<string, number[]>();
  const byProductClass = new Map<string, number[]>();
  const rest: number[] = [];
  const add = (m: Map<string, number[]>, k: string, i: number): void => {
    const list = m.get(k);
    if (list === undefined) m.set(k, [i]);
    else if (list[list.length - 1] !== i) list.push(i);
  };
  policies.forEach((p, i) => {
    if (p.inert) return;
    const oui = p.selector.fields.oui;
    const pc = p.selector.fields.productClass;
    if (oui !== undefined && oui.tests.length === 0) for (const l of oui.literals) add(byOui, l.toLowerCase(), i);
    else if (pc !== undefined && pc.tests.length === 0) for (const l of pc.literals) add(byProductClass, l, i);
    else rest.push(i);
  });
  return { byOui, byProductClass, rest };
}

/** A snapshot before indexing: the index is derived, the secrets digest optional (tests build sets without one). */
export type PolicySetInput = Omit<PolicySet, "index" | "secretsDigest"> & { readonly secretsDigest?: string };

/** Freezes a snapshot: policies sorted by precedence, indexed. */
export function buildPolicySet(input: PolicySetInput): PolicySet {
  const policies = Object.freeze([...input.policies].sort(byPrecedence));
  return Object.freeze({
    revision: input.revision,
    loadedAt: input.loadedAt,
    dir: input.dir,
    policies,
    warnings: Object.freeze([...input.warnings]),
    lookups: Object.freeze({ ...input.lookups }),
    secretsDigest: input.secretsDigest ?? "",
    index: indexPolicies(policies),
    ...(input.sources === undefined ? {} : { sources: Object.freeze([...input.sources]) }),
  });
}
