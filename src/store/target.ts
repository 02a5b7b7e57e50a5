/**
 * Which store a `CONVERGE_DB` / `store.url` / `--db` value selects: a `postgres://` or `postgresql://` URL is
 * PostgreSQL; anything else that has a URL scheme (`mysql://`, `http://`, `sqlite://`, `file://`...) is refused
 * with a clear message (before, such a value silently became a local SQLite file named after the URL); every
 * other value is a SQLite file path (`:memory:` for a private in-memory database).
 *
 * Pure and linear in the input; the password of a URL never appears in what `maskUrl` or an error returns.
 */
import { err, ok, type Result } from "../domain/result.js";

/** PostgreSQL: connections the pool of one node opens at most, unless `store.poolSize` says otherwise. */
export const DEFAULT_POOL_SIZE = 10;

export type StoreTarget = { readonly kind: "sqlite"; readonly path: string } | { readonly kind: "postgres"; readonly url: string };

/** The scheme of `s` ("postgres" for "postgres://..."), when it starts with `scheme://`. */
function schemeOf(s: string): string | undefined {
  const colon = s.indexOf("://");
  if (colon <= 0 || colon > 32) return undefined;
  const scheme = s.slice(0, colon);
  const first = scheme.charCodeAt(0);
  const alpha = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  if (!alpha(first)) return undefined;
  for (let i = 1; i < scheme.length; i++) {
    const c = scheme.charCodeAt(i);
    if (!alpha(c) && !(c >= 48 && c <= 57) && c !== 43 && c !== 45 && c !== 46) return undefined;
  }
  return scheme.toLowerCase();
}

/** `s` with the password of a URL replaced by `***` (and nothing else changed); other text unchanged. */
export function maskUrl(s: string): string {
  if (schemeOf(s) === undefined) return s;
  try {
    const u = new URL(s);
    if (u.password === "") return s;
    u.password = "***";
    return u.toString();
  } catch {
    // Not parseable: mask everything between "://" and the last "@" (user:password) so nothing leaks.
    const start = s.indexOf("://") + 3;
    const at = s.lastIndexOf("@");
    return at > start ? `${s.slice(0, start)}***${s.slice(at)}` : s;
  }
}

export function parseStoreTarget(value: string): Result<StoreTarget, string> {
  const scheme = schemeOf(value);
  if (scheme === undefined) return ok({ kind: "sqlite", path: value });
  if (scheme === "postgres" || scheme === "postgresql") {
    try {
      const u = new URL(value);
      if (u.hostname === "" && !u.searchParams.has("host")) return err(`store URL ${maskUrl(value)}: no host`);
    } catch {
      return err(`store URL ${maskUrl(value)}: not a valid URL`);
    }
    return ok({ kind: "postgres", url: value });
  }
  return err(
    `store URL ${maskUrl(value)}: unsupported scheme "${scheme}://". Give a postgres:// (or postgresql://) URL for PostgreSQL, ` +
      `or a file path (e.g. ./data/converge.db) for SQLite.`,
  );
}

/** How the target is named in logs: the SQLite path, or the URL with its password masked. */
export function describeTarget(t: StoreTarget): string {
  return t.kind === "sqlite" ? t.path : maskUrl(t.url);
}
