/**
 * The planner's contract: one explicit input, one plan value out. No I/O, no clock, no mutation.
 */
import type { XsdType } from "../domain/xsd.js";
import type { NotificationLevel, ParamValue } from "../cwmp/types.js";
import type { DesiredState, Provenance } from "../policy/desired.types.js";
import type { WriteOnlyHasher } from "./parameter-key.js";

/** One reported parameter with the time we observed it. */
export interface ReportedParam {
  readonly value: string;
  readonly type: XsdType;
  readonly writable: boolean | undefined; // undefined: not known yet (no GPN seen)
  readonly observedAt: number; // ms epoch
  readonly notification?: NotificationLevel;
}

export interface ReportedState {
  /** Full parameter path -> reported value. Objects are represented by `objects`. */
  readonly params: ReadonlyMap<string, ReportedParam>;
  /** Object paths ("X.Y.3.") known to exist, with when we learnt it. */
  readonly objects: ReadonlyMap<string, number>;
  /** Partial paths whose children we have enumerated with GetParameterNames (path -> observedAt). */
  readonly discovered: ReadonlyMap<string, number>;
  readonly parameterKey: string;
  readonly softwareVersion: string;
  /**
   * Parameters known to exist (from GetParameterNames or attributes) whose value has not been read yet, so they
   * are not in `params`. Keeps writability learnt from GetParameterNames. Optional: absent means none known.
   */
  readonly names?: ReadonlyMap<string, KnownName>;
}

/** A parameter known to exist whose value is unknown (see `ReportedState.names`). */
export interface KnownName {
  readonly writable: boolean | undefined;
  readonly notification?: NotificationLevel;
}

/** What Converge itself did to this device and remembers across sessions. */
export interface Inventory {
  /** Instances Converge created: table path -> instance numbers. Only these may be pruned. */
  readonly created: ReadonlyMap<string, readonly number[]>;
  /**
   * Write-only and `drift: report` params: path -> keyed hash of the value last set successfully. For a report-mode
   * value it says "this desired value was applied": a later difference is drift to report, not to revert.
   */
  readonly writeOnlyHashes: ReadonlyMap<string, string>;
  /** Paths the CPE rejected as unknown (9005), not retried until `until`. */
  /** `code`: the CWMP fault code, or the name of a fault Converge records (firmware_not_applied, ...). */
  readonly backoff: ReadonlyMap<string, { readonly until: number; readonly code: number | string; readonly attempts: number }>;
  /** An outstanding firmware download, if any. */
  readonly download: PendingDownload | undefined;
  /**
   * The key each instance Converge created was added for (object path "T.3." -> key values). Such an instance
   * stays bound to that declared instance even while its keys cannot be read (the CPE shows no children):
   * it gets its keys set, never a second AddObject. Optional: absent means none known.
   */
  readonly createdKeys?: ReadonlyMap<string, Readonly<Record<string, string>>>;
  /**
   * Write-ahead: AddObjects sent (or about to be) whose answer is not recorded yet. A crash or a lost response
   * leaves them here; the next enumeration of the table adopts the instance that appeared (fold.ts).
   */
  readonly addIntents?: readonly AddIntent[];
  /** Learnt per device: false once the CPE reported an empty ParameterKey after we set one. Absent: not known. */
  readonly parameterKeyKept?: boolean;
  /** Session-scoped: selectors of the declared instances an AddObject was sent for in this session (at most one each). */
  readonly addedThisSession?: ReadonlySet<string>;
  /**
   * A SetParameterValues/AddObject/DeleteObject answered status 1: the change applies after a reboot.
   * Optional: absent means false. Persisted with the `rebootPending` store write; an Inform with "1 BOOT" clears it.
   */
  readonly rebootPending?: boolean;
  /**
   * The few most recent ParameterKeys Converge set successfully (newest last; persisted with each `parameterKey`
   * store write). cwmp-notes §7.5: a CPE that reports one of these has seen no other party's
   * SetParameterValues/AddObject/DeleteObject since ours, so a write-only value whose hash matches needs no write.
   * Optional: absent means none known.
   */
  readonly appliedKeys?: readonly string[];
  /**
   * Session-scoped: paths set successfully but not read back yet -> the value sent (wire form). The planner
   * re-reads them (refresh reason "readback") before comparing again; a read-back that differs from what the CPE
   * accepted is a fault (the CPE does not keep the value) and backs off, so a device never loops on it.
   * Not persisted: a session that ends first re-sets them next time (idempotent).
   */
  readonly readback?: ReadonlyMap<string, string>;
  /**
   * Session-scoped: batches being bisected after a fault without per-parameter detail (9005 on a multi-path
   * GetParameterValues, say). The planner sends each group as its own batch; a group that faults again is halved,
   * a single path that faults is backed off. Finds a bad name in O(log n) rounds and retries the rest.
   */
  readonly bisect?: readonly (readonly string[])[];
}

/** A firmware Download Converge issued. */
export interface PendingDownload {
  readonly commandKey: string;
  readonly version: string;
  readonly startedAt: number;
  /** When a TransferComplete reported success (FaultCode 0): from then on the new SoftwareVersion is awaited. */
  readonly completedAt?: number;
  /** Informs seen since `completedAt` still reporting another version. */
  readonly informsSince?: number;
}

