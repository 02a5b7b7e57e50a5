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
import { planSubject, planWithDesired, type DevicePlan, type PlanSettings } from "./device-plan.js";
import { PathInterest, projectedSubject, type ProjectedDevice, type ProjectedSource } from "./projection.js";
import { planInputKey } from "./plan-key.js";

const PAGE = 1000;
/** Distinct plan inputs remembered (first in, first out). */
const GROUPS = 20_000;
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
}

export function* projectedPlans(ctx: PlanSettings, source: WholeSource, options: WalkOptions = {}): Generator<DevicePlan> {
  const page = options.page ?? PAGE;
  const planOf = options.group === false ? (c: PlanSettings, d: ProjectedDevice, x: Resolved) => planWithDesired(c, d, x.desired) : groupedPlanner();
  const desiredMemo = options.group === false ? undefined : new Memo<DesiredState | undefined>(GROUPS);
  const interest = new PathInterest();
  let after = "";
  for (;;) {
    let devices = source.page(after, page, interest);
    if (devices.length === 0) return;
    let plans: DevicePlan[] | undefined;
    for (let reread = 0; plans === undefined; reread++) {
      const before = interest.version;
      const desired = devices.map((d) => desiredOf(ctx, d, interest, desiredMemo));
      if (interest.version === before || reread >= MAX_REREADS) {
        plans = devices.map((d, i) => {
          const x = desired[i];
          return x === undefined || x === "whole" || reread >= MAX_REREADS ? planSubject(ctx, source.whole(d)) : planOf(ctx, d, x);
        });
      } else devices = source.page(after, page, interest);
    }
    yield* plans;
    const last = devices.at(-1);
    if (last === undefined || devices.length < page) return;
    after = last.record.deviceId;
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

type Resolved = { readonly desired: DesiredState | undefined; readonly key: string | undefined };

/** `planWithDesired`, once per distinct plan input; the plan of a device whose input was seen is stamped. */
function groupedPlanner(): (ctx: PlanSettings, d: ProjectedDevice, x: Resolved) => DevicePlan {
  const groups = new Memo<DevicePlan>(GROUPS);
  return (ctx, d, { desired, key: desiredKey }) => {
    if (desired === undefined) return planWithDesired(ctx, d, desired);
    // The quirks of the device's model (`PlanSettings.quirksFor`): devices of models with other quirks never share a plan.
    const key = planInputKey(desiredKey ?? desired, d.reported, d.inventory, ctx.quirksFor?.(d.record) ?? ctx.quirks);
    const known = groups.get(key);
    if (known !== undefined) return { ...known, deviceId: d.record.deviceId, productClass: d.record.productClass };
    const planned = planWithDesired(ctx, d, desired);
    groups.set(key, planned);
    return planned;
  };
}

/** The device's desired state from its projected subject (once per desired key); extends `interest` with what it needs. */
function desiredOf(ctx: PlanSettings, d: ProjectedDevice, interest: PathInterest, memo: Memo<DesiredState | undefined> | undefined): Resolved | "whole" {
  const { subject, parameters } = projectedSubject(d.record, d.reported, interest);
  const key = memo === undefined ? undefined : ctx.desiredKey?.(subject, d.secrets);
  let desired: DesiredState | undefined;
  if (key === undefined || memo === undefined) desired = ctx.desired(subject, d.secrets);
  else {
    const known = memo.get(key);
    desired = known ?? ctx.desired(subject, d.secrets);
    if (known === undefined) memo.set(key, desired);
  }
  if (parameters.whole) return "whole";
  for (const m of parameters.misses) interest.addExact(m);
  if (desired) interest.addDesired(desired);
  return { desired, key };
}
