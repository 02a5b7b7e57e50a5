/**
 * What the next session would do for one stored device: its desired state under a policy set, the plan, and
 * the desired-vs-reported diff. Shared by `GET /api/devices/:id/plan` and `converge plan`.
 */
import type { DeviceId } from "../domain/device.js";
import { plan } from "../reconcile/plan.js";
import { reportedHolds } from "../reconcile/equality.js";
import type { DeviceQuirks, Inventory, Plan, PlanLimits, PlanStep, ReportedState } from "../reconcile/types.js";
import type { WriteOnlyHasher } from "../reconcile/parameter-key.js";
import { knownSecrets, maskJson, MASK } from "../domain/mask.js";
import type { DesiredState, MatchSubject } from "../policy/desired.types.js";
import type { DeviceRecord, Store } from "../domain/store.js";
import { matchSubjectOf, type DeviceFacts } from "../domain/facts.js";

export interface DiffEntry {
  readonly path: string;
  readonly desired: string;
  readonly reported: string | null;
  readonly state: "equal" | "differs" | "unknown" | "write-only";
  readonly policy: string;
}

export interface DevicePlan {
  readonly deviceId: DeviceId;
  readonly productClass: string;
  readonly revision: string | undefined;
  readonly matched: readonly string[];
  readonly plan: Plan | undefined;
  readonly diff: readonly DiffEntry[];
}

/** The parts of a device record that policies match on (all a plan needs of the record). */
export type FactsRecord = DeviceFacts & Pick<DeviceRecord, "tags">;

/** What policies see of a stored device (domain/facts.ts `matchSubjectOf`). */
export function factsOfRecord(d: FactsRecord, reported: ReportedState): MatchSubject {
  return matchSubjectOf(d, reported);
}

/**
 * The desired-vs-reported diff of plain values (writes-only values are never compared with reports), by the
 * planner's own comparison (`reportedHolds`), so "equal" here is exactly "the planner sends nothing".
 */
export function diffValues(desired: DesiredState, reported: ReportedState, quirks: Pick<DeviceQuirks, "booleanAsDigit" | "datetimeMilliseconds">): DiffEntry[] {
  return desired.values.map((v) => {
    const r = reported.params.get(v.path);
    const state: DiffEntry["state"] = v.writeOnly ? "write-only" : !r ? "unknown" : reportedHolds(v, r, quirks) ? "equal" : "differs";
    const shownReported = r === undefined ? null : v.writeOnly && r.value !== "" ? MASK : r.value;
    return { path: v.path, desired: v.writeOnly ? MASK : v.value, reported: shownReported, state, policy: v.from.policy };
  });
}

/** The policies that caused a plan step (reads: none). Each write step carries its own provenance. */
export function policiesOf(s: PlanStep): string[] {
  switch (s.kind) {
    case "setValues":
    case "setAttributes":
      return [...new Set(s.from.map((f) => f.policy))].sort();
    case "addObject":
    case "deleteObject":
    case "download":
    case "reboot":
      return [s.from.policy];
    default:
      return [];
  }
}

/** The clear values of a device's secrets under `desired`: write-only values and firmware credentials. */
export function secretValuesOf(desired: DesiredState | undefined): readonly string[] {
  if (!desired) return [];
  const tableSecrets = desired.tables.flatMap((t) => t.instances.flatMap((i) => i.values.filter((v) => v.writeOnly).map((v) => v.value)));
  return knownSecrets([...desired.values.filter((v) => v.writeOnly).map((v) => v.value), ...tableSecrets, desired.firmware?.password]);
}

/**
 * Plans leave this module for people (API, CLI): every secret is masked by the one rule (domain/mask.ts) —
 * write-only values by name, the firmware password by field, and any clear secret value wherever it appears.
 */
