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
import { parseAuthHeader } from "../auth/auth-params.js";
import { parseBasic } from "../auth/basic.js";

/** The username an Authorization header claims (Digest `username=`, Basic user-id), unverified. */
function claimedUsername(authorization: string): string | undefined {
  const first = parseAuthHeader(authorization)[0];
  if (first?.scheme === "basic") return parseBasic(authorization)?.username;
  return first?.params.get("username");
}

/** The store secret holding a device's own CWMP password. */
export const CPE_PASSWORD_SECRET = "cwmp.password";

/**
 * The CPE authenticator. `perDevice` finds a device's own password (in the store, asynchronously): it is read
 * before the (synchronous) Digest/Basic verification, for the one username the request's Authorization names.
 */
export function createCpeAuthenticator(
  cfg: Config,
  tlsEnabled: boolean,
  perDevice: (username: string) => Promise<string | undefined> = () => Promise.resolve(undefined),
): NonNullable<CwmpDeps["authenticate"]> {
  const { username, password } = cfg.cpeAuth;
  const base = {
    mode: cfg.cpeAuth.mode,
    allowBasicOverHttp: cfg.cpeAuth.allowBasicOverHttp,
    realm: cfg.cpeAuth.realm,
    clientCert: cfg.cpeAuth.clientCert,
    ...(cfg.cpeAuth.mode === "digest" || cfg.cpeAuth.mode === "any"
      ? { digest: createDigestVerifier({ realm: cfg.cpeAuth.realm, nonceTtlMs: 300_000, secret: randomBytes(32), now: Date.now }) }
      : {}),
  };
  const shared = (u: string): string | undefined => (username !== undefined && u === username ? password : undefined);
  const problem = cpeAuthConfigProblem(base, tlsEnabled);
  if (problem) throw new Error(problem);
  return async (req) => {
    const claimed = req.authorization !== undefined ? claimedUsername(req.authorization) : undefined;
    const own = claimed !== undefined && shared(claimed) === undefined ? await perDevice(claimed) : undefined;
    const auth: CpeAuthConfig = { ...base, lookup: (u) => shared(u) ?? (u === claimed ? own : undefined) };
    return authenticateCpe(req, auth);
  };
}
