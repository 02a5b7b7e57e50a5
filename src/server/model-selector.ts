/**
 * Per-model settings selected by OUI / productClass / manufacturer: `cwmp.omitXmlDeclaration`, and the `quirks:`
 * list of converge.yaml (every entry whose `match` selects the device applies, later entries over earlier ones,
 * over the global settings `cwmp.omitXmlDeclaration`, `cpeAuth.perRequest`, `connectionRequest.allowBasic` and the
 * planner's DEFAULT_QUIRKS).
 * One resolver for every user of them: the session, the connection requests (`reach.ts`), the desired state's
 * built-in credentials (`desired-resolver.ts`) and the plan previews (API and `converge plan`).
 */
import type { Config, ModelSelector } from "../config/config.js";
import type { InformFacts } from "../domain/store.js";
import { DEFAULT_QUIRKS } from "../reconcile/limits.js";
import type { DeviceQuirks } from "../reconcile/types.js";

type Model = Pick<InformFacts, "oui" | "productClass" | "manufacturer">;

/** Every field the selector gives must match: the OUI case-insensitively, the others exactly. */
export function selects(sel: ModelSelector, m: Model): boolean {
  if (sel.oui !== undefined && sel.oui.toUpperCase() !== m.oui.toUpperCase()) return false;
  if (sel.productClass !== undefined && sel.productClass !== m.productClass) return false;
  if (sel.manufacturer !== undefined && sel.manufacturer !== m.manufacturer) return false;
  return true;
}

/** What the ACS does differently for one model. */
export interface ModelSettings {
  /** How the planner encodes values and batches reads and writes. */
  readonly quirks: DeviceQuirks;
  /** Whether its messages carry the `<?xml ...?>` declaration. */
  readonly xmlDeclaration: boolean;
  /** Whether every request of its sessions authenticates, not only the Inform. */
  readonly authPerRequest: boolean;
  /**
   * The connection request username: "provisioned" (Converge sets its own and retries a refused request once with
   * the one the CPE reports) or "reported" (the model keeps its own: never set, used from the first request).
   */
  readonly connReqUsername: "provisioned" | "reported";
  /** Whether a Basic-only connection request challenge is answered (`connectionRequest.allowBasic`, or per model). */
  readonly connReqAllowBasic: boolean;
}

/** The settings of each model, from the configuration (computed once per Inform). */
export function modelSettingsFor(cfg: Pick<Config, "quirks" | "cwmp" | "cpeAuth" | "connectionRequest">): (m: Model) => ModelSettings {
  return (m) => {
    let quirks: DeviceQuirks = DEFAULT_QUIRKS;
    let xmlDeclaration = !cfg.cwmp.omitXmlDeclaration.some((sel) => selects(sel, m));
    let authPerRequest = cfg.cpeAuth.perRequest;
    let connReqUsername: ModelSettings["connReqUsername"] = "provisioned";
    let connReqAllowBasic = cfg.connectionRequest.allowBasic;
    for (const rule of cfg.quirks) {
      if (!selects(rule.match, m)) continue;
      const { match: _match, omitXmlDeclaration, authPerRequest: perRequest, connReqUsername: username, connReqAllowBasic: basic, ...planner } = rule;
      quirks = { ...quirks, ...planner };
      if (omitXmlDeclaration !== undefined) xmlDeclaration = !omitXmlDeclaration;
      if (perRequest !== undefined) authPerRequest = perRequest;
      if (username !== undefined) connReqUsername = username;
      if (basic !== undefined) connReqAllowBasic = basic;
    }
    return { quirks, xmlDeclaration, authPerRequest, connReqUsername, connReqAllowBasic };
  };
}
