/** Path arithmetic over CWMP names: objects end with ".", parameters do not. Pure string functions. */

/** The object a path lives in: "A.B.C" -> "A.B.", "A.B." -> "A.", "A." -> "". */
export function parentOf(path: string): string {
  const body = path.endsWith(".") ? path.slice(0, -1) : path;
  const i = body.lastIndexOf(".");
  return i < 0 ? "" : body.slice(0, i + 1);
}

/** Every proper ancestor object of a path, nearest first: "A.B.C" -> ["A.B.", "A."]. */
export function ancestorsOf(path: string): string[] {
  const out: string[] = [];
  for (let p = parentOf(path); p !== ""; p = parentOf(p)) out.push(p);
  return out;
}

/** Instance number when `object` is "<table><n>.", else undefined. */
export function instanceOf(table: string, object: string): number | undefined {
  if (!object.startsWith(table) || !object.endsWith(".")) return undefined;
  const seg = object.slice(table.length, -1);
  return /^[1-9][0-9]*$/.test(seg) ? Number(seg) : undefined;
}

/**
 * True when `path` matches an ignore pattern: exact, `*` standing for one whole segment, or a pattern ending
 * in "." covering its subtree ("Device.Hosts." ignores every host).
 */
export function isIgnored(patterns: readonly string[], path: string): boolean {
  return patterns.some((p) => matchesPattern(p, path));
}

function matchesPattern(pattern: string, path: string): boolean {
  if (pattern === path) return true;
  const subtree = pattern.endsWith(".");
  const want = (subtree ? pattern.slice(0, -1) : pattern).split(".");
  const have = (path.endsWith(".") ? path.slice(0, -1) : path).split(".");
  if (subtree ? have.length < want.length : have.length !== want.length) return false;
  return want.every((seg, i) => seg === "*" || seg === have[i]);
}

/** A readable selector naming a keyed instance: "X.PortMapping.[ExternalPort=80,Protocol=TCP]" (keys sorted). */
export function selectorOf(table: string, key: Readonly<Record<string, string>>): string {
  return `${table}[${Object.keys(key)
    .sort()
    .map((k) => `${k}=${key[k] ?? ""}`)
    .join(",")}]`;
}
