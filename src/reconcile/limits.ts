/** Default bounds (GenieACS-like) for callers without configuration, and the backoff arithmetic. */
import type { DeviceQuirks, PlanLimits } from "./types.js";

export const DEFAULT_LIMITS: PlanLimits = {
  maxRpcsPerSession: 64,
  maxReplanRounds: 32,
  downloadTimeoutMs: 3_600_000,
  firmwareApplyInforms: 2,
  firmwareApplyTimeoutMs: 3_600_000,
  backoffBaseMs: 300_000, // GenieACS cwmp.retryDelay: 300 s · 2^retries
  backoffMaxMs: 86_400_000,
};

export const DEFAULT_QUIRKS: DeviceQuirks = {
  booleanAsDigit: false,
  datetimeMilliseconds: true,
  gpvBatchSize: 64,
  spvBatchSize: 32,
  parameterKey: "learn",
};

export type BackoffLimits = Pick<PlanLimits, "backoffBaseMs" | "backoffMaxMs">;

/** The next backoff after `attempts` earlier failures: min(base · 2^attempts, max). */
export function nextBackoff(limits: BackoffLimits, attempts: number, now: number): { readonly until: number; readonly attempts: number } {
  const delay = Math.min(limits.backoffBaseMs * 2 ** Math.min(attempts, 40), limits.backoffMaxMs);
  return { until: now + delay, attempts: attempts + 1 };
}
