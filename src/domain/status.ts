/** Per-device status conditions (Kubernetes-style), computed by reconcile/status.ts and stored per device. */
export type ConditionType = "Matched" | "Converged" | "Drifted" | "Faulted" | "Pending";

export interface Condition {
  readonly type: ConditionType;
  readonly status: boolean;
  readonly reason: string;
  readonly message: string;
  readonly lastTransition: number;
}

export interface DeviceStatus {
  readonly conditions: readonly Condition[];
  readonly matchedPolicies: readonly string[];
  readonly appliedRevision: string | undefined;
  readonly attemptedRevision: string | undefined;
  readonly lastTransition: number;
}
