/**
 * The per-device desired state: which policies match a device, and their merged, resolved values with
 * provenance. Pure: reads only the snapshot and the facts, never the clock, files or network.
 *
 * Merge rule (docs/policies.md): policies apply in precedence order (priority descending, then name). For
 * each path the highest-priority policy wins; a lower-priority value that differs is noted as `shadowed`.
 * Two policies of the SAME priority that disagree on a path are a `conflict`: NEITHER value is applied (never
 * resolved by name or load order), and the note names both. A template that cannot resolve for this device
 * is an `unresolved-template` note; the value is omitted and lower-priority policies do not fill it in.
 */
import type { DesiredAttribute, DesiredFirmware, DesiredState, DesiredTable, DesiredValue, MatchSubject } from "./desired.types.js";
import { sameDesired } from "../reconcile/equality.js";
import { matchesDevice } from "./match.js";
import type { TemplateContext } from "./template.js";
import type { Policy, PolicySet } from "./types.js";
import { byPrecedence } from "./policy-set.js";

/**
 * Which version of each policy a device gets while rollouts are in progress (decided by the rollout layer).
 * Pure data: the compiler only substitutes versions, it does not decide.
 */
export interface VersionPins {
  /** Policies served to this device in another version than the snapshot's: name -> that version (undefined: absent in it). */
  readonly replace: ReadonlyMap<string, Policy | undefined>;
  /** Policies whose disruptive steps (Download, Reboot, prune deletes) wait for their maintenance window. */
  readonly held: readonly string[];
  /** Policy name -> the revision this device is pinned to, for the policies a rollout governs. */
  readonly versions: Readonly<Record<string, string>>;
}
import { provenanceOf } from "./types.js";
import { mergeTables } from "./desired-tables.js";
import type { Claim } from "./desired-merge.js";
import { claim, NoteSink, resolveValue } from "./desired-merge.js";

/** Whether one policy applies to a device (its selector, and its data model when the device's is known). */
export function policyMatches(p: Policy, facts: MatchSubject): boolean {
  if (p.inert) return false;
  if (p.dataModel !== undefined && facts.dataModel !== undefined && p.dataModel !== facts.dataModel) return false;
  return matchesDevice(p.selector, facts);
}

/** The policies that match a device, in precedence order. Only candidates from the pre-index are tested. */
export function matchingPolicies(set: PolicySet, facts: MatchSubject, pins?: VersionPins): Policy[] {
  const { byOui, byProductClass, rest } = set.index;
  const replaced = pins?.replace;
  const candidates = new Set<number>(rest);
  for (const i of byOui.get(facts.oui.toLowerCase()) ?? []) candidates.add(i);
  for (const i of byProductClass.get(facts.productClass) ?? []) candidates.add(i);
  const out: Policy[] = [];
  for (const i of [...candidates].sort((a, b) => a - b)) {
    const p = set.policies[i];
    if (p !== undefined && replaced?.has(p.name) !== true && policyMatches(p, facts)) out.push(p);
  }
  if (replaced === undefined || replaced.size === 0) return out;
  for (const p of replaced.values()) if (p !== undefined && policyMatches(p, facts)) out.push(p);
  return out.sort(byPrecedence);
}

export function templateContext(set: PolicySet, facts: MatchSubject): TemplateContext {
  return {
    facts,
    variable: (name) => set.lookups.variable(name, facts.deviceId, facts.serialNumber),
    secret: (name) => set.lookups.secret(name),
  };
}

function mergeValues(policies: readonly Policy[], ctx: TemplateContext, notes: NoteSink): DesiredValue[] {
  const claims = new Map<string, Claim<DesiredValue>>();
  for (const p of policies) {
    for (const v of p.values) {
      const from = provenanceOf(p, v.site);
      const r = resolveValue(v, ctx);
      if (!r.ok) notes.add("unresolved-template", v.path, r.error, [from]);
      const dv: DesiredValue | undefined = r.ok
        ? { path: v.path, value: r.value, type: v.type, writeOnly: v.writeOnly, drift: p.drift, verifyEveryMs: p.verifyEveryMs, from }
        : undefined;
      claim(claims, v.path, p.priority, dv, from, sameDesired, notes);
    }
  }
  return [...claims.values()].flatMap((c) => (c.item === undefined ? [] : [c.item]));
}

