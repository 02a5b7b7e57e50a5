import { parseAuthHeader } from "./auth-params.js";
import { basicChallenge, verifyBasic } from "./basic.js";
import type { DigestVerifier, PasswordLookup } from "./digest.js";

export type CpeAuthMode = "open" | "basic" | "digest" | "any";

/**
 * What a verified TLS client certificate means: "off" ignores it; "accept" lets it stand in for HTTP
 * authentication (CPEs without one use HTTP auth); "require" refuses (403) a request without one and
 * still applies HTTP authentication per `mode` (with mode "open", the certificate alone authenticates).
 */
export type ClientCertMode = "off" | "accept" | "require";

export interface CpeAuthConfig {
  readonly mode: CpeAuthMode;
  /** Accept Basic on plain HTTP (labs, legacy CPEs). Off: Basic is only offered and accepted over TLS. */
  readonly allowBasicOverHttp: boolean;
  readonly lookup: PasswordLookup;
  /** Required for modes "digest" and "any"; its realm is also used for the Basic challenge. */
  readonly digest?: DigestVerifier;
  /** Realm for the Basic challenge when no digest verifier is configured. Default "converge". */
  readonly realm?: string;
  /** Default "off". */
  readonly clientCert?: ClientCertMode;
}

export interface CpeAuthRequest {
  readonly method: string;
  readonly authorization: string | undefined;
  readonly tls: boolean;
  /** The request target, checked against the digest `uri` when given. */
  readonly url?: string;
  /** Subject CN of a client certificate the TLS layer verified against the configured CA (see tls.ts). */
  readonly clientCertName?: string;
}

export type CpeAuthResult =
  | { readonly ok: true; readonly username?: string; readonly clientCert?: string }
  | { readonly ok: false; readonly status: 401 | 403; readonly wwwAuthenticate: string[]; readonly reason: string };

function needDigest(cfg: CpeAuthConfig): DigestVerifier {
  if (cfg.digest === undefined) throw new Error(`CPE auth mode "${cfg.mode}" needs a digest verifier`);
  return cfg.digest;
}

/** The challenges to send with a 401: Digest first (preferred), Basic only where it may be used. */
function challenges(cfg: CpeAuthConfig, tls: boolean, stale: boolean): string[] {
  const out: string[] = [];
  if (cfg.mode === "digest" || cfg.mode === "any") out.push(needDigest(cfg).challenge(stale));
  const basicUsable = tls || cfg.allowBasicOverHttp;
  if ((cfg.mode === "basic" || cfg.mode === "any") && basicUsable) {
    out.push(basicChallenge(cfg.digest?.realm ?? cfg.realm ?? "converge"));
  }
  return out;
}

/**
 * Authenticates one CPE -> ACS request. TR-069 §3.4.4: Basic only over TLS (unless
 * `allowBasicOverHttp`), otherwise Digest. A request without credentials gets the challenges; the
 * first 401 of a session is normal CWMP flow, not a failure. In "basic" mode over plain HTTP without
 * `allowBasicOverHttp` no scheme is usable: the 401 carries no challenge (refuse that config at start-up,
 * see {@link cpeAuthConfigProblem}). Client certificates per `clientCert` (see {@link ClientCertMode}) are
 * checked first.
 */
export function authenticateCpe(req: CpeAuthRequest, cfg: CpeAuthConfig): CpeAuthResult {
  const certMode = cfg.clientCert ?? "off";
  const cert = certMode === "off" ? undefined : req.clientCertName;
  // A verified certificate stands in for HTTP authentication ("accept"); "require" refuses without one.
  if (cert !== undefined && (certMode === "accept" || cfg.mode === "open")) return { ok: true, username: cert, clientCert: cert };
  if (certMode === "require" && cert === undefined) {
    return { ok: false, status: 403, wwwAuthenticate: [], reason: "no verified client certificate" };
  }
  const http = httpAuthenticate(req, cfg);
  return http.ok && cert !== undefined ? { ...http, clientCert: cert } : http;
}

function httpAuthenticate(req: CpeAuthRequest, cfg: CpeAuthConfig): CpeAuthResult {
  if (cfg.mode === "open") return { ok: true };
  const deny = (reason: string, stale = false): CpeAuthResult => ({
    ok: false,
    status: 401,
    wwwAuthenticate: challenges(cfg, req.tls, stale),
    reason,
  });
  if (req.authorization === undefined || req.authorization.trim() === "") return deny("no credentials");
  const scheme = parseAuthHeader(req.authorization)[0]?.scheme;
  if (scheme === "digest" && (cfg.mode === "digest" || cfg.mode === "any")) {
    const v = needDigest(cfg).verify(req.method, req.authorization, cfg.lookup, req.url);
    return v.ok ? { ok: true, username: v.username } : deny(v.reason, v.stale);
  }
  if (scheme === "basic" && (cfg.mode === "basic" || cfg.mode === "any")) {
    if (!req.tls && !cfg.allowBasicOverHttp) return deny("Basic refused over plain HTTP");
    const v = verifyBasic(req.authorization, cfg.lookup);
    return v.ok ? { ok: true, username: v.username } : deny(v.reason);
  }
  return deny(`scheme ${scheme ?? "(none)"} not accepted in mode ${cfg.mode}`);
}

/**
 * A configuration that cannot work or is unsafe, as a message for start-up; undefined when fine.
 * `tlsEnabled` says whether the CWMP listener serves TLS.
 */
export function cpeAuthConfigProblem(
  cfg: Pick<CpeAuthConfig, "mode" | "allowBasicOverHttp" | "digest" | "clientCert">,
  tlsEnabled: boolean,
): string | undefined {
  if ((cfg.clientCert ?? "off") !== "off" && !tlsEnabled) {
    return `CPE client certificates (clientCert "${cfg.clientCert}") need TLS with requestClientCert and a ca`;
  }
  if ((cfg.mode === "digest" || cfg.mode === "any") && cfg.digest === undefined) {
    return `CPE auth mode "${cfg.mode}" needs a digest verifier`;
  }
  if (cfg.mode === "basic" && !tlsEnabled && !cfg.allowBasicOverHttp) {
    return 'CPE auth mode "basic" needs TLS, or allowBasicOverHttp for a lab';
  }
  return undefined;
}
