/**
 * The CWMP session state machine (pure). TR-069 §3.7: after the InformResponse the CPE may send requests; an
 * empty POST hands control to the ACS, which sends one request per HTTP response and ends with an empty 204.
 * Every answer is folded into the working state and the reconciler plans again (plan, execute the head,
 * observe, replan). Every loop is bounded: RPCs per session and replan rounds; a bound that trips ends the
 * session with a named fault.
 */
import type { CpeMessage, CpeRequest, CpeResponse, CwmpVersion } from "../cwmp/types.js";
import type { DeviceId } from "../domain/device.js";
import type { DesiredState } from "../policy/desired.types.js";
import type { Inventory, ParameterKeyMode, PlanLimits, ReportedState } from "../reconcile/types.js";
import { watchInform } from "../reconcile/inform-watch.js";
import { BOOTSTRAP } from "../cwmp/events.js";
import type { DeviceLoad, DeviceStatus, StoreWrite, TaskRecord } from "../domain/store.js";
import { matchSubjectOf, type InformFacts, type MatchSubject } from "../domain/facts.js";
import { applyInform } from "./inform.js";
import { answerCpeRequest } from "./cpe-requests.js";
import { absorbResponse } from "./absorb.js";
import { chooseNext } from "./next.js";
import { endWithFault } from "./end.js";
import type { SessionConfig, SessionInput, SessionState, StepResult } from "./types.js";
import type { Fault } from "../domain/faults.js";

export interface OpenSessionInput {
  readonly id: string;
  readonly deviceId: DeviceId;
  readonly version: CwmpVersion;
  readonly tasks: readonly TaskRecord[];
  /** Undefined when no policy set is loaded: the session then only runs operator tasks. */
  readonly desired: DesiredState | undefined;
  readonly reported: ReportedState;
  readonly inventory: Inventory;
  readonly previousStatus: DeviceStatus | undefined;
  /** Faults the Inform step itself recorded (reconcile/inform-watch.ts): they count in this session's status. */
  readonly faults?: readonly Fault[];
}

/** The state right after the InformResponse. */
export function openSession(init: OpenSessionInput): SessionState {
  return {
    id: init.id,
    deviceId: init.deviceId,
    version: init.version,
    phase: "open",
    outstanding: undefined,
    rpcCount: 0,
    planRounds: 0,
    nextId: 1,
    tasks: init.tasks,
    reconcile: init.desired ? { desired: init.desired, reported: init.reported, inventory: init.inventory } : undefined,
    faults: init.faults ?? [],
    previousStatus: init.previousStatus,
    outcome: undefined,
  };
}

export interface InformStepInput {
  readonly id: string;
  readonly version: CwmpVersion;
  /** The Inform envelope's cwmp:ID, echoed in the InformResponse. */
  readonly envelopeId: string | undefined;
  readonly facts: InformFacts;
  /** What the store held about the device before this Inform. */
  readonly known: DeviceLoad;
  /** The desired state of the device as it is after the Inform (pure: the policy snapshot is fixed for the session). */
  readonly resolve: (subject: MatchSubject, secrets: ReadonlyMap<string, string>) => DesiredState | undefined;
  /** Secrets the adapter drew for names the device may lack (connection request credentials); kept only if new. */
  readonly newSecrets?: ReadonlyMap<string, string>;
  /** Bounds of the Inform watch (firmware awaited, ParameterKey kept: reconcile/inform-watch.ts). */
  readonly limits: PlanLimits;
  /** The model's ParameterKey setting (`quirks:` parameterKey, reconcile/types.ts); absent: "learn". */
  readonly parameterKey?: ParameterKeyMode;
}

/**
 * The Inform, like every other message, is a step: InformResponse plus the writes of its ONE transaction (the
 * device's facts, the BOOT/BOOTSTRAP rules of session/inform.ts, the Inform's values, new secrets), and the state
 * the session goes on from, computed without reading anything back.
 */
export function informStep(input: InformStepInput, now: number): StepResult & { readonly desired: DesiredState | undefined } {
  const mode = input.parameterKey ?? "learn";
  const after = applyInform(input.facts, input.known, now, input.newSecrets, mode);
  const secrets = new Map([...(input.newSecrets ?? []), ...input.known.secrets]);
  const desired = input.resolve(matchSubjectOf(after.record, after.reported), secrets);
  // What this Inform says about Converge's own earlier work (firmware awaited, ParameterKey kept): its writes
  // commit in the Inform step's one transaction.
  const bootstrap = input.facts.events.some((e) => e.code === BOOTSTRAP);
  const watched = watchInform({ reported: after.reported, inventory: after.inventory, desired, bootstrap, now, limits: input.limits, parameterKey: mode });
  const state = openSession({
    id: input.id,
    deviceId: input.facts.deviceId,
    version: input.version,
    tasks: input.known.tasks,
    desired,
    reported: after.reported,
    inventory: watched.inventory,
    previousStatus: after.record.status,
    faults: watched.faults,
  });
  const reply = {
    kind: "message" as const,
    message: { method: "InformResponse" as const, maxEnvelopes: 1 as const },
    id: input.envelopeId ?? "1",
    holdRequests: false,
  };
  return { state, reply, writes: [...after.writes, ...watched.writes], desired };
}

const CPE_REQUESTS = new Set<string>(["Inform", "TransferComplete", "AutonomousTransferComplete", "GetRPCMethods", "RequestDownload", "Kicked"]);

function isCpeRequest(m: CpeMessage): m is CpeRequest {
  return CPE_REQUESTS.has(m.method);
}

/**
 * Advances the session by one CPE message (or empty POST). Never throws for protocol problems: they become
 * named faults. Never mutates `state`.
 */
export function step(state: SessionState, input: SessionInput, cfg: SessionConfig, now: number): StepResult {
  if (state.phase === "ended") return { state, reply: { kind: "end" }, writes: [] };
  if (input.kind === "message" && isCpeRequest(input.message)) {
    const req = input.message;
    if (req.method === "Inform") return endWithFault(state, "bad_session_state", "Inform inside an open session", now);
    const out = answerCpeRequest(state, req, now, cfg.limits);
    return {
      state: out.state,
      reply: { kind: "message", message: out.reply, id: input.id ?? `acs-${state.nextId}`, holdRequests: false },
      writes: out.writes,
    };
  }
  let current = state;
  const writes: StoreWrite[] = [];
  if (input.kind === "message") {
    if (!current.outstanding) {
      return endWithFault(current, "bad_session_state", `unexpected ${input.message.method}: no request outstanding`, now);
    }
    const absorbed = absorbResponse(
      current,
      current.outstanding,
      input.message as CpeResponse | Extract<CpeMessage, { method: "Fault" }>,
      now,
      cfg.limits,
      cfg.hashWriteOnly,
    );
    if (!absorbed.ok) return endWithFault(current, "bad_session_state", absorbed.error, now);
    current = absorbed.value.state;
    writes.push(...absorbed.value.writes);
  } else if (current.outstanding) {
    // TR-069 §3.7.1.4: an empty POST while a request is outstanding means the CPE did not answer it.
    current = {
      ...current,
      outstanding: undefined,
      faults: [...current.faults, { code: "bad_session_state", message: `no answer to ${current.outstanding.request.method}`, retryable: true }],
    };
  }
  const next = chooseNext(current, cfg, now);
  return { state: next.state, reply: next.reply, writes: [...writes, ...next.writes] };
}

export { endWithFault };
