import type { SessionFaultCode } from "../domain/faults.js";
import type { StoreWrite } from "../domain/store.js";
import type { SessionState, StepResult } from "./types.js";

/** A CPE message that breaks the session protocol ends the session with a named fault; the server stays up. */
export function endWithFault(state: SessionState, code: SessionFaultCode, message: string, now: number): StepResult {
  const fault = { code, message, retryable: true };
  const writes: StoreWrite[] = [{ kind: "fault", fault: { code, message, path: undefined, policy: undefined, sessionId: state.id, retryable: true, at: now } }];
  return {
    state: { ...state, phase: "ended", outstanding: undefined, faults: [...state.faults, fault], outcome: `fault:${code}` },
    reply: { kind: "end" },
    writes,
  };
}
