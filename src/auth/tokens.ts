import { createHash, randomBytes } from "node:crypto";
import { parseAuthHeader } from "./auth-params.js";
import { safeEqual } from "./safe-equal.js";

export type TokenScope = "read" | "write";

/** One configured API token: only its SHA-256 is ever stored or configured. */
export interface TokenEntry {
  readonly name: string;
  /** Lower- or upper-case hex SHA-256 of the token's UTF-8 bytes. */
  readonly sha256: string;
  readonly scope: TokenScope;
}

export type TokenCheck =
  | { readonly ok: true; readonly name: string }
  | { readonly ok: false; readonly status: 401 | 403; readonly message: string; readonly wwwAuthenticate?: string };

export interface TokenAuth {
  /** Checks `Authorization: Bearer <token>` for `needed`; "write" implies "read". */
  check(authorizationHeader: string | undefined, needed: TokenScope): TokenCheck;
  /** How many tokens are configured (zero: the API must stay on loopback). */
  readonly count: number;
}

const HEX64 = /^[0-9a-fA-F]{64}$/;
const REALM = 'Bearer realm="converge"';

/** The hex SHA-256 of `token`, as put in configuration (`converge token hash`, docs/operations.md). */
export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** A new random token (32 bytes, base64url): `randomBytes` is injectable for tests. */
export function generateToken(random: (n: number) => Buffer = randomBytes): string {
  return random(32).toString("base64url");
}

function validate(entries: readonly TokenEntry[]): void {
  const names = new Set<string>();
  for (const [i, e] of entries.entries()) {
    if (e.name.trim() === "") throw new Error(`api token #${i}: name is empty`);
    if (names.has(e.name)) throw new Error(`api token "${e.name}": duplicate name`);
    if (!HEX64.test(e.sha256)) throw new Error(`api token "${e.name}": sha256 must be 64 hex characters`);
    if (e.scope !== "read" && e.scope !== "write") throw new Error(`api token "${e.name}": scope must be read or write`);
    names.add(e.name);
  }
}

function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const creds = parseAuthHeader(header)[0];
  return creds?.scheme === "bearer" ? creds.token68 : undefined;
}

/**
 * REST API bearer tokens (RFC 6750). The presented token is hashed and compared in constant time
 * against every configured hash (no early exit), so neither timing nor order reveals which exist.
 * With no entries every request is refused: there is no default token.
 */
export function createTokenAuth(entries: readonly TokenEntry[]): TokenAuth {
  validate(entries);
  const hashes = entries.map((e) => ({ ...e, digest: Buffer.from(e.sha256.toLowerCase(), "hex") }));
  return {
    count: hashes.length,
    check(header, needed) {
      const token = bearerToken(header);
      if (token === undefined) return { ok: false, status: 401, message: "missing bearer token", wwwAuthenticate: REALM };
      const presented = createHash("sha256").update(token, "utf8").digest();
      let found: (typeof hashes)[number] | undefined;
      for (const h of hashes) if (safeEqual(presented, h.digest) && found === undefined) found = h;
      if (found === undefined) {
        return { ok: false, status: 401, message: "invalid bearer token", wwwAuthenticate: `${REALM}, error="invalid_token"` };
      }
      if (needed === "write" && found.scope !== "write") {
        return { ok: false, status: 403, message: `token "${found.name}" has read scope; this needs write` };
      }
      return { ok: true, name: found.name };
    },
  };
}
