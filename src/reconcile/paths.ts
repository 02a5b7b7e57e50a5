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

/**
 * Whether `path` matches `pattern` ("A.*.C" one segment per "*"; a trailing "." matches the subtree; a path's
 * trailing "." is ignored): segment by segment over both strings, without splitting them (split allocated two
 * arrays per pattern and path on every plan's ignore check). Held to the split definition by a property test.
 */
export function matchesPattern(pattern: string, path: string): boolean {
  if (pattern === path) return true;
  const subtree = pattern.endsWith(".");
  const pLen = subtree ? pattern.length - 1 : pattern.length;
  const hLen = path.endsWith(".") ? path.length - 1 : path.length;
  let p = 0;
  let h = 0;
  for (;;) {
    const pDot = pattern.indexOf(".", p);
    const pe = pDot < 0 || pDot > pLen ? pLen : pDot;
    const hDot = path.indexOf(".", h);
    const he = hDot < 0 || hDot > hLen ? hLen : hDot;
    const len = pe - p;
    if (!(len === 1 && pattern.charCodeAt(p) === 42)) {
      if (len !== he - h) return false;
      for (let k = 0; k < len; k++) if (pattern.charCodeAt(p + k) !== path.charCodeAt(h + k)) return false;
    }
    if (pe >= pLen) return subtree || he >= hLen;
    if (he >= hLen) return false;
    p = pe + 1;
    h = he + 1;
  }
}

/** A readable selector naming a keyed instance: "X.PortMapping.[ExternalPort=80,Protocol=TCP]" (keys sorted). */
export function selectorOf(table: string, key: Readonly<Record<string, string>>): string {
  return `${table}[${Object.keys(key)
    .sort()
    .map((k) => `${k}=${key[k] ?? ""}`)
    .join(",")}]`;
}
