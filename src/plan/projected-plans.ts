/**
 * `converge plan` over a stored fleet, streamed (issue 16): pages of devices in id order, each read with its
 * reported values projected on what a plan can look at (projection.ts), so memory stays flat and the rows of
 * other paths never leave the database. The interest grows as desired states and policies ask for paths; a page
 * whose devices asked for a path not yet covered is read again. The plans equal `planSubject` on the whole
 * device, in the same order (test/integration/plan-projected.test.ts holds it on a mixed fleet). Pure given its
 * source.
 *
 * Grouped (issue 16: a million devices): devices whose plan inputs are equal (`planInputKey`, plan-key.ts: the
 * desired state as resolved for the device, the projected reported state, the inventory, the quirks) get the same
 * plan, so it is computed once per key and stamped with each device's identity (id and product class, the only
 * per-device fields of a DevicePlan that are not plan inputs). The keys of the last `GROUPS` groups are kept
 * (bounded memory whatever the fleet; a fleet with more distinct inputs plans the others one by one).
 * test/integration/plan-grouped.test.ts holds the grouped output to the per-device one, JSON and text.
 */
import type { DesiredState } from "../policy/desired.types.js";
import type { DeviceQuirks } from "../reconcile/types.js";
import { planSubject, planWithDesired, type DevicePlan, type PlanSettings } from "./device-plan.js";
import { PathInterest, projectedSubject, type ProjectedDevice, type ProjectedSource } from "./projection.js";
import { KeyTokens, planInputKey } from "./plan-key.js";

const PAGE = 1000;
/** Distinct plan inputs remembered (first in, first out). */
const GROUPS = 10_000;
/** Re-reads of one page before its devices are read whole (the interest is bounded by the policies' paths). */
const MAX_REREADS = 8;

export interface WholeSource extends ProjectedSource {
  /** The device with its whole reported state (a policy iterated the reported values). */
  whole(device: ProjectedDevice): ProjectedDevice;
}

export interface WalkOptions {
  /** Devices per page (default 1,000). */
  readonly page?: number;
  /** Plan once per group of equal plan inputs (default true; false plans every device, as before issue 16). */
  readonly group?: boolean;
  /** The devices with ids after `after` only. */
  readonly after?: string;
  /** Instead: the devices of store rows after `after` and up to `through`, in row order (worker threads: parallel-plans.ts). */
  readonly rows?: { readonly after: number; readonly through: number };
}

/** What a walk learns (the interest, the groups): several walks of one fleet's slices can share it (plan-worker.ts). */
export interface WalkState {
  readonly interest: PathInterest;
  /** Plans by plan input key (plan-key.ts), when grouped. */
  readonly groups: Memo<DevicePlan> | undefined;
  readonly desiredMemo: Memo<DesiredState | undefined> | undefined;
  readonly tokens: KeyTokens;
  /** Plans carry their diff (false: `diff: []`, for a walk folded into a report, which reads none: report-parts.ts). */
  readonly diff: boolean;
}

export interface WalkStateOptions {
  /** Plan once per group of equal plan inputs (default true; false plans every device, as before issue 16). */
  readonly group?: boolean;
  /** Distinct plan inputs remembered (default 10,000). */
  readonly groups?: number;
  readonly diff?: boolean;
}

export function walkState(o: WalkStateOptions = {}): WalkState {
  const group = o.group !== false;
  const groups = o.groups ?? GROUPS;
  return {
    interest: new PathInterest(),
    groups: group ? new Memo<DevicePlan>(groups) : undefined,
    desiredMemo: group ? new Memo<DesiredState | undefined>(Math.min(groups, GROUPS)) : undefined,
    tokens: new KeyTokens(),
    diff: o.diff !== false,
  };
}

