/**
 * The ignore-pattern match by its definition (and as the planner wrote it until session 6): split pattern and path
 * into segments; each pattern segment "*" or equal to the path's; a trailing "." is a subtree; the path's trailing "."
 * is ignored. The property test holds `matchesPattern` to it; bench/planner-micro.ts measures against it.
 */
export function matchesBySplit(pattern: string, path: string): boolean {
  if (pattern === path) return true;
  const subtree = pattern.endsWith(".");
  const want = (subtree ? pattern.slice(0, -1) : pattern).split(".");
  const have = (path.endsWith(".") ? path.slice(0, -1) : path).split(".");
  if (subtree ? have.length < want.length : have.length !== want.length) return false;
  return want.every((seg, i) => seg === "*" || seg === have[i]);
}