function masked(p: Plan, secrets: readonly string[]): Plan {
  const steps = p.steps.map((s) => {
    if (s.kind !== "setValues" || !s.writeOnly?.length) return s;
    const secret = new Set(s.writeOnly);
    return { ...s, values: s.values.map((v) => (secret.has(v.name) ? { ...v, value: MASK } : v)) };
  });
  return maskJson({ ...p, steps }, secrets);
}

/** How to plan: everything but the device. */
export interface PlanSettings {
  /** The desired state of a device (its secrets: what Converge keeps for it, e.g. connection request credentials). */
  readonly desired: (facts: MatchSubject, secrets: ReadonlyMap<string, string>) => DesiredState | undefined;
  readonly limits: PlanLimits;
  readonly quirks: DeviceQuirks;
  /**
   * The quirks of one device's model (`quirks:` of the configuration, server/model-selector.ts), as its sessions
   * use them; absent: `quirks` for every device.
   */
  readonly quirksFor?: (model: Pick<FactsRecord, "oui" | "productClass" | "manufacturer">) => DeviceQuirks;
  readonly now: number;
  /** The installation's keyed hash (server, `--db`), or the local one `plan --api` builds its inventory for. */
  readonly hashWriteOnly: WriteOnlyHasher;
  /**
   * A key of `desired`'s result: equal keys, equal desired states (plan/fleet-desired.ts). The fleet walk then
   * resolves a desired state once per key, and groups devices by it (plan/projected-plans.ts).
   */
  readonly desiredKey?: (facts: MatchSubject, secrets: ReadonlyMap<string, string>) => string;
}

export interface PlanContext extends PlanSettings {
  readonly store: Store;
}

/** One device as stored (a Store, or `GET /api/devices/:id/state`). */
export interface PlanSubject {
  readonly record: FactsRecord;
  readonly reported: ReportedState;
  readonly inventory: Inventory;
  /** The device's stored secrets (absent: none known, as through the API, which never shows them). */
  readonly secrets?: ReadonlyMap<string, string>;
}

/** What the next session would do for `subject`, from its record, reported state and inventory. */
export function planSubject(ctx: PlanSettings, subject: PlanSubject): DevicePlan {
  return planWithDesired(ctx, subject, ctx.desired(factsOfRecord(subject.record, subject.reported), subject.secrets ?? NO_SECRETS));
}

/**
 * `planSubject` given the device's desired state (computed by the caller, e.g. from a projected match subject).
 * `withDiff` false: `diff: []` (a fleet walk folded into a report, which shows no diff: plan/report-parts.ts).
 */
export function planWithDesired(ctx: PlanSettings, subject: PlanSubject, desired: DesiredState | undefined, withDiff = true): DevicePlan {
  const { record, reported, inventory } = subject;
  const id = record.deviceId;
  if (!desired) return { deviceId: id, productClass: record.productClass, revision: undefined, matched: [], plan: undefined, diff: [] };
  const quirks = ctx.quirksFor?.(record) ?? ctx.quirks;
  const p = plan({ desired, reported, inventory, now: ctx.now, limits: ctx.limits, quirks, hashWriteOnly: ctx.hashWriteOnly });
  const secrets = secretValuesOf(desired);
  return {
    deviceId: id,
    productClass: record.productClass,
    revision: desired.revision,
    matched: desired.matched,
    plan: masked(p, secrets),
    diff: withDiff ? maskJson(diffValues(desired, reported, quirks), secrets) : [],
  };
}

const NO_SECRETS: ReadonlyMap<string, string> = new Map();

/** `planSubject` for a device in `ctx.store`; undefined when the store does not know `id`. */
export async function planDevice(ctx: PlanContext, id: DeviceId): Promise<DevicePlan | undefined> {
  const record = await ctx.store.getDevice(id);
  if (!record) return undefined;
  return planSubject(ctx, {
    record,
    reported: await ctx.store.loadReported(id),
    inventory: await ctx.store.loadInventory(id),
    secrets: await ctx.store.getSecrets(id),
  });
}
