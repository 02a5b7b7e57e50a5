/** Shell-style globs for selectors (`*` any run, `?` one character) and `*`-per-segment path patterns. */

export const isGlob = (s: string): boolean => /[*?]/.test(s);

const escape = (s: string): string => s.replace(/[.+^${}()|[\]\\]/g, "\\$&");

/**
 * Compiles a parameter path pattern where `*` stands for exactly one path segment. A pattern ending in "."
 * covers the whole subtree below it.
 */
export function pathPatternToRegExp(pattern: string): RegExp {
  const subtree = pattern.endsWith(".");
  const segs = (subtree ? pattern.slice(0, -1) : pattern).split(".");
  const body = segs.map((seg) => (seg === "*" ? "[^.]+" : escape(seg))).join("\\.");
  return new RegExp(subtree ? `^${body}\\.` : `^${body}$`);
}