export function* projectedPlans(
  ctx: PlanSettings,
  source: WholeSource,
  options: WalkOptions = {},
  state = walkState({ group: options.group !== false }),
): Generator<DevicePlan> {
  const page = options.page ?? PAGE;
  const { interest } = state;
  const rows = options.rows;
  let after = options.after ?? "";
  let afterRow = rows?.after ?? 0;
  let lastRow = afterRow;
  const read = (): readonly ProjectedDevice[] => {
    if (rows === undefined) return source.page(after, page, interest);
    const r = source.rowPage(afterRow, rows.through, page, interest);
    lastRow = r.last;
    return r.devices;
  };
  for (;;) {
    let devices = read();
    if (devices.length === 0) return;
    let plans: DevicePlan[] | undefined;
    for (let reread = 0; plans === undefined; reread++) {
      const before = interest.version;
      const resolved = devices.map((d) => resolve(ctx, d, state));
      if (interest.version === before || reread >= MAX_REREADS) {
        plans = devices.map((d, i) => {
          const x = resolved[i];
          return x === undefined || x === "whole" || reread >= MAX_REREADS ? planSubject(ctx, source.whole(d)) : planned(ctx, d, x, state);
        });
      } else devices = read();
    }
    yield* plans;
    const last = devices.at(-1);
    if (last === undefined || devices.length < page) return;
    after = last.record.deviceId;
    afterRow = lastRow;
  }
}

/** A bounded memo (first in, first out). */
class Memo<V> {
  readonly #items = new Map<string, V>();
  constructor(readonly limit: number) {}
  get(key: string): V | undefined {
    return this.#items.get(key);
  }
  set(key: string, value: V): void {
    if (this.#items.size >= this.limit) this.#items.delete(this.#items.keys().next().value as string);
    this.#items.set(key, value);
  }
}

/** A device's plan to stamp (its group's), or its desired state and, when grouped by desired key, its plan input key. */
type Resolved = { readonly known: DevicePlan } | { readonly desired: DesiredState | undefined; readonly key: string | undefined };

const quirksOf = (ctx: PlanSettings, d: ProjectedDevice): DeviceQuirks => ctx.quirksFor?.(d.record) ?? ctx.quirks;

/** The plan of a group's device: the group's, stamped with the device's identity (the only per-device fields that are not plan inputs). */
const stamped = (known: DevicePlan, d: ProjectedDevice): DevicePlan => ({ ...known, deviceId: d.record.deviceId, productClass: d.record.productClass });

/**
 * From the device's projected subject: the plan of its group when the walk has one for its plan input key (the
 * desired key stands for the desired state: plan-key.ts), else its desired state (once per desired key); extends
 * `interest` with what it needs. The quirks of the device's model (`PlanSettings.quirksFor`) are in the key:
 * devices of models with other quirks never share a plan.
 */
function resolve(ctx: PlanSettings, d: ProjectedDevice, state: WalkState): Resolved | "whole" {
  const { interest, groups, desiredMemo: memo } = state;
  const { subject, parameters } = projectedSubject(d.record, d.reported, interest);
  const desiredKey = memo === undefined ? undefined : ctx.desiredKey?.(subject, d.secrets);
  if (parameters.whole) return "whole";
  const key = groups === undefined || desiredKey === undefined ? undefined : planInputKey(desiredKey, d.reported, d.inventory, quirksOf(ctx, d), state.tokens);
  const known = key === undefined ? undefined : groups?.get(key);
  // The group's first device resolved this desired key: what its desired state reads and needs is in `interest`.
  if (known !== undefined && parameters.misses.length === 0) return { known };
  let desired: DesiredState | undefined;
  if (desiredKey === undefined || memo === undefined) desired = ctx.desired(subject, d.secrets);
  else {
    const had = memo.get(desiredKey);
    desired = had ?? ctx.desired(subject, d.secrets);
    if (had === undefined) memo.set(desiredKey, desired);
  }
  if (parameters.whole) return "whole";
  for (const m of parameters.misses) interest.addExact(m);
  if (desired) interest.addDesired(desired);
  return { desired, key };
}

/** `planWithDesired`, once per distinct plan input when grouped; the plan of a device whose input was seen is stamped. */
function planned(ctx: PlanSettings, d: ProjectedDevice, x: Resolved, state: WalkState): DevicePlan {
  if ("known" in x) return stamped(x.known, d);
  const { desired } = x;
  const groups = state.groups;
  if (desired === undefined || groups === undefined) return planWithDesired(ctx, d, desired, state.diff);
  const key = x.key ?? planInputKey(desired, d.reported, d.inventory, quirksOf(ctx, d), state.tokens);
  const known = groups.get(key);
  if (known !== undefined) return stamped(known, d);
  const p = planWithDesired(ctx, d, desired, state.diff);
  groups.set(key, p);
  return p;
}
