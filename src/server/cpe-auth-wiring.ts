/**
 * CPE -> ACS authentication: shared credentials from configuration, or per-device ones from the store (the CPE
 * authenticates with its device id as username; `PUT /api/devices/:id/cpe-credentials` sets the password).
 * Digest preferred, Basic over TLS only; optionally TLS client certificates (cpeAuth.clientCert) in place of,
 * or in addition to, HTTP auth.
 */
import { createHmac, randomBytes } from "node:crypto";
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
 * The nonce key of several nodes on one database, derived from the installation's key (kept in the store, never
 * sent): a nonce one node issued in its 401 is good on every node, so the CPE's authenticated Inform may reach
 * another node than its challenge did (a load balancer without connection stickiness).
 */
export function sharedNonceSecret(installationKey: string): Buffer {
  return createHmac("sha256", installationKey).update("converge digest nonces").digest();
}

/**
 * The CPE authenticator. `perDevice` finds a device's own password (in the store, asynchronously): it is read
 * before the (synchronous) Digest/Basic verification, for the one username the request's Authorization names.
 */
export function createCpeAuthenticator(
  cfg: Config,
  tlsEnabled: boolean,
  perDevice: (username: string) => Promise<string | undefined> = () => Promise.resolve(undefined),
  /** The key Digest nonces are signed with: random per process, or shared by every node (sharedNonceSecret). */
  nonceSecret: Buffer = randomBytes(32),
): NonNullable<CwmpDeps["authenticate"]> {
  const { username, password } = cfg.cpeAuth;
  const base = {
    mode: cfg.cpeAuth.mode,
    allowBasicOverHttp: cfg.cpeAuth.allowBasicOverHttp,
    realm: cfg.cpeAuth.realm,
    clientCert: cfg.cpeAuth.clientCert,
    ...(cfg.cpeAuth.mode === "digest" || cfg.cpeAuth.mode === "any"
      ? { digest: createDigestVerifier({ realm: cfg.cpeAuth.realm, nonceTtlMs: 300_000, secret: nonceSecret, now: Date.now }) }
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
