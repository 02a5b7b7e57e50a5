import { parseAuthHeader, quote } from "./auth-params.js";
import type { PasswordLookup } from "./digest.js";
import { safeEqual } from "./safe-equal.js";

export interface BasicCredentials {
  readonly username: string;
  readonly password: string;
}

export type BasicVerdict = { readonly ok: true; readonly username: string } | { readonly ok: false; readonly reason: string };

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Parses `Authorization: Basic <base64(user:pass)>` (RFC 7617). The user-id ends at the first colon;
 * the password may be empty (Thomson CPEs send `OUI-Serial:`). Text is read as UTF-8.
 */
export function parseBasic(authorization: string): BasicCredentials | undefined {
  const creds = parseAuthHeader(authorization).find((c) => c.scheme === "basic");
  const token = creds?.token68;
  if (token === undefined || !BASE64.test(token) || token.length % 4 === 1) return undefined;
  const text = Buffer.from(token, "base64").toString("utf8");
  const colon = text.indexOf(":");
  if (colon < 0) return undefined;
  return { username: text.slice(0, colon), password: text.slice(colon + 1) };
}

/** Verifies Basic credentials against `lookup` with a constant-time password comparison. */
export function verifyBasic(authorization: string, lookup: PasswordLookup): BasicVerdict {
  const creds = parseBasic(authorization);
  if (creds === undefined) return { ok: false, reason: "no Basic credentials" };
  const expected = lookup(creds.username);
  const matches = safeEqual(creds.password, expected ?? "\u0000");
  if (expected === undefined) return { ok: false, reason: "unknown user" };
  return matches ? { ok: true, username: creds.username } : { ok: false, reason: "wrong credentials" };
}

/** The `WWW-Authenticate` value offering Basic for `realm` (RFC 7617 §2). */
export function basicChallenge(realm: string): string {
  return `Basic realm=${quote(realm)}, charset="UTF-8"`;
}

/** Builds an `Authorization: Basic ...` value (client side). */
export function basicAuthorization(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, "utf8").toString("base64")}`;
}
