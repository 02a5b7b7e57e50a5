/**
 * The one masking rule. Every value that is write-only (a hidden TR-106 parameter), a secret (from the secrets
 * file) or a credential (a password field, connection-request or CPE credentials) is replaced by `MASK` in every
 * output: API responses (a hook in `server/api/app.ts`), CLI text/JSON/Markdown (`plan/device-plan.ts`,
 * `cli/explain-cmd.ts`), logs (the pino formatter in `server/runtime.ts`), transcripts (`server/cwmp-route.ts`).
 * Pure and linear in the size of what it is given: no regex runs over untrusted text.
 *
 * Three sub-rules, all applied by `maskJson`:
 * 1. by path: a parameter whose last path segment names a hidden value (`isSecretPath`), wherever it appears as
 *    `{ name|path: P, value|desired|reported: V }` or as a record key `{ P: V }` / `{ P: { value: V } }`;
 * 2. by field: a string under a key that names a credential (`password`, `passphrase`, `psk`, ...);
 * 3. by value: any string containing one of the known secret values the caller passes (policy secrets, the
 *    device's stored credentials) has each occurrence replaced, whatever the key.
 */

export const MASK = "(secret)";

/** TR-106 hidden parameters (passwords, keys): they read back empty. Matched on the last path segment. */
const SECRET_LEAF = /(Password|KeyPassphrase|PreSharedKey|WEPKey|Passphrase|SecretKey)$/;

/** A parameter path whose value is write-only (a password or key): never shown, never compared with reads. */
export const isSecretPath = (path: string): boolean => path.length <= 1024 && SECRET_LEAF.test(path);

/** JSON keys whose string value is a credential. */
const SECRET_KEYS = new Set(["password", "passphrase", "psk", "presharedkey", "secret", "keypassphrase", "wepkey", "cpepassword"]);
const isSecretKey = (k: string): boolean => SECRET_KEYS.has(k.toLowerCase());

/** Fields that hold the value of the parameter named by a sibling `name` or `path`. */
const VALUE_FIELDS = ["value", "desired", "reported"] as const;

/** Shorter known values are not scrubbed by value (they would mask "1" everywhere); rules 1 and 2 still apply. */
const MIN_SCRUB = 4;

/** A set of clear values to scrub from text, longest first so that overlapping values mask fully. */
export function knownSecrets(values: Iterable<string | undefined>): readonly string[] {
  const out = new Set<string>();
  for (const v of values) if (v !== undefined && v.length >= MIN_SCRUB) out.add(v);
  return [...out].sort((a, b) => b.length - a.length);
}

/** Replaces every occurrence of a known secret in `s` (rule 3). */
export function scrub(s: string, secrets: readonly string[]): string {
  let out = s;
  for (const v of secrets) if (out.includes(v)) out = out.split(v).join(MASK);
  return out;
}

const maskValue = (v: unknown): unknown => (typeof v === "string" && v !== "" ? MASK : v);

/**
 * `value` with every secret masked (rules 1-3), as a new value; the input is not mutated. Plain objects, arrays
 * and Maps are walked to `maxDepth`; class instances are returned as they are (serialised text of them is
 * scrubbed by value where the caller does so: the API's onSend hook, the logger's message hook).
 */
export function maskJson<T>(value: T, secrets: readonly string[] = [], maxDepth = 64): T {
  return walk(value, secrets, maxDepth) as T;
}

function walk(v: unknown, secrets: readonly string[], depth: number): unknown {
  if (typeof v === "string") return secrets.length > 0 ? scrub(v, secrets) : v;
  if (typeof v !== "object" || v === null || depth <= 0) return v;
  if (Array.isArray(v)) return v.map((x) => walk(x, secrets, depth - 1));
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [k, typeof k === "string" && isSecretPath(k) ? maskEntry(x) : walk(x, secrets, depth - 1)]));
  // Only plain data is walked: class instances (sockets, requests, errors) are left as they are.
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return v;
  const o = v as Record<string, unknown>;
  const named = (typeof o["name"] === "string" && isSecretPath(o["name"])) || (typeof o["path"] === "string" && isSecretPath(o["path"]));
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(o)) {
    if (named && (VALUE_FIELDS as readonly string[]).includes(k)) out[k] = maskValue(x);
    else if (isSecretKey(k)) out[k] = typeof x === "string" ? maskValue(x) : walk(x, secrets, depth - 1);
    else if (isSecretPath(k)) out[k] = maskEntry(x);
    else out[k] = walk(x, secrets, depth - 1);
  }
  return out;
}

/** The value stored under a secret path: a bare string, or an object whose value fields are masked. */
function maskEntry(x: unknown): unknown {
  if (typeof x === "string") return maskValue(x);
  if (typeof x !== "object" || x === null || Array.isArray(x)) return x;
  const out: Record<string, unknown> = {};
  for (const [k, y] of Object.entries(x as Record<string, unknown>)) out[k] = (VALUE_FIELDS as readonly string[]).includes(k) ? maskValue(y) : y;
  return out;
}

/**
 * Masks secrets in CWMP XML text (a transcript's raw SOAP), in one linear pass: the `<Value>` that follows a
 * `<Name>` naming a secret path, the content of `<Password>` elements (Download, Upload), and any known
 * secret value (rule 3). Namespace prefixes are ignored; malformed text is masked as far as it parses.
 */
export function maskSoap(xml: string, secrets: readonly string[] = []): string {
  const parts: string[] = [];
  let i = 0;
  let lastName = "";
  while (i < xml.length) {
    const lt = xml.indexOf("<", i);
    if (lt < 0) break;
    const gt = xml.indexOf(">", lt);
    if (gt < 0) break;
    const tag = xml.slice(lt + 1, gt);
    const local = localName(tag);
    parts.push(xml.slice(i, gt + 1));
    i = gt + 1;
    if (tag.startsWith("/") || tag.endsWith("/") || tag.startsWith("?") || tag.startsWith("!")) continue;
    if (local !== "Name" && local !== "Value" && local !== "Password") continue;
    const close = xml.indexOf("<", i);
    if (close < 0) break;
    const text = xml.slice(i, close);
    if (local === "Name") lastName = text.trim();
    const secret = local === "Password" || (local === "Value" && isSecretPath(lastName));
    parts.push(secret && text !== "" ? MASK : text);
    if (local === "Value") lastName = "";
    i = close;
  }
  parts.push(xml.slice(i));
  const joined = parts.join("");
  return secrets.length > 0 ? scrub(joined, secrets) : joined;
}

function localName(tag: string): string {
  let end = 0;
  while (end < tag.length && tag[end] !== " " && tag[end] !== "\t" && tag[end] !== "\n" && tag[end] !== "\r" && tag[end] !== "/") end++;
  const name = tag.slice(0, end);
  const colon = name.indexOf(":");
  return colon >= 0 ? name.slice(colon + 1) : name;
}
