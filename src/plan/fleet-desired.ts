/**
 * The desired state `converge plan` gives a stored device, with a key that says when two devices get the same
 * one (issue 16: a million devices share a handful of desired states, templates aside). Pure, but for the resolver it
 * builds (server/desired-resolver.ts, itself pure given its inputs).
 *
 * `desiredStateFor(set, facts)` (policy/desired.ts) reads a device only through `matchingPolicies(set, facts)`
 * and through the template context of policy/template.ts, whose every read is a template reference
 * (`device.<field>`, `param.<path>`, `vars.<name>`, `secret.<name>`) resolved by `resolveTemplate`. So its result
 * is a function of which policies match and of what each template of those policies resolves to for the device
 * (its value, or its error). The resolver of `converge plan` (server/desired-resolver.ts, without pins or hosted
 * files) adds the data model's root and the connection-request credentials among the device's secrets. The key is
 * exactly those: the matched policies (by position in the set), every template result of theirs (templates found
 * by walking the compiled policy, so none is missed), the data model, the device's secrets and, for a model that
 * keeps its own connection request username (`quirks:` connReqUsername), the one it reports. A template such
 * as `isp-${device.serialNumber | last(4)}` puts its result, not the serial, in the key: devices whose serials end
 * alike share it.
 */
import type { DesiredState, MatchSubject } from "../policy/desired.types.js";
import { matchingPolicies, templateContext } from "../policy/desired.js";
import { resolveTemplate, type Template } from "../policy/template.js";
import type { Policy, PolicySet } from "../policy/types.js";
import { createDesiredResolver } from "../server/desired-resolver.js";
import { fingerprint } from "./plan-key.js";

export interface FleetDesired {
  readonly desired: (facts: MatchSubject, secrets: ReadonlyMap<string, string>) => DesiredState | undefined;
  /** Equal keys: equal desired states (see the header). */
  readonly key: (facts: MatchSubject, secrets: ReadonlyMap<string, string>) => string;
}

/** What of the server's configuration the resolver follows (default: credentials provisioned, usernames Converge's). */
export interface FleetDesiredOptions {
  readonly provisionConnReq?: "existing" | false;
  /** Per model (`quirks:` connReqUsername): a "reported" model's username is read, its value the reported one. */
  readonly connReqUsername?: (facts: MatchSubject) => "provisioned" | "reported";
}

const USERNAME = "ManagementServer.ConnectionRequestUsername";

/** The resolver `converge plan --db` plans with (the server's, never generating credentials) and its key. */
export function fleetDesired(set: PolicySet, opts: FleetDesiredOptions = {}): FleetDesired {
  const position = new Map(set.policies.map((p, i) => [p, i]));
  const templates = new WeakMap<Policy, readonly Template[]>();
  const templatesOf = (p: Policy): readonly Template[] => {
    let t = templates.get(p);
    if (t === undefined) templates.set(p, (t = templatesIn(p)));
    return t;
  };
  return {
    desired: createDesiredResolver({
      current: () => set,
      provisionConnReq: opts.provisionConnReq ?? "existing",
      ...(opts.connReqUsername ? { connReqUsername: opts.connReqUsername } : {}),
    }),
    key(facts, secrets) {
      const matched = matchingPolicies(set, facts);
      const ctx = templateContext(set, facts);
      // A model that keeps its own connection request username: its (observed) desired value is the reported one.
      const root = facts.dataModel === "tr098" ? "InternetGatewayDevice." : "Device.";
      const own = opts.connReqUsername?.(facts) === "reported" ? `u${JSON.stringify(facts.parameters.get(`${root}${USERNAME}`) ?? "")}` : "";
      let out = `${facts.dataModel ?? "-"}|${fingerprint(secrets)}|${own}|`;
      for (const p of matched) {
        out += `${position.get(p) ?? `?${p.name}`}(`;
        for (const t of templatesOf(p)) {
          const r = resolveTemplate(t, ctx);
          out += r.ok ? `${JSON.stringify(r.value)},` : `!${JSON.stringify(r.error)},`;
        }
        out += ")";
      }
      return out;
    },
  };
}

/** Every compiled template of a policy, in a fixed order (a walk of its plain objects and arrays). */
function templatesIn(p: Policy): Template[] {
  const out: Template[] = [];
  const visited = new Set<object>();
  const walk = (x: unknown): void => {
    if (typeof x !== "object" || x === null || visited.has(x)) return;
    visited.add(x);
    if (Array.isArray(x)) {
      for (const e of x) walk(e);
      return;
    }
    const proto: unknown = Object.getPrototypeOf(x);
    if (proto !== Object.prototype && proto !== null) return; // compiled matchers (RE2), Maps: no template inside
    if (isTemplate(x)) out.push(x);
    for (const v of Object.values(x)) walk(v);
  };
  walk(p);
  return out;
}

function isTemplate(x: object): x is Template {
  const parts: unknown = (x as { parts?: unknown }).parts;
  return Array.isArray(parts) && parts.every((e) => typeof e === "string" || (typeof e === "object" && e !== null && "ref" in e && "filters" in e));
}
