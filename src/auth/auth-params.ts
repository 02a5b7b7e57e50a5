/**
 * Parsing of HTTP authentication headers (RFC 9110 §11): `scheme token68` or `scheme name=value, ...`,
 * where one WWW-Authenticate header may hold several challenges. Lenient about whitespace and case of
 * names, as CPEs are; values keep their case.
 */

export interface AuthChallenge {
  /** Lower-cased scheme: "digest", "basic", ... */
  readonly scheme: string;
  /** Lower-cased parameter names to unquoted values. */
  readonly params: ReadonlyMap<string, string>;
  /** The token68 form (Basic credentials), when present. */
  readonly token68?: string;
}

// Sticky (matched at the cursor, never on a copy of the rest of the header): each token costs its own length.
const TOKEN = /[!#$%&'*+\-.^_`|~0-9A-Za-z]+/y;
const TOKEN68 = /[A-Za-z0-9\-._~+/]+=*/y;

interface Cursor {
  readonly s: string;
  i: number;
}

function skipWs(c: Cursor): void {
  while (c.i < c.s.length && (c.s[c.i] === " " || c.s[c.i] === "\t")) c.i++;
}

function readToken(c: Cursor, re: RegExp = TOKEN): string | undefined {
  re.lastIndex = c.i;
  const m = re.exec(c.s);
  if (!m) return undefined;
  c.i += m[0].length;
  return m[0];
}

function readQuoted(c: Cursor): string | undefined {
  if (c.s[c.i] !== '"') return undefined;
  let out = "";
  for (c.i++; c.i < c.s.length; c.i++) {
    const ch = c.s[c.i];
    if (ch === "\\" && c.i + 1 < c.s.length) out += c.s[++c.i];
    else if (ch === '"') {
      c.i++;
      return out;
    } else out += ch;
  }
  return undefined; // unterminated
}

/** Reads `name=value` at the cursor; leaves the cursor untouched and returns undefined if there is none. */
function readParam(c: Cursor): [string, string] | undefined {
  const start = c.i;
  const name = readToken(c);
  skipWs(c);
  if (name === undefined || c.s[c.i] !== "=") {
    c.i = start;
    return undefined;
  }
  c.i++;
  skipWs(c);
  const value = c.s[c.i] === '"' ? readQuoted(c) : readToken(c);
  if (value === undefined) {
    c.i = start;
    return undefined;
  }
  return [name.toLowerCase(), value];
}

/** End of input, or a comma after optional whitespace. */
function atBoundary(c: Cursor): boolean {
  let i = c.i;
  while (c.s[i] === " " || c.s[i] === "\t") i++;
  return i >= c.s.length || c.s[i] === ",";
}

function skipCommas(c: Cursor): void {
  for (;;) {
    skipWs(c);
    if (c.s[c.i] !== ",") return;
    c.i++;
  }
}

function readChallenge(c: Cursor): AuthChallenge | undefined {
  const scheme = readToken(c);
  if (scheme === undefined) return undefined;
  skipWs(c);
  const params = new Map<string, string>();
  const afterScheme = c.i;
  const first = readParam(c);
  if (first === undefined) {
    const token68 = readToken(c, TOKEN68);
    if (token68 !== undefined && atBoundary(c)) return { scheme: scheme.toLowerCase(), params, token68 };
    c.i = afterScheme;
    if (!atBoundary(c)) c.i = c.s.length; // unparseable tail: drop it rather than invent challenges
    return { scheme: scheme.toLowerCase(), params };
  }
  params.set(first[0], first[1]);
  for (;;) {
    const save = c.i;
    skipCommas(c);
    const p = readParam(c);
    if (p === undefined) {
      c.i = save;
      break;
    }
    if (!params.has(p[0])) params.set(p[0], p[1]);
  }
  return { scheme: scheme.toLowerCase(), params };
}

/** Parses every challenge (or credentials) in one or more header values. Unparseable tails are dropped. */
export function parseAuthHeader(values: string | readonly string[]): AuthChallenge[] {
  const out: AuthChallenge[] = [];
  for (const value of typeof values === "string" ? [values] : values) {
    const c: Cursor = { s: value, i: 0 };
    for (;;) {
      skipCommas(c);
      if (c.i >= c.s.length) break;
      const ch = readChallenge(c);
      if (ch === undefined) break;
      out.push(ch);
    }
  }
  return out;
}

/** Quotes a value for a header parameter (RFC 9110 §5.6.4). */
export function quote(value: string): string {
  return `"${value.replace(/["\\]/g, (m) => `\\${m}`)}"`;
}
