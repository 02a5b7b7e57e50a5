/**
 * Per-device status from a plan, Kubernetes style: conditions Matched, Converged, Drifted, Faulted, Pending,
 * each with a lastTransition that changes only when its status flips; plus appliedRevision (the revision the
 * device last converged to) and attemptedRevision (the revision a session last worked on), as Flux does.
 */
import type { DesiredState } from "../policy/desired.types.js";
import type { Condition, ConditionType, DeviceStatus } from "../domain/status.js";
import type { Fault } from "../domain/faults.js";
import type { Plan, PlanNote } from "./types.js";

type Fresh = Omit<Condition, "lastTransition">;

/**
 * The status after a session that worked on `desired` and ended with `plan` still to do, having met `faults`.
 * `previous` keeps lastTransition for conditions whose status did not change. Pure.
 */
export function statusFrom(plan: Plan, desired: DesiredState, faults: readonly Fault[], previous: DeviceStatus | undefined, now: number): DeviceStatus {
  const fresh: Fresh[] = [matched(desired), converged(plan), drifted(plan), faulted(plan.notes, faults, desired), pending(plan.notes)];
  const conditions = fresh.map((c) => withTransition(c, previous, now));
  const flipped = conditions.some((c) => c.lastTransition === now && previousOf(previous, c.type)?.status !== c.status);
  return {
    conditions,
    matchedPolicies: desired.matched,
    appliedRevision: plan.converged ? desired.revision : previous?.appliedRevision,
    attemptedRevision: desired.revision,
    lastTransition: flipped || previous === undefined ? now : previous.lastTransition,
  };
}

function previousOf(previous: DeviceStatus | undefined, type: ConditionType): Condition | undefined {
  return previous?.conditions.find((c) => c.type === type);
}

function withTransition(c: Fresh, previous: DeviceStatus | undefined, now: number): Condition {
  const before = previousOf(previous, c.type);
  // Object.assign, not a spread: a spread followed by a key it lacks costs V8 ~1 µs (Node 20), per condition per session.
  return Object.assign({}, c, { lastTransition: before !== undefined && before.status === c.status ? before.lastTransition : now });
}

function matched(desired: DesiredState): Fresh {
  const n = desired.matched.length;
  return n > 0
    ? { type: "Matched", status: true, reason: "PoliciesMatched", message: desired.matched.join(", ") }
    : { type: "Matched", status: false, reason: "NoPolicyMatched", message: "no policy selects this device" };
}

function converged(plan: Plan): Fresh {
  if (plan.converged) return { type: "Converged", status: true, reason: "Converged", message: "reported state matches desired state" };
  if (plan.steps.length > 0)
    return { type: "Converged", status: false, reason: "StepsRemaining", message: `${plan.steps.length} step(s) remaining: ${kinds(plan)}` };
  return { type: "Converged", status: false, reason: "Blocked", message: `${plan.notes.length} note(s) keep the device from converging` };
}

function kinds(plan: Plan): string {
  return [...new Set(plan.steps.map((s) => s.kind))].join(", ");
}

/**
 * Drift the plan heals is "healed" only once written: a healing note whose set is still among the plan's steps
 * (the session ended on a bound first, issue 9.1) is DriftPending, never DriftHealed.
 */
function drifted(plan: Plan): Fresh {
  const drift = plan.notes.flatMap((n) => (n.kind === "drift" ? [n] : []));
  if (drift.length === 0) return { type: "Drifted", status: false, reason: "NoDrift", message: "" };
  const unwritten = new Set(plan.steps.flatMap((s) => (s.kind === "setValues" ? s.values.map((v) => v.name) : [])));
  const reported = drift.filter((d) => !d.healed);
  const pending = drift.filter((d) => d.healed && unwritten.has(d.path));
  const reason = reported.length > 0 ? "DriftReported" : pending.length > 0 ? "DriftPending" : "DriftHealed";
  return { type: "Drifted", status: true, reason, message: drift.map((d) => d.path).join(", ") };
}

function faulted(notes: readonly PlanNote[], faults: readonly Fault[], desired: DesiredState): Fresh {
  const fromNotes = notes.flatMap((n): string[] => {
    if (n.kind === "backoff") return [`${n.code} ${n.path} (backing off)`];
    if (n.kind === "unsupported" || n.kind === "conflict" || n.kind === "unresolved-template") return [`${n.kind} ${n.path}: ${n.message}`];
    if (n.kind === "not-writable") return [`not-writable ${n.path}`];
    return [];
  });
  // Faults of Converge's own management (connection-request credentials a CPE ignores) are recorded, not Faulted.
  const builtin = new Set(desired.values.filter((v) => v.builtin === true).map((v) => v.path));
  faults = faults.filter((f) => f.path === undefined || !builtin.has(f.path));
  const fromFaults = faults.map((f) => `${f.code}${f.path === undefined ? "" : ` ${f.path}`}: ${f.message}${policySuffix(desired, f.path)}`);
  const all = [...new Set([...fromFaults, ...fromNotes])];
  if (all.length === 0) return { type: "Faulted", status: false, reason: "NoFault", message: "" };
  const first = faults[0];
  const note = notes.find((n) => NOTE_REASON[n.kind] !== undefined);
  const reason = first !== undefined ? `Fault${first.code}` : ((note && NOTE_REASON[note.kind]) ?? "Fault");
  return { type: "Faulted", status: true, reason, message: all.join("; ") };
}

const NOTE_REASON: Partial<Record<PlanNote["kind"], string>> = {
  backoff: "BackingOff",
  unsupported: "Unsupported",
  "not-writable": "NotWritable",
  conflict: "PolicyConflict",
  "unresolved-template": "UnresolvedTemplate",
};

function policySuffix(desired: DesiredState, path: string | undefined): string {
  if (path === undefined) return "";
  const v = desired.values.find((x) => x.path === path);
  return v === undefined ? "" : ` (policy ${v.from.policy}, ${v.from.file}:${v.from.line})`;
}

function pending(notes: readonly PlanNote[]): Fresh {
  const p = notes.flatMap((n) => (n.kind === "pending" ? [n] : []));
  if (p.length === 0) return { type: "Pending", status: false, reason: "NothingPending", message: "" };
  const reason = p.some((n) => n.what === "reboot") ? "RebootPending" : "TransferPending";
  return { type: "Pending", status: true, reason, message: p.map((n) => n.message).join("; ") };
}

const jsonMemo = new WeakMap<DeviceStatus, string>();

/**
 * A status's JSON, serialised once per status object: the session's end compares it with the previous status and
 * the store writes it (statuses are never mutated, so the memo lives exactly as long as the object).
 */
export function statusJson(status: DeviceStatus): string {
  let json = jsonMemo.get(status);
  if (json === undefined) jsonMemo.set(status, (json = JSON.stringify(status)));
  return json;
}
