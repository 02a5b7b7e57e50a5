/**
 * A loaded policy set as plain data, to cross a thread boundary (structured clone): the set's functions (the
 * compiled selectors' matchers, the variable and secret lookups) are left behind and rebuilt on arrival from
 * the data they close over (each selector's `match` block, the variable tables, the secrets). Rebuilding costs
 * one selector compile per policy, not per key. Pure.
 */
import { compileSelector } from "./match.js";
import type { RawMatch } from "./raw.js";
import { buildPolicySet } from "./policy-set.js";
import type { Policy, PolicySet } from "./types.js";
import { varLookups, type VarTable } from "./vars.js";

/** A loaded set with the variable tables and secrets its lookups close over (what `loadPolicyParts` returns). */
export interface LoadedParts {
  readonly set: PolicySet;
  readonly vars: ReadonlyMap<string, VarTable>;
  readonly secrets: ReadonlyMap<string, string>;
}

type PlainPolicy = Omit<Policy, "selector"> & { readonly match: RawMatch | undefined };

export interface PolicySetTransfer {
  readonly set: Omit<PolicySet, "policies" | "lookups" | "index"> & { readonly policies: readonly PlainPolicy[] };
  readonly vars: ReadonlyMap<string, VarTable>;
  readonly secrets: ReadonlyMap<string, string>;
}

export function toTransfer(parts: LoadedParts): PolicySetTransfer {
  const { policies, lookups: _lookups, index: _index, ...rest } = parts.set;
  return {
    set: { ...rest, policies: policies.map(({ selector, ...p }) => ({ ...p, match: selector.raw })) },
    vars: parts.vars,
    secrets: parts.secrets,
  };
}

export function fromTransfer(t: PolicySetTransfer): PolicySet {
  const policies = t.set.policies.map(({ match, ...p }): Policy => ({ ...p, selector: compileSelector(match, "").selector }));
  const secrets = t.secrets;
  const secretList = [...secrets.values()];
  return buildPolicySet({ ...t.set, policies, lookups: { ...varLookups(t.vars), secret: (n) => secrets.get(n), secretValues: () => secretList } });
}