function mergeAttributes(policies: readonly Policy[], notes: NoteSink): DesiredAttribute[] {
  const claims = new Map<string, Claim<DesiredAttribute>>();
  for (const p of policies)
    for (const a of p.attributes) {
      const from = provenanceOf(p, a.site);
      claim(claims, a.path, p.priority, { path: a.path, notification: a.notification, from }, from, (x, y) => x.notification === y.notification, notes);
    }
  return [...claims.values()].flatMap((c) => (c.item === undefined ? [] : [c.item]));
}

function mergeFirmware(policies: readonly Policy[], ctx: TemplateContext, notes: NoteSink): DesiredFirmware | undefined {
  const claims = new Map<string, Claim<DesiredFirmware>>();
  for (const p of policies) {
    const f = p.firmware;
    if (f === undefined) continue;
    const from = provenanceOf(p, f.site);
    const url = resolveValue(f.url, ctx),
      user = resolveValue(f.username, ctx),
      pass = resolveValue(f.password, ctx);
    const failed = [url, user, pass].find((r) => !r.ok);
    if (failed !== undefined && !failed.ok) notes.add("unresolved-template", "firmware", failed.error, [from]);
    const fw: DesiredFirmware | undefined =
      url.ok && user.ok && pass.ok
        ? {
            version: f.version,
            url: url.value,
            fileSize: f.fileSize,
            fileType: f.fileType,
            username: user.value,
            password: pass.value,
            checksum: f.checksum,
            from,
          }
        : undefined;
    claim(claims, "firmware", p.priority, fw, from, (a, b) => a.version === b.version && a.url === b.url, notes);
  }
  return claims.get("firmware")?.item;
}

/**
 * Compiles the desired state of one device against a snapshot. Never throws for any facts; never mutates the
 * snapshot. Values whose path an `ignore` pattern of a matching policy covers are left out.
 */
export function desiredStateFor(set: PolicySet, facts: MatchSubject, pins?: VersionPins): DesiredState {
  const matched = matchingPolicies(set, facts, pins);
  const ctx = templateContext(set, facts);
  const notes = new NoteSink();
  const ignoreMatchers = matched.flatMap((p) => p.ignoreMatchers);
  const ignored = (path: string): boolean => ignoreMatchers.some((re) => re.test(path));
  const tables: DesiredTable[] = mergeTables(matched, ctx, notes);
  const rebootPolicy = matched.find((p) => p.allowReboot !== undefined);
  return {
    revision: set.revision,
    matched: matched.map((p) => p.name),
    values: mergeValues(matched, ctx, notes).filter((v) => !ignored(v.path)),
    tables,
    attributes: mergeAttributes(matched, notes),
    firmware: mergeFirmware(matched, ctx, notes),
    ignore: [...new Set(matched.flatMap((p) => p.ignore))],
    allowReboot: rebootPolicy?.allowReboot ?? false,
    ...(rebootPolicy ? { allowRebootFrom: { policy: rebootPolicy.name, file: rebootPolicy.file, line: 1 } } : {}),
    provisionConnectionRequest: matched.find((p) => p.provisionConnectionRequest !== undefined)?.provisionConnectionRequest ?? true,
    notes: notes.notes,
    ...(pins === undefined ? {} : pinned(pins, matched)),
  };
}

function pinned(pins: VersionPins, matched: readonly Policy[]): Pick<DesiredState, "held" | "versions"> {
  const names = new Set(matched.map((p) => p.name));
  const held = pins.held.filter((n) => names.has(n));
  const versions = Object.fromEntries(Object.entries(pins.versions).filter(([n]) => names.has(n)));
  return { ...(held.length > 0 ? { held } : {}), ...(Object.keys(versions).length > 0 ? { versions } : {}) };
}
