/**
 * Drives the real session machine (`openSession` + `step`, src/session/machine.ts) in process against a CPE
 * `respond` function (a simulated device, or an adversary): empty POST first, then each ACS request answered, until
 * the machine ends the session. What the CWMP route does minus HTTP and the store: the property tests' loop.
 */
import type { AcsRequest, CpeMessage } from "../../src/cwmp/types.js";
import type { StoreWrite } from "../../src/domain/store.js";
import type { Fault } from "../../src/domain/faults.js";
import { openSession, step } from "../../src/session/machine.js";
import type { SessionConfig, SessionReply, SessionState } from "../../src/session/types.js";
import { plan } from "../../src/reconcile/plan.js";
import type { Inventory, Plan, PlanInput, ReportedState } from "../../src/reconcile/types.js";
import { deviceIdOf } from "../../src/domain/device.js";

export interface DrivenSession {
  /** converged / blocked (ended ok, converged or not), or the fault the session ended with (`fault:not_converging`, ...). */
  readonly outcome: string;
  readonly state: SessionState;
  /** Every reply of the machine, in order (requests and the end). */
  readonly replies: readonly SessionReply[];
  /** The ACS requests sent, in order. */
  readonly requests: readonly AcsRequest[];
  readonly writes: readonly StoreWrite[];
  readonly faults: readonly Fault[];
  readonly reported: ReportedState;
  readonly inventory: Inventory;
  /** A plan over what the session ended knowing (empty steps when it converged or is blocked). */
  readonly plan: Plan;
}

const DEVICE = deviceIdOf({ manufacturer: "Sim", oui: "000000", productClass: "Sim", serialNumber: "SIM-1" });

/** One session over `input` (desired, reported, inventory, limits, quirks), answering with `respond`. */
export function driveSession(input: PlanInput, respond: (req: AcsRequest) => CpeMessage, maxSteps = 1_000): DrivenSession {
  const cfg: SessionConfig = { limits: input.limits, quirks: input.quirks, holdRequests: false, hashWriteOnly: input.hashWriteOnly };
  let state = openSession({
    id: "s1",
    deviceId: DEVICE,
    version: "1.0",
    tasks: [],
    desired: input.desired,
    reported: input.reported,
    inventory: input.inventory,
    previousStatus: undefined,
  });
  const replies: SessionReply[] = [];
  const requests: AcsRequest[] = [];
  const writes: StoreWrite[] = [];
  let next: Parameters<typeof step>[1] = { kind: "empty" };
  for (let i = 0; i < maxSteps && state.phase !== "ended"; i++) {
    const out = step(state, next, cfg, input.now);
    state = out.state;
    writes.push(...out.writes);
    replies.push(out.reply);
    if (out.reply.kind === "end") break;
    const m = out.reply.message;
    if (m.method.endsWith("Response")) {
      next = { kind: "empty" };
      continue;
    }
    const req = m as AcsRequest;
    requests.push(req);
    next = { kind: "message", id: out.reply.id, message: respond(req) };
  }
  const reported = state.reconcile?.reported ?? input.reported;
  const inventory = state.reconcile?.inventory ?? input.inventory;
  const outcome = state.outcome === "ok" ? (state.converged === true ? "converged" : "blocked") : (state.outcome ?? "running");
  return { outcome, state, replies, requests, writes, faults: state.faults, reported, inventory, plan: plan({ ...input, reported, inventory }) };
}
