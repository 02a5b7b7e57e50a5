/**
 * `converge plan` over a stored fleet, streamed (issue 16): pages of devices in id order, each read with its
 * reported values projected on what a plan can look at (projection.ts), so memory stays flat and the rows of
 * other paths never leave the database. The interest grows as desired states and policies ask for paths; a page
 * whose devices asked for a path not yet covered is read again. The plans equal `planSubject` on the whole
 * device, in the same order (test/integration/plan-projected.test.ts holds it on a mixed fleet). Pure given its
 * source.
 */
import type { DesiredState } from "../policy/desired.types.js";
import { planSubject, planWithDesired, type DevicePlan, type PlanSettings } from "./device-plan.js";
import { PathInterest, projectedSubject, type ProjectedDevice, type ProjectedSource } from "./projection.js";

const PAGE = 1000;
/** Re-reads of one page before its devices are read whole (the interest is bounded by the policies' paths). */
const MAX_REREADS = 8;

export interface WholeSource extends ProjectedSource {
  /** The device with its whole reported state (a policy iterated the reported values). */
  whole(device: ProjectedDevice): ProjectedDevice;
}

export function* projectedPlans(ctx: PlanSettings, source: WholeSource, page = PAGE): Generator<DevicePlan> {
  const interest = new PathInterest();
  let after = "";
  for (;;) {
    let devices = source.page(after, page, interest);
    if (devices.length === 0) return;
    let plans: DevicePlan[] | undefined;
    for (let reread = 0; plans === undefined; reread++) {
      const before = interest.version;
      const desired = devices.map((d) => desiredOf(ctx, d, interest));
      if (interest.version === before || reread >= MAX_REREADS) {
        plans = devices.map((d, i) => {
          const x = desired[i];
          return x === undefined || x === "whole" || reread >= MAX_REREADS ? planSubject(ctx, source.whole(d)) : planWithDesired(ctx, d, x.desired);
        });
      } else devices = source.page(after, page, interest);
    }
    yield* plans;
    const last = devices.at(-1);
    if (last === undefined || devices.length < page) return;
    after = last.record.deviceId;
  }
}

/** The device's desired state from its projected subject; extends `interest` with what it needs. */
function desiredOf(ctx: PlanSettings, d: ProjectedDevice, interest: PathInterest): { readonly desired: DesiredState | undefined } | "whole" {
  const { subject, parameters } = projectedSubject(d.record, d.reported, interest);
  const desired = ctx.desired(subject, d.secrets);
  if (parameters.whole) return "whole";
  for (const m of parameters.misses) interest.addExact(m);
  if (desired) interest.addDesired(desired);
  return { desired };
}
