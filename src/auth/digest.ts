import { parseAuthHeader, quote } from "./auth-params.js";
import { digestAlgorithm, digestResponse } from "./digest-core.js";
import { issueNonce, nonceIssuedAt } from "./nonce.js";
import { createNonceCounts } from "./nonce-counts.js";
import { safeEqual } from "./safe-equal.js";

export interface DigestVerifierOptions {
  readonly realm: string;
  readonly nonceTtlMs: number;
  /** HMAC key for nonces; at least 16 bytes. Nodes sharing it accept each other's nonces. */
  readonly secret: Buffer;
  readonly now: () => number;
  /** Bound on nonces whose nonce-count is remembered (replay protection). Default 10 000. */
  readonly maxTrackedNonces?: number;
}

export type DigestVerdict = { readonly ok: true; readonly username: string } | { readonly ok: false; readonly stale: boolean; readonly reason: string };

export type PasswordLookup = (username: string) => string | undefined;

export interface DigestVerifier {
  readonly realm: string;
  /** A `WWW-Authenticate` value; `stale` tells the client its digest was right but the nonce expired. */
  challenge(stale?: boolean): string;
  /**
   * Checks `Authorization: Digest ...` for `method`. When `requestUri` is given, the digest's `uri`
   * must name it (RFC 7616 §3.4.6).
   */
  verify(method: string, authorization: string, lookup: PasswordLookup, requestUri?: string): DigestVerdict;
}

interface DigestFields {
  readonly username: string;
  readonly realm: string;
  readonly nonce: string;
  readonly uri: string;
  readonly response: string;
  readonly qop?: { readonly nc: string; readonly cnonce: string };
}

// Compared against when the username is unknown, so that path costs the same as a wrong password.
const DUMMY_PASSWORD = "\u0000converge-unknown-user";
// Clock steps backwards shorter than this do not invalidate fresh nonces.
const FUTURE_SKEW_MS = 5_000;

const fail = (reason: string, stale = false): DigestVerdict => ({ ok: false, stale, reason });

/** Extracts and checks the shape of Digest credentials; a string is the reason they are unusable. */
function readFields(authorization: string): DigestFields | string {
  const creds = parseAuthHeader(authorization).find((c) => c.scheme === "digest");
  if (creds === undefined) return "no Digest credentials";
  const p = creds.params;
  const [username, realm, nonce, uri, response] = ["username", "realm", "nonce", "uri", "response"].map((k) => p.get(k));
  if (username === undefined || realm === undefined || nonce === undefined || uri === undefined || response === undefined) {
    return "incomplete Digest credentials";
  }
  if (digestAlgorithm(p.get("algorithm")) !== "MD5") return `unsupported algorithm ${p.get("algorithm") ?? ""}`;
  const qop = p.get("qop");
  if (qop === undefined) return { username, realm, nonce, uri, response }; // RFC 2069
  const nc = p.get("nc");
  const cnonce = p.get("cnonce");
  if (qop.toLowerCase() !== "auth") return `unsupported qop ${qop}`;
  if (nc === undefined || !/^[0-9a-fA-F]{8}$/.test(nc) || cnonce === undefined) return "qop=auth without nc/cnonce";
  return { username, realm, nonce, uri, response, qop: { nc, cnonce } };
}

function uriMatches(digestUri: string, requestUri: string): boolean {
  // Embedded stacks send `uri=""` (the response is still computed over it, so it binds nothing else).
  if (digestUri === "" || digestUri === requestUri) return true;
  // Some clients put the absolute URI in `uri`; compare its path and query.
  try {
    const u = new URL(digestUri);
    return `${u.pathname}${u.search}` === requestUri;
  } catch {
    return false;
  }
}

/**
 * The ACS side of HTTP Digest (RFC 7616, MD5, qop=auth; RFC 2069 without qop accepted for old CPEs).
 * Nonces are stateless (HMAC-signed timestamps); nonce-counts are remembered in a bounded LRU, so a
 * captured qop=auth request cannot be replayed. RFC 2069 clients send no nc: for them replay
 * protection is limited to the nonce lifetime.
 */
export function createDigestVerifier(opts: DigestVerifierOptions): DigestVerifier {
  if (opts.secret.length < 16) throw new Error("digest nonce secret must be at least 16 bytes");
  const counts = createNonceCounts(opts.maxTrackedNonces ?? 10_000);
  const { realm, secret } = opts;

  function checkFreshness(f: DigestFields, issuedAt: number): DigestVerdict {
    const age = opts.now() - issuedAt;
    if (age > opts.nonceTtlMs || age < -FUTURE_SKEW_MS) return fail("nonce expired", true);
    if (f.qop === undefined) return { ok: true, username: f.username };
    const seen = counts.observe(f.nonce, issuedAt, Number.parseInt(f.qop.nc, 16));
    // stale=true: the client answers with a fresh nonce at once (a plain 401 costs real CPEs a second round
    // trip or the session); the replayed request itself is still refused.
    if (seen === "replay") return fail("nonce count replayed", true);
    if (seen === "forgotten") return fail("nonce no longer tracked", true);
    return { ok: true, username: f.username };
  }

  return {
    realm,
    challenge(stale = false) {
      const nonce = issueNonce(secret, realm, opts.now());
      return `Digest realm=${quote(realm)}, qop="auth", algorithm=MD5, nonce=${quote(nonce)}${stale ? ", stale=true" : ""}`;
    },
    verify(method, authorization, lookup, requestUri) {
      const f = readFields(authorization);
      if (typeof f === "string") return fail(f);
      if (f.realm !== realm) return fail("wrong realm");
      if (requestUri !== undefined && !uriMatches(f.uri, requestUri)) return fail("digest uri does not match the request");
      const issuedAt = nonceIssuedAt(secret, realm, f.nonce);
      if (issuedAt === undefined) return fail("nonce not issued by this server");
      const password = lookup(f.username);
      const expected = digestResponse({ algorithm: "MD5", ...f, password: password ?? DUMMY_PASSWORD, method });
      const matches = safeEqual(expected, f.response.toLowerCase());
      if (password === undefined) return fail("unknown user");
      if (!matches) return fail("wrong credentials");
      return checkFreshness(f, issuedAt);
    },
  };
}
