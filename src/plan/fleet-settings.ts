/**
 * The settings `converge plan --db` plans a stored fleet with, from the server's configuration: the server's
 * desired state with its key (fleet-desired.ts; connection-request credentials as configured, per model the
 * username rule), the configured limits and each model's quirks (`quirks:`, server/model-selector.ts). One
 * function, so the CLI's thread and the plan worker threads (plan-worker.ts) plan with the same settings.
 */
import { planLimitsOf, type Config } from "../config/config.js";
import type { PolicySet } from "../policy/types.js";
import { DEFAULT_QUIRKS } from "../reconcile/limits.js";
import type { WriteOnlyHasher } from "../reconcile/parameter-key.js";
import { modelSettingsFor } from "../server/model-selector.js";
import type { PlanSettings } from "./device-plan.js";
import { fleetDesired } from "./fleet-desired.js";

export function fleetSettings(cfg: Config, set: PolicySet, hashWriteOnly: WriteOnlyHasher, now: number): PlanSettings {
  const perModel = modelSettingsFor(cfg);
  // The same desired state the server computes, without generating anything: plan never writes.
  const fleet = fleetDesired(set, {
    provisionConnReq: cfg.connectionRequest.provisionCredentials ? "existing" : false,
    connReqUsername: (f) => perModel(f).connReqUsername,
  });
  return {
    desired: fleet.desired,
    desiredKey: fleet.key,
    limits: planLimitsOf(cfg.limits),
    quirks: DEFAULT_QUIRKS,
    quirksFor: (m) => perModel(m).quirks,
    now,
    hashWriteOnly,
  };
}
