/**
 * Plan -> execute the head step -> fold the answer -> replan, until nothing is left or a bound trips. The same
 * loop the session runs over HTTP, here over an in-process `respond` (a simulated CPE): used by the property
 * tests, benchmarks and in-process fleet simulations. Pure apart from what `respond` does.
 */
import type { AcsRequest, CpeMessage } from "../cwmp/types.js";
import type { StoreWrite } from "../domain/store.js";
import { fold } from "./fold.js";
import type { Fault } from "../domain/faults.js";
import { plan } from "./plan.js";
import { requestFor } from "./rpc.js";
import type { Inventory, Plan, PlanInput, PlanStep, ReportedState } from "./types.js";

export type LoopOutcome =
  /** Nothing left to do and the plan says converged. */
  | "converged"
  /** Nothing left to do, but notes (backoff, unsupported, pending ...) keep the device from converging. */
  | "blocked"
  /** The replan bound tripped (a named session fault: not_converging). */
  | "not_converging";

export interface LoopResult {
  readonly outcome: LoopOutcome;
  readonly rounds: number;
  readonly reported: ReportedState;
  readonly inventory: Inventory;
  /** The plan computed last (empty steps unless the bound tripped). */
  readonly plan: Plan;
  readonly steps: readonly PlanStep[];
  readonly writes: readonly StoreWrite[];
  readonly faults: readonly Fault[];
}

/**
 * Runs up to `min(limits.maxReplanRounds, limits.maxRpcsPerSession)` rounds of one RPC each against `respond`.
 * Every round replans from the folded state: a stale plan is never executed blindly.
 */
export function converge(input: PlanInput, respond: (req: AcsRequest) => CpeMessage): LoopResult {
  const bound = Math.min(input.limits.maxReplanRounds, input.limits.maxRpcsPerSession);
  let reported = input.reported;
  let inventory = input.inventory;
  const steps: PlanStep[] = [];
  const writes: StoreWrite[] = [];
  const faults: Fault[] = [];
  for (let round = 0; ; round++) {
    const p = plan({ ...input, reported, inventory });
    const head = p.steps[0];
    if (head === undefined) {
      return { outcome: p.converged ? "converged" : "blocked", rounds: round, reported, inventory, plan: p, steps, writes, faults };
    }
    if (round >= bound) return { outcome: "not_converging", rounds: round, reported, inventory, plan: p, steps, writes, faults };
    const request = requestFor(head, p.parameterKey, input.quirks);
    const out = fold({ reported, inventory }, head, request, respond(request), input.now, input.limits, input.hashWriteOnly);
    ({ reported, inventory } = out);
    steps.push(head);
    writes.push(...out.writes);
    faults.push(...out.faults);
  }
}
