/**
 * `converge plan` over a fleet: per-device plans summarised by policy and by model, with disruptive steps
 * (reboot, download, delete) flagged and counted. Pure aggregation; rendering is separate (render.ts).
 */
import type { Plan, PlanStep } from "../reconcile/types.js";
import { policiesOf, type DevicePlan } from "./device-plan.js";

export const WRITE_KINDS = ["deleteObject", "addObject", "setValues", "setAttributes", "download", "reboot"] as const;
export const DISRUPTIVE_KINDS: ReadonlySet<PlanStep["kind"]> = new Set(["deleteObject", "download", "reboot"]);

export type WriteKind = (typeof WRITE_KINDS)[number];

/** A write step with what caused it: the policies (by name) and the revision of the snapshot they come from. */
export type AttributedStep = PlanStep & { readonly policies: readonly string[]; readonly revision: string | undefined };

export interface DeviceChange {
  readonly deviceId: string;
  readonly productClass: string;
  readonly writes: readonly AttributedStep[];
  readonly reads: number;
  readonly disruptive: boolean;
  readonly policies: readonly string[];
  /** `drift: report` values the device holds differently: recorded, not reverted (no write step). */
  readonly drift: readonly { readonly path: string; readonly desired: string; readonly reported: string }[];
}

export interface Bucket {
  devices: number;
  steps: Record<WriteKind, number>;
  disruptive: number;
}

export interface FleetSummary {
  readonly devices: number;
  readonly changing: number;
  readonly disruptiveDevices: number;
  readonly unmatched: number;
  /** Devices with `drift: report` drift (listed per device, never reverted). */
  readonly drifted: number;
  readonly byPolicy: Readonly<Record<string, Bucket>>;
  readonly byModel: Readonly<Record<string, Bucket>>;
  readonly steps: Readonly<Record<WriteKind, number>>;
}

const isWrite = (s: PlanStep): boolean => (WRITE_KINDS as readonly string[]).includes(s.kind);

type PlanChange = Omit<DeviceChange, "deviceId" | "productClass">;

/** The change of a plan shared by a group of devices (plan/projected-plans.ts), computed once per plan. */
const changes = new WeakMap<Plan, { readonly revision: string | undefined; readonly change: PlanChange }>();

/** The writes one device would see, each with its cause; reads (discover/refresh) are counted, not listed. */
export function deviceChange(p: DevicePlan): DeviceChange {
  const c = planChange(p);
  return {
    deviceId: p.deviceId,
    productClass: p.productClass,
    writes: c.writes,
    reads: c.reads,
    disruptive: c.disruptive,
    policies: c.policies,
    drift: c.drift,
  };
}

function planChange(p: DevicePlan): PlanChange {
  const known = p.plan === undefined ? undefined : changes.get(p.plan);
  if (known !== undefined && known.revision === p.revision) return known.change;
  const steps = p.plan?.steps ?? [];
  const writes = steps.filter(isWrite).map((s): AttributedStep => ({ ...s, policies: policiesOf(s), revision: p.revision }));
  const policies = [...new Set(writes.flatMap((w) => w.policies))];
  const change: PlanChange = {
    writes,
    reads: steps.length - writes.length,
    disruptive: writes.some((s) => DISRUPTIVE_KINDS.has(s.kind)),
    policies: policies.sort(),
    drift: (p.plan?.notes ?? []).flatMap((n) => (n.kind === "drift" && !n.healed ? [{ path: n.path, desired: n.desired, reported: n.reported }] : [])),
  };
  if (p.plan !== undefined) changes.set(p.plan, { revision: p.revision, change });
  return change;
}

export const emptySteps = (): Record<WriteKind, number> => ({ deleteObject: 0, addObject: 0, setValues: 0, setAttributes: 0, download: 0, reboot: 0 });

function add(map: Record<string, Bucket>, key: string, writes: readonly PlanStep[]): void {
  countInto((map[key] ??= emptyBucket()), writes);
}

export const emptyBucket = (): Bucket => ({ devices: 0, steps: emptySteps(), disruptive: 0 });

/** Counts one device's writes into a bucket (of a policy or a model). */
export function countInto(b: Bucket, writes: readonly PlanStep[]): void {
  b.devices++;
  if (writes.some((s) => DISRUPTIVE_KINDS.has(s.kind))) b.disruptive++;
  for (const s of writes) b.steps[s.kind as WriteKind]++;
}

/** Folds device changes into a summary; call `summarise` once with all changes, or stream via `accumulate`. */
export function createAccumulator(): { accumulate(p: DevicePlan, c: DeviceChange): void; summary(): FleetSummary } {
  const byPolicy: Record<string, Bucket> = {};
  const byModel: Record<string, Bucket> = {};
  const steps = emptySteps();
  let devices = 0;
  let changing = 0;
  let disruptiveDevices = 0;
  let unmatched = 0;
  let drifted = 0;
  return {
    accumulate(p, c) {
      devices++;
      if (p.matched.length === 0) unmatched++;
      if (c.drift.length > 0) drifted++;
      if (c.writes.length === 0) return;
      changing++;
      if (c.disruptive) disruptiveDevices++;
      for (const s of c.writes) steps[s.kind as WriteKind]++;
      add(byModel, c.productClass, c.writes);
      // Each step counts for the policies that caused it (a step two policies share counts for both).
      for (const pol of c.policies)
        add(
          byPolicy,
          pol,
          c.writes.filter((s) => s.policies.includes(pol)),
        );
    },
    summary: () => ({ devices, changing, disruptiveDevices, unmatched, drifted, byPolicy, byModel, steps }),
  };
}
