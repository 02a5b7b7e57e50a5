/**
 * Folds the CPE's answer to the outstanding ACS request into the session: a task outcome, or the
 * reconciler's fold of a plan step.
 */
import type { WriteOnlyHasher } from "../reconcile/parameter-key.js";
import { err, ok, type Result } from "../domain/result.js";
import type { CpeMessage, CpeResponse, CwmpFault } from "../cwmp/types.js";
import { fold } from "../reconcile/fold.js";
import type { PlanLimits, PlanStep, ReportedState } from "../reconcile/types.js";
import { withObject, withoutPath, withValues } from "../reconcile/fold-state.js";
import type { StoreWrite } from "../domain/store.js";
import type { Outstanding, SessionState } from "./types.js";
import { cpeFaultCode, type Fault } from "../domain/faults.js";

type Answer = CpeResponse | Extract<CpeMessage, { method: "Fault" }>;

export interface Absorbed {
  readonly state: SessionState;
  readonly writes: readonly StoreWrite[];
}

/** A short, JSON-friendly summary of a CPE answer, stored as a task's outcome. */
export function summarise(answer: Answer): unknown {
  if (answer.method === "Fault") return { fault: { code: answer.fault.code, message: answer.fault.message, details: answer.fault.setParameterValuesFaults } };
  return answer;
}

function faultOf(f: CwmpFault): Fault[] {
  if (f.setParameterValuesFaults.length === 0) return [{ code: cpeFaultCode(f.code), message: f.message, retryable: f.code === 8005 || f.code === 9002 }];
  return f.setParameterValuesFaults.map((d) => ({ code: cpeFaultCode(d.code), message: d.string || f.message, path: d.name, retryable: false }));
}

/** Tasks also teach us about the device: values read, objects added or removed, values now to be re-read. */
function knowledgeFromTask(o: Outstanding, answer: Answer, now: number): StoreWrite[] {
  if (answer.method === "GetParameterValuesResponse") {
    return [{ kind: "reported", params: answer.parameterList.map((p) => ({ path: p.name, value: p.value, type: p.type })), observedAt: now }];
  }
  if (answer.method === "GetParameterNamesResponse" && o.request.method === "GetParameterNames") {
    return [{ kind: "names", params: answer.parameterList.map((p) => ({ path: p.name, writable: p.writable })), discovered: o.request.path, observedAt: now }];
  }
  if (answer.method === "AddObjectResponse" && o.request.method === "AddObject") {
    return [{ kind: "objectAdded", path: `${o.request.objectName}${answer.instanceNumber}.`, createdByUs: false, observedAt: now }];
  }
  if (answer.method === "DeleteObjectResponse" && o.request.method === "DeleteObject") return [{ kind: "objectDeleted", path: o.request.objectName }];
  if (answer.method === "SetParameterValuesResponse" && o.request.method === "SetParameterValues") {
    return [{ kind: "forgetPaths", paths: o.request.values.map((v) => v.name) }];
  }
  return [];
}

function absorbTask(state: SessionState, o: Outstanding & { origin: { kind: "task" } }, answer: Answer, now: number): Absorbed {
  const failed = answer.method === "Fault";
  const writes: StoreWrite[] = [
    { kind: "task", id: o.origin.taskId, state: failed ? "fault" : "done", outcome: summarise(answer) },
    ...knowledgeFromTask(o, answer, now),
  ];
  const faults = failed ? faultOf(answer.fault) : [];
  // The session's own view learns what the task did, so the reconciler (which runs after the tasks) re-reads a
  // value a task wrote and heals it in this session, instead of ending "converged" on what it knew at Inform.
  const rec = state.reconcile;
  const reconcile = rec ? { ...rec, reported: reportedAfterTask(rec.reported, o, answer, now) } : undefined;
  return { state: { ...state, outstanding: undefined, faults: [...state.faults, ...faults], reconcile }, writes };
}

/** The session's reported state after a task's answer (the same knowledge `knowledgeFromTask` stores). */
function reportedAfterTask(r: ReportedState, o: Outstanding, answer: Answer, now: number): ReportedState {
  const req = o.request;
  if (answer.method === "GetParameterValuesResponse") return withValues(r, answer.parameterList, now);
  // SetParameterValues/AddObject/DeleteObject change the CPE's ParameterKey (the task's, not ours): cwmp-notes §7.5.
  if (answer.method === "SetParameterValuesResponse" && req.method === "SetParameterValues") {
    return { ...req.values.reduce((acc, v) => withoutPath(acc, v.name), r), parameterKey: req.parameterKey };
  }
  if (answer.method === "AddObjectResponse" && req.method === "AddObject")
    return { ...withObject(r, `${req.objectName}${answer.instanceNumber}.`, now), parameterKey: req.parameterKey };
  if (answer.method === "DeleteObjectResponse" && req.method === "DeleteObject") return { ...withoutPath(r, req.objectName), parameterKey: req.parameterKey };
  return r;
}

function absorbPlanStep(
  state: SessionState,
  o: Outstanding,
  stepDone: PlanStep,
  answer: Answer,
  now: number,
  limits: PlanLimits,
  hashWriteOnly: WriteOnlyHasher,
): Absorbed {
  const rec = state.reconcile;
  if (!rec) return { state: { ...state, outstanding: undefined }, writes: [] };
  const out = fold({ reported: rec.reported, inventory: rec.inventory }, stepDone, o.request, answer, now, limits, hashWriteOnly);
  const faults: Fault[] = out.faults.map((f) => ({
    code: f.code,
    message: f.message,
    ...(f.path !== undefined ? { path: f.path } : {}),
    retryable: f.retryable,
  }));
  return {
    state: {
      ...state,
      outstanding: undefined,
      reconcile: { ...rec, reported: out.reported, inventory: out.inventory },
      faults: [...state.faults, ...faults],
    },
    writes: out.writes,
  };
}

/** Checks the answer belongs to the outstanding request (method name; the cwmp:ID is advisory, cwmp-notes §2.2). */
export function absorbResponse(
  state: SessionState,
  o: Outstanding,
  answer: Answer,
  now: number,
  limits: PlanLimits,
  hashWriteOnly: WriteOnlyHasher,
): Result<Absorbed, string> {
  if (answer.method !== "Fault" && answer.method !== `${o.request.method}Response`) {
    return err(`expected ${o.request.method}Response or Fault, got ${answer.method}`);
  }
  if (o.origin.kind === "task") return ok(absorbTask(state, { ...o, origin: o.origin }, answer, now));
  return ok(absorbPlanStep(state, o, o.origin.step, answer, now, limits, hashWriteOnly));
}
