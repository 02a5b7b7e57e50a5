import test from "node:test";
import assert from "node:assert/strict";
import { statusFrom } from "../../src/reconcile/status.js";
import type { Fault } from "../../src/domain/faults.js";
import type { Plan, PlanNote, PlanStep } from "../../src/reconcile/types.js";
import type { Condition, DeviceStatus } from "../../src/domain/store.js";
import { NOW, desired, dv } from "../support/reconcile-builders.js";

const D = desired({ revision: "rev-2", matched: ["base", "wifi"], values: [dv("A.X", "1")] });
const planOf = (steps: PlanStep[], notes: PlanNote[] = [], converged = steps.length === 0 && notes.length === 0): Plan => ({
  steps,
  notes,
  converged,
  parameterKey: "k",
});
const CONVERGED = planOf([]);
const STEPS = planOf([{ kind: "refresh", paths: ["A.X"], reason: "stale" }]);
const T0 = NOW - 60_000;

const cond = (type: Condition["type"], status: boolean, reason: string, message: string, lastTransition: number): Condition => ({
  type,
  status,
  reason,
  message,
  lastTransition,
});
const conditions = (at: number, over: Partial<Record<Condition["type"], Condition>> = {}): Condition[] => [
  over.Matched ?? cond("Matched", true, "PoliciesMatched", "base, wifi", at),
  over.Converged ?? cond("Converged", true, "Converged", "reported state matches desired state", at),
  over.Drifted ?? cond("Drifted", false, "NoDrift", "", at),
  over.Faulted ?? cond("Faulted", false, "NoFault", "", at),
  over.Pending ?? cond("Pending", false, "NothingPending", "", at),
];
const PREVIOUS: DeviceStatus = {
  conditions: conditions(T0),
  matchedPolicies: ["base", "wifi"],
  appliedRevision: "rev-1",
  attemptedRevision: "rev-1",
  lastTransition: T0,
};

interface Row {
  readonly name: string;
  readonly plan: Plan;
  readonly faults?: readonly Fault[];
  readonly previous: DeviceStatus | undefined;
  readonly want: DeviceStatus;
}

const ROWS: readonly Row[] = [
  {
    name: "first status of a converged device: every condition transitions now; applied = attempted = revision",
    plan: CONVERGED,
    previous: undefined,
    want: { conditions: conditions(NOW), matchedPolicies: ["base", "wifi"], appliedRevision: "rev-2", attemptedRevision: "rev-2", lastTransition: NOW },
  },
  {
    name: "still converged: lastTransition kept, appliedRevision moves to the new revision",
    plan: CONVERGED,
    previous: PREVIOUS,
    want: { conditions: conditions(T0), matchedPolicies: ["base", "wifi"], appliedRevision: "rev-2", attemptedRevision: "rev-2", lastTransition: T0 },
  },
  {
    name: "steps remain: Converged flips (now), appliedRevision stays the last one converged to",
    plan: STEPS,
    previous: PREVIOUS,
    want: {
      conditions: conditions(T0, { Converged: cond("Converged", false, "StepsRemaining", "1 step(s) remaining: refresh", NOW) }),
      matchedPolicies: ["base", "wifi"],
      appliedRevision: "rev-1",
      attemptedRevision: "rev-2",
      lastTransition: NOW,
    },
  },
  {
    name: "drift reported: Drifted with the paths, not converged",
    plan: planOf([], [{ kind: "drift", path: "A.X", desired: "1", reported: "2", healed: false }]),
    previous: PREVIOUS,
    want: {
      conditions: conditions(T0, {
        Converged: cond("Converged", false, "Blocked", "1 note(s) keep the device from converging", NOW),
        Drifted: cond("Drifted", true, "DriftReported", "A.X", NOW),
      }),
      matchedPolicies: ["base", "wifi"],
      appliedRevision: "rev-1",
      attemptedRevision: "rev-2",
      lastTransition: NOW,
    },
  },
  {
    name: "a fault this session: Faulted with code, path, message and the policy that set the path",
    plan: planOf([], [{ kind: "backoff", path: "A.X", until: NOW + 1, code: 9007 }]),
    faults: [{ code: "9007", message: "Invalid parameter value", path: "A.X", retryable: false }],
    previous: PREVIOUS,
    want: {
      conditions: conditions(T0, {
        Converged: cond("Converged", false, "Blocked", "1 note(s) keep the device from converging", NOW),
        Faulted: cond("Faulted", true, "Fault9007", "9007 A.X: Invalid parameter value (policy base, policies/base.yaml:3); 9007 A.X (backing off)", NOW),
      }),
      matchedPolicies: ["base", "wifi"],
      appliedRevision: "rev-1",
      attemptedRevision: "rev-2",
      lastTransition: NOW,
    },
  },
  {
    name: "a path still backing off from an earlier session: Faulted, reason BackingOff",
    plan: planOf([], [{ kind: "backoff", path: "A.X", until: NOW + 1, code: 9005 }]),
    previous: PREVIOUS,
    want: {
      conditions: conditions(T0, {
        Converged: cond("Converged", false, "Blocked", "1 note(s) keep the device from converging", NOW),
        Faulted: cond("Faulted", true, "BackingOff", "9005 A.X (backing off)", NOW),
      }),
      matchedPolicies: ["base", "wifi"],
      appliedRevision: "rev-1",
      attemptedRevision: "rev-2",
      lastTransition: NOW,
    },
  },
  {
    name: "a reboot pending: Pending, reason RebootPending",
    plan: planOf([], [{ kind: "pending", what: "reboot", message: "needs a reboot" }]),
    previous: PREVIOUS,
    want: {
      conditions: conditions(T0, {
        Converged: cond("Converged", false, "Blocked", "1 note(s) keep the device from converging", NOW),
        Pending: cond("Pending", true, "RebootPending", "needs a reboot", NOW),
      }),
      matchedPolicies: ["base", "wifi"],
      appliedRevision: "rev-1",
      attemptedRevision: "rev-2",
      lastTransition: NOW,
    },
  },
];

for (const row of ROWS) {
  void test(`statusFrom: ${row.name}`, () => assert.deepStrictEqual(statusFrom(row.plan, D, row.faults ?? [], row.previous, NOW), row.want));
}

void test("statusFrom: no policy matched", () => {
  const s = statusFrom(CONVERGED, desired({ matched: [] }), [], undefined, NOW);
  assert.deepStrictEqual(s.conditions[0], cond("Matched", false, "NoPolicyMatched", "no policy selects this device", NOW));
});

void test("issue 9.1: a healing drift note whose set is still a step of the plan (a bound ended the session) is DriftPending, not DriftHealed", () => {
  const set: PlanStep = { kind: "setValues", values: [{ name: "A.X", value: "1", type: "xsd:string" }], from: [D.values[0]!.from] };
  const note: PlanNote = { kind: "drift", path: "A.X", desired: "1", reported: "2", healed: true };
  const unwritten = statusFrom(planOf([set], [note], false), D, [], undefined, NOW);
  assert.equal(unwritten.conditions.find((c) => c.type === "Drifted")?.reason, "DriftPending");
  const written = statusFrom(planOf([], [note], false), D, [], undefined, NOW);
  assert.equal(written.conditions.find((c) => c.type === "Drifted")?.reason, "DriftHealed");
});
