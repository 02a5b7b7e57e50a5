/**
 * Folding a GetParameterNames answer: which known children of the enumerated path no longer exist.
 *
 * TR-069 A.3.2.3: with NextLevel true the CPE lists every direct child of ParameterPath; with NextLevel false it
 * lists the whole subtree. Either way every direct child that exists appears (itself, or through a descendant
 * for CPEs that omit object names), so a direct child we knew of that the answer does not mention is gone
 * (deleted on the CPE's own UI, or by another ACS) and must be forgotten with its subtree.
 */

/** The direct child of `prefix` (which ends with "." or is "") that `path` lies in: "P.X" or "P.X.". */
export function childOf(prefix: string, path: string): string | undefined {
  if (!path.startsWith(prefix) || path.length === prefix.length) return undefined;
  const dot = path.indexOf(".", prefix.length);
  return dot === -1 ? path : path.slice(0, dot + 1);
}

/**
 * The direct children of `discovered` that `known` (paths we hold beneath it) mentions and `answer` (the GPN
 * result) does not. Objects end with "."; anything else is a parameter. Empty when `discovered` is a full
 * parameter name (not a partial path).
 */
export function staleChildren(discovered: string, answer: readonly string[], known: readonly string[]): string[] {
  if (discovered !== "" && !discovered.endsWith(".")) return [];
  const confirmed = new Set<string>();
  for (const p of answer) {
    const c = childOf(discovered, p);
    if (c !== undefined) confirmed.add(c);
  }
  const stale = new Set<string>();
  for (const p of known) {
    const c = childOf(discovered, p);
    if (c !== undefined && !confirmed.has(c)) stale.add(c);
  }
  return [...stale].sort();
}
