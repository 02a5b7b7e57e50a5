/**
 * Staged rollouts: the vocabulary shared by the pure parts (strategy, assignment, gate, window) and the adapters
 * (manager, store, API, CLI). A rollout moves ONE policy from its stable version to its canary version in waves.
 */

/** A wave's cumulative size: a share of the rollout's devices, or a device count. */
export type WaveSize = { readonly kind: "percent"; readonly value: number } | { readonly kind: "count"; readonly value: number };

export type Weekday = "mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun";
export const WEEKDAYS: readonly Weekday[] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/** When disruptive steps of the canary version may run. `from`/`to` are minutes after local midnight. */
export interface MaintenanceWindow {
  readonly days: readonly Weekday[];
  readonly fromMinute: number;
  readonly toMinute: number;
  /** An IANA zone ("Europe/Berlin", "UTC") or "device" (the device's reported local time zone, UTC if absent). */
  readonly tz: string;
}

export interface Gate {
  /** Share (0..1) of a wave's devices that must have converged to the canary version. */
  readonly converged: number;
  /** Largest share (0..1) of a wave's devices that may be faulted. */
  readonly maxFaulted: number;
  /** The gate must be met this long (ms) after the wave started, else the wave failed. */
  readonly withinMs: number;
}

export interface StagedStrategy {
  readonly kind: "staged";
  readonly waves: readonly WaveSize[];
  readonly canaryPerModel: boolean;
  readonly soakMs: number;
  readonly gate: Gate;
  readonly window: MaintenanceWindow | undefined;
  readonly onFailure: "pause" | "rollback";
  /** Send connection requests to a wave's devices when it starts (within the kick rate limit). */
  readonly kickOnWave: boolean;
}

export type Strategy = { readonly kind: "immediate" } | StagedStrategy;
export const IMMEDIATE: Strategy = Object.freeze({ kind: "immediate" });

export type RolloutState = "running" | "paused" | "completed" | "aborted" | "rolled-back" | "superseded";
/** States in which the rollout still decides which version devices get. */
export const IN_FORCE: ReadonlySet<RolloutState> = new Set<RolloutState>(["running", "paused", "aborted", "rolled-back"]);

/** Where one device stands in a rollout. `waiting`: its wave has not started. */
export type DeviceRolloutState = "waiting" | "pending" | "converged" | "faulted";
export const DEVICE_STATES: readonly DeviceRolloutState[] = ["waiting", "pending", "converged", "faulted"];

export interface FaultSummary {
  readonly deviceId: string;
  readonly model: string;
  readonly code: string;
  readonly path: string | undefined;
  readonly message: string;
}

export interface PauseReason {
  readonly at: number;
  readonly wave: number;
  readonly kind: "gate-faulted" | "gate-timeout" | "operator";
  readonly message: string;
  /** The faulted devices (bounded), their faults and their models. */
  readonly faults: readonly FaultSummary[];
  readonly models: readonly string[];
}

export interface RolloutRecord {
  readonly id: string;
  readonly policy: string;
  /** The revision whose version of the policy the fleet was converging to; undefined when the policy is new. */
  readonly stableRevision: string | undefined;
  readonly canaryRevision: string;
  /** Fingerprints (Policy.fingerprint) of the two versions: how a later reload tells them apart. */
  readonly stableFingerprint: string | undefined;
  readonly canaryFingerprint: string;
  readonly strategy: StagedStrategy;
  readonly state: RolloutState;
  /** Index of the latest started wave. */
  readonly wave: number;
  readonly waveStartedAt: number;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly reason: PauseReason | undefined;
  /** The rollout that replaced this one (state superseded). */
  readonly supersededBy: string | undefined;
}

export interface DeviceAssignment {
  readonly deviceId: string;
  readonly wave: number;
  readonly state: DeviceRolloutState;
  /** `productClass/softwareVersion` when the rollout started. */
  readonly model: string;
  /** The revision of the policy this device last converged to, if known. */
  readonly applied: string | undefined;
  /** When a Download or Reboot of the canary version was sent (a device that does not return counts as faulted). */
  readonly disruptiveAt: number | undefined;
  readonly fault: FaultSummary | undefined;
}

export interface RolloutEvent {
  readonly at: number;
  readonly kind: string;
  readonly message: string;
}

export type WaveCounts = Readonly<Record<DeviceRolloutState, number>> & { readonly total: number };
