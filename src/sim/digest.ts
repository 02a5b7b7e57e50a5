/**
 * HTTP authentication as a CPE needs it: answering Basic/Digest challenges (client side, RFC 7617 / RFC 7616
 * MD5 with qop=auth) and checking Digest credentials on connection requests (server side). Independent of the
 * ACS's own implementation on purpose: the simulator is the other end that proves it.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

export interface Challenge {
  readonly scheme: "basic" | "digest";
  readonly params: Readonly<Record<string, string>>;
}

const md5 = (s: string): string => createHash("md5").update(s).digest("hex");

/** Parses `key=value, key="quoted, value"` auth parameters (RFC 7235 §2.1). */
export function parseAuthParams(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /\s*([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))\s*,?/gy;
  for (let m = re.exec(s); m !== null && m[0] !== ""; m = re.exec(s)) {
    const name = m[1] ?? "";
    out[name.toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, "$1") : (m[3] ?? "");
  }
  return out;
}

/** The challenges of a 401 (one per WWW-Authenticate header); unknown schemes are ignored. */
export function parseChallenges(headers: readonly string[]): Challenge[] {
  const out: Challenge[] = [];
  for (const h of headers) {
    const m = /^\s*(Basic|Digest)\b(.*)$/is.exec(h);
    if (m === null) continue;
    const scheme = (m[1] ?? "").toLowerCase() === "basic" ? "basic" : "digest";
    out.push({ scheme, params: parseAuthParams(m[2] ?? "") });
  }
  return out;
}

export interface Credentials {
  readonly username: string;
  readonly password: string;
}

/** `Authorization: Basic …` (RFC 7617). */
export function basicAuthorization(c: Credentials): string {
  return `Basic ${Buffer.from(`${c.username}:${c.password}`, "utf8").toString("base64")}`;
}

/**
 * `Authorization: Digest …` for one request (RFC 7616 §3.4, MD5). With qop=auth: response =
 * MD5(HA1:nonce:nc:cnonce:auth:HA2); without qop (RFC 2069 servers): MD5(HA1:nonce:HA2).
 */
export function digestAuthorization(c: Credentials, ch: Challenge, method: string, uri: string, nc: number, cnonce: string): string {
  const realm = ch.params.realm ?? "";
  const nonce = ch.params.nonce ?? "";
  const qops = (ch.params.qop ?? "").split(",").map((q) => q.trim());
  const ha1 = md5(`${c.username}:${realm}:${c.password}`);
  const ha2 = md5(`${method}:${uri}`);
  const q = (s: string): string => `"${s.replace(/["\\]/g, "\\$&")}"`;
  const fields = [`username=${q(c.username)}`, `realm=${q(realm)}`, `nonce=${q(nonce)}`, `uri=${q(uri)}`, "algorithm=MD5"];
  if (qops.includes("auth")) {
    const ncHex = nc.toString(16).padStart(8, "0");
    fields.push(`response=${q(md5(`${ha1}:${nonce}:${ncHex}:${cnonce}:auth:${ha2}`))}`, "qop=auth", `nc=${ncHex}`, `cnonce=${q(cnonce)}`);
  } else {
    fields.push(`response=${q(md5(`${ha1}:${nonce}:${ha2}`))}`);
  }
  if (ch.params.opaque !== undefined) fields.push(`opaque=${q(ch.params.opaque)}`);
  return `Digest ${fields.join(", ")}`;
}

/** A fresh random token (nonces, cnonces). */
export function randomToken(bytes = 16): string {
  return randomBytes(bytes).toString("hex");
}

/**
 * Server side: true when `authorization` is a valid Digest (qop=auth, MD5) answer to a nonce we issued, for
 * these credentials and this request. Compares in constant time.
 */
export function verifyDigest(
  authorization: string | undefined,
  c: Credentials,
  request: { readonly method: string; readonly uri: string },
  issued: ReadonlySet<string>,
  realm: string,
): boolean {
  if (authorization === undefined || !/^\s*Digest\s/i.test(authorization)) return false;
  const p = parseAuthParams(authorization.replace(/^\s*Digest\s/i, ""));
  const nonce = p.nonce ?? "";
  if (!issued.has(nonce) || p.username !== c.username || p.realm !== realm || p.qop !== "auth" || p.uri !== request.uri) return false;
  if ((p.algorithm ?? "MD5").toUpperCase() !== "MD5") return false;
  const ha1 = md5(`${c.username}:${realm}:${c.password}`);
  const ha2 = md5(`${request.method}:${request.uri}`);
  const want = md5(`${ha1}:${nonce}:${p.nc ?? ""}:${p.cnonce ?? ""}:auth:${ha2}`);
  const got = p.response ?? "";
  return got.length === want.length && timingSafeEqual(Buffer.from(got), Buffer.from(want));
}