/** An AddObject Converge is about to send (write-ahead) for the declared instance `selector` of `table`. */
export interface AddIntent {
  readonly selector: string;
  readonly table: string;
  readonly key: Readonly<Record<string, string>>;
  /** Instance numbers of the table known when the intent was recorded: the new one is not among them. */
  readonly before: readonly number[];
  readonly at: number;
}

export interface DeviceQuirks {
  readonly booleanAsDigit: boolean;
  readonly datetimeMilliseconds: boolean;
  readonly gpvBatchSize: number;
  readonly spvBatchSize: number;
  /** How the model treats the ParameterKey Converge sends; absent: "learn". */
  readonly parameterKey?: ParameterKeyMode;
}

/**
 * What a model does with the ParameterKey (cwmp-notes §7.5), a per-model setting (`quirks:` parameterKey):
 * - "learn": not known; learnt per device (reconcile/inform-watch.ts: an empty key after ours, outside a BOOTSTRAP,
 *   means the CPE does not keep it, `Inventory.parameterKeyKept`);
 * - "kept": the model keeps it, so an empty key after ours is a reset even without "0 BOOTSTRAP" (a vendor
 *   config-file restore): the Inform step forgets what was reported and done, and the device is provisioned again;
 * - "ignored": the key the model reports says nothing (never ours): write-only values rely on what Converge last
 *   set from the first visit on, and a BOOTSTRAP is always taken as a reset.
 */
export type ParameterKeyMode = "learn" | "kept" | "ignored";

export interface PlanLimits {
  readonly maxRpcsPerSession: number;
  readonly maxReplanRounds: number;
  readonly downloadTimeoutMs: number;
  /** After a successful TransferComplete: Informs still reporting the old SoftwareVersion before firmware_not_applied. */
  readonly firmwareApplyInforms: number;
  /** After a successful TransferComplete: time (ms) the new SoftwareVersion may take before firmware_not_applied. */
  readonly firmwareApplyTimeoutMs: number;
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
}

export interface PlanInput {
  readonly desired: DesiredState;
  readonly reported: ReportedState;
  readonly inventory: Inventory;
  readonly now: number;
  readonly limits: PlanLimits;
  readonly quirks: DeviceQuirks;
  /** How write-only values are fingerprinted (keyed, per installation): compared with `inventory.writeOnlyHashes`. */
  readonly hashWriteOnly: WriteOnlyHasher;
}

export type PlanStep =
  | { readonly kind: "discover"; readonly path: string; readonly reason: "unknown" | "stale" }
  | { readonly kind: "refresh"; readonly paths: readonly string[]; readonly reason: "unknown" | "stale" | "readback" }
  /** GetParameterAttributes for parameters whose notification level is not known yet. */
  | { readonly kind: "readAttributes"; readonly paths: readonly string[] }
  | { readonly kind: "deleteObject"; readonly object: string; readonly from: Provenance }
  | { readonly kind: "addObject"; readonly table: string; readonly key: Readonly<Record<string, string>>; readonly from: Provenance }
  | {
      readonly kind: "setValues";
      readonly values: readonly ParamValue[];
      /** Provenance of each value, index-aligned with `values`. */
      readonly from: readonly Provenance[];
      /** Names of write-only values in this batch (hashed, never read back; renderers should mask them). */
      readonly writeOnly?: readonly string[];
      /** Names of `drift: report` values in this batch: their hash is remembered, so later drift is reported, not reverted. */
      readonly report?: readonly string[];
    }
  | {
      readonly kind: "setAttributes";
      readonly attributes: readonly { readonly path: string; readonly notification: NotificationLevel }[];
      /** Provenance of each attribute, index-aligned with `attributes`. */
      readonly from: readonly Provenance[];
    }
  | {
      readonly kind: "download";
      readonly version: string;
      readonly url: string;
      readonly fileSize: number;
      readonly commandKey: string;
      /** From DesiredFirmware; optional so older producers still type-check. Default "1 Firmware Upgrade Image". */
      readonly fileType?: string;
      readonly username?: string;
      readonly password?: string;
      /** The policy that pins the firmware. */
      readonly from: Provenance;
    }
  /** `from`: the policy whose `allowReboot` lets Converge reboot (the step's cause for the by-policy summary). */
  | { readonly kind: "reboot"; readonly reason: string; readonly from: Provenance };

export type PlanNote =
  | { readonly kind: "drift"; readonly path: string; readonly desired: string; readonly reported: string; readonly healed: boolean }
  | { readonly kind: "not-writable"; readonly path: string }
  | { readonly kind: "backoff"; readonly path: string; readonly until: number; readonly code: number | string }
  | { readonly kind: "conflict"; readonly path: string; readonly message: string }
  | { readonly kind: "unresolved-template"; readonly path: string; readonly message: string }
  | { readonly kind: "pending"; readonly what: "reboot" | "transfer" | "window"; readonly message: string }
  /** A desired path the device does not have (its parent was enumerated without it). */
  | { readonly kind: "unsupported"; readonly path: string; readonly message: string };

export interface Plan {
  readonly steps: readonly PlanStep[];
  readonly notes: readonly PlanNote[];
  /** True when desired and reported agree (no write steps, nothing pending). */
  readonly converged: boolean;
  /** The ParameterKey to send with sets/adds/deletes: a short id of desired.revision (≤ 32 chars). */
  readonly parameterKey: string;
}
