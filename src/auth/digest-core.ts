import { createHash } from "node:crypto";
import { quote } from "./auth-params.js";

/**
 * HTTP Digest computations shared by the ACS-side verifier (CPE -> ACS) and the connection-request
 * client (ACS -> CPE). RFC 7616 §3.4.1 with qop=auth, and RFC 2069 (no qop) for old CPEs.
 */

export type DigestAlgorithm = "MD5" | "SHA-256";

export interface DigestInput {
  readonly algorithm: DigestAlgorithm;
  readonly username: string;
  readonly realm: string;
  readonly password: string;
  readonly method: string;
  readonly uri: string;
  readonly nonce: string;
  /** Present for RFC 2617/7616 qop=auth; absent for RFC 2069. */
  readonly qop?: { readonly nc: string; readonly cnonce: string };
}

const HASH_NAME: Record<DigestAlgorithm, string> = { MD5: "md5", "SHA-256": "sha256" };

function h(algorithm: DigestAlgorithm, text: string): string {
  return createHash(HASH_NAME[algorithm]).update(text, "utf8").digest("hex");
}

/** Maps an `algorithm` parameter to a supported algorithm; absent means MD5 (RFC 7616 §3.3). */
export function digestAlgorithm(param: string | undefined): DigestAlgorithm | undefined {
  if (param === undefined) return "MD5";
  const upper = param.toUpperCase();
  return upper === "MD5" || upper === "SHA-256" ? upper : undefined;
}

/** The `response` value: KD(H(A1), nonce:nc:cnonce:qop:H(A2)), or KD(H(A1), nonce:H(A2)) without qop. */
export function digestResponse(d: DigestInput): string {
  const ha1 = h(d.algorithm, `${d.username}:${d.realm}:${d.password}`);
  const ha2 = h(d.algorithm, `${d.method}:${d.uri}`);
  const middle = d.qop ? `${d.nonce}:${d.qop.nc}:${d.qop.cnonce}:auth` : d.nonce;
  return h(d.algorithm, `${ha1}:${middle}:${ha2}`);
}

/** Builds an `Authorization: Digest ...` value for `d` (client side). `opaque` is echoed when given. */
export function digestAuthorization(d: DigestInput, opaque?: string): string {
  const parts = [
    `username=${quote(d.username)}`,
    `realm=${quote(d.realm)}`,
    `nonce=${quote(d.nonce)}`,
    `uri=${quote(d.uri)}`,
    `algorithm=${d.algorithm}`,
    `response=${quote(digestResponse(d))}`,
  ];
  if (d.qop) parts.push(`qop=auth`, `nc=${d.qop.nc}`, `cnonce=${quote(d.qop.cnonce)}`);
  if (opaque !== undefined) parts.push(`opaque=${quote(opaque)}`);
  return `Digest ${parts.join(", ")}`;
}
