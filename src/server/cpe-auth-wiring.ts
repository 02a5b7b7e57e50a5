/**
 * CPE -> ACS authentication: shared credentials from configuration, or per-device ones from the store (the CPE
 * authenticates with its device id as username; `PUT /api/devices/:id/cpe-credentials` sets the password).
 * Digest preferred, Basic over TLS only; optionally TLS client certificates (cpeAuth.clientCert) in place of,
 * or in addition to, HTTP auth.
 */
import { randomBytes } from "node:crypto";
import type { Config } from "../config/config.js";
import { authenticateCpe, cpeAuthConfigProblem, type CpeAuthConfig } from "../auth/cpe-auth.js";
import { createDigestVerifier } from "../auth/digest.js";
import type { CwmpDeps } from "./cwmp-deps.js";

/** The store secret holding a device's own CWMP password. */
export const CPE_PASSWORD_SECRET = "cwmp.password";

export function createCpeAuthenticator(cfg: Config, tlsEnabled: boolean, perDevice: (username: string) => string | undefined = () => undefined): NonNullable<CwmpDeps["authenticate"]> {
  const { username, password } = cfg.cpeAuth;
  const auth: CpeAuthConfig = {
    mode: cfg.cpeAuth.mode,
    allowBasicOverHttp: cfg.cpeAuth.allowBasicOverHttp,
    lookup: (u) => (username !== undefined && u === username ? password : perDevice(u)),
    realm: cfg.cpeAuth.realm,
    clientCert: cfg.cpeAuth.clientCert,
    ...(cfg.cpeAuth.mode === "digest" || cfg.cpeAuth.mode === "any"
      ? { digest: createDigestVerifier({ realm: cfg.cpeAuth.realm, nonceTtlMs: 300_000, secret: randomBytes(32), now: Date.now }) }
      : {}),
  };
  const problem = cpeAuthConfigProblem(auth, tlsEnabled);
  if (problem) throw new Error(problem);
  return (req) => authenticateCpe(req, auth);
}
