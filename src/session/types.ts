/**
 * The CWMP session as a pure state machine. The HTTP route decodes a request, calls `step`, commits the
 * writes in one transaction, and encodes the reply. No HTTP object, socket, clock or database lives here.
 */
import type { Fault } from "../domain/faults.js";
import type { DeviceId } from "../domain/device.js";
import type { SessionFaultCode, SessionOutcome } from "../domain/faults.js";
import type { AcsMessage, AcsRequest, CpeMessage, CwmpVersion } from "../cwmp/types.js";
import type { DesiredState } from "../policy/desired.types.js";
import type { WriteOnlyHasher } from "../reconcile/parameter-key.js";
import type { DeviceQuirks, Inventory, PlanLimits, PlanStep, ReportedState } from "../reconcile/types.js";
import type { DeviceStatus, StoreWrite, TaskRecord } from "../domain/store.js";

/** Where an outstanding ACS request came from: an operator task or the reconciler's plan. */
export type WorkOrigin = { readonly kind: "task"; readonly taskId: number } | { readonly kind: "plan"; readonly step: PlanStep };

export interface Outstanding {
  readonly request: AcsRequest;
  readonly origin: WorkOrigin;
  readonly id: string;
}

/** Reconciliation working state: the snapshot the session started with, and what it has learnt since. */
export interface ReconcileState {
  readonly desired: DesiredState;
  readonly reported: ReportedState;
  readonly inventory: Inventory;
}

export interface SessionState {
  readonly id: string;
  readonly deviceId: DeviceId;
  readonly version: CwmpVersion;
  readonly phase: "open" | "ended";
  readonly outstanding: Outstanding | undefined;
  readonly rpcCount: number;
  readonly planRounds: number;
  readonly nextId: number;
  readonly tasks: readonly TaskRecord[];
  readonly reconcile: ReconcileState | undefined;
  readonly faults: readonly Fault[];
  readonly previousStatus: DeviceStatus | undefined;
  /** Set when the session ended: "ok" or "fault:<code>" (domain/faults.ts). */
  readonly outcome: SessionOutcome | undefined;
  /** Set when the session ended with a plan: whether the device is converged. */
  readonly converged?: boolean;
}

export interface SessionConfig {
  readonly limits: PlanLimits;
  readonly quirks: DeviceQuirks;
  /** TR-069 A.4.1: ask the CPE to hold its requests while the ACS drives. */
  readonly holdRequests: boolean;
  /** The installation's keyed hash of write-only values (see reconcile/parameter-key.ts). */
  readonly hashWriteOnly: WriteOnlyHasher;
}

/** What the route feeds the machine after an InformResponse has opened the session. */
export type SessionInput = { readonly kind: "empty" } | { readonly kind: "message"; readonly id: string | undefined; readonly message: CpeMessage };

export type SessionReply =
  { readonly kind: "message"; readonly message: AcsMessage; readonly id: string; readonly holdRequests: boolean } | { readonly kind: "end" };

export interface StepResult {
  readonly state: SessionState;
  readonly reply: SessionReply;
  readonly writes: readonly StoreWrite[];
}

export type { SessionFaultCode };
