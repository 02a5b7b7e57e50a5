/**
 * Device search from query parameters (GET /api/devices) or CLI flags (`converge devices`): one parser, one
 * vocabulary. Pure: the caller gives the clock (ages become times). Everything is bounded and parsed without
 * backtracking patterns.
 */
import { err, ok, type Result } from "../domain/result.js";
import type { ConditionType, DeviceFilter } from "../domain/store.js";

export const CONDITIONS: readonly ConditionType[] = ["Matched", "Converged", "Drifted", "Faulted", "Pending"];

/** The search parameters, with what each does (the API's query schema and the CLI's help are made from this). */
export const SEARCH_PARAMS = {
  serial: "serial number prefix, case-insensitive",
  deviceId: "device id (OUI-ProductClass-Serial) prefix, case-insensitive",
  manufacturer: "manufacturer prefix, case-insensitive",
  oui: "OUI, exact, case-insensitive",
  model: "product class prefix, case-insensitive",
  productClass: "product class, exact, case-insensitive",
  firmware: "software version prefix, case-insensitive",
  softwareVersion: "software version, exact, case-insensitive",
  ip: "prefix of the address the device last informed from, e.g. 10.0.3.",
  informedWithin: "last Inform at most this long ago: 90s, 15m, 2h, 7d (seconds without a unit)",
  silentFor: "no Inform for at least this long: 90s, 15m, 2h, 7d",
  tag: "has this tag",
  condition: "Type=true|false with Type one of Matched, Converged, Drifted, Faulted, Pending (e.g. Converged=false)",
  policy: "matched this policy at its last session",
  fault: "has a stored fault with this code (9007, too_many_rpcs)",
  param: "reports this parameter (full path); with value, has this value (case-insensitive)",
  value: "the value param must have (needs param)",
} as const;

export type SearchParam = keyof typeof SEARCH_PARAMS;
export type SearchQuery = Partial<Record<SearchParam, string>>;

/** Longest accepted search text (a serial, a path, a value). */
export const MAX_SEARCH_TEXT = 256;

const UNIT_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "90", "90s", "15m", "2h", "7d" -> milliseconds. */
export function parseAge(s: string): number | undefined {
  if (s.length === 0 || s.length > 12) return undefined;
  const last = s.at(-1) ?? "";
  const unit = last in UNIT_MS ? last : "s";
  const digits = last in UNIT_MS ? s.slice(0, -1) : s;
  if (digits.length === 0 || digits.length > 9) return undefined;
  for (const ch of digits) if (ch < "0" || ch > "9") return undefined;
  return Number(digits) * (UNIT_MS[unit] ?? 1000);
}

export function parseCondition(s: string): DeviceFilter["condition"] | undefined {
  const eq = s.indexOf("=");
  const name = eq < 0 ? s : s.slice(0, eq);
  const flag = eq < 0 ? "true" : s.slice(eq + 1);
  const type = CONDITIONS.find((c) => c.toLowerCase() === name.toLowerCase());
  if (type === undefined || (flag !== "true" && flag !== "false")) return undefined;
  return { type, status: flag === "true" };
}

const TEXT: readonly SearchParam[] = [
  "serial",
  "deviceId",
  "manufacturer",
  "oui",
  "model",
  "productClass",
  "firmware",
  "softwareVersion",
  "ip",
  "tag",
  "policy",
  "fault",
];

/** The store filter for `q` at time `now`; a clear message for the first bad parameter. */
export function filterFromQuery(
  q: SearchQuery,
  now: number,
  page: { readonly limit: number; readonly after?: string | undefined },
): Result<DeviceFilter, string> {
  const f: { -readonly [K in keyof DeviceFilter]: DeviceFilter[K] } = { limit: page.limit };
  if (page.after !== undefined && page.after !== "") f.after = page.after;
  for (const name of TEXT) {
    const v = q[name];
    if (v === undefined || v === "") continue;
    if (v.length > MAX_SEARCH_TEXT) return err(`${name}: at most ${MAX_SEARCH_TEXT} characters`);
    f[name as Exclude<SearchParam, "informedWithin" | "silentFor" | "condition" | "param" | "value">] = v;
  }
  if (q.condition !== undefined && q.condition !== "") {
    const c = parseCondition(q.condition);
    if (!c) return err(`condition: expected Type=true|false with Type one of ${CONDITIONS.join(", ")}, got "${q.condition.slice(0, 64)}"`);
    f.condition = c;
  }
  for (const [name, set] of [
    ["informedWithin", (ms: number) => (f.informedSince = now - ms)],
    ["silentFor", (ms: number) => (f.informedBefore = now - ms)],
  ] as const) {
    const v = q[name];
    if (v === undefined || v === "") continue;
    const ms = parseAge(v);
    if (ms === undefined) return err(`${name}: expected a duration such as 90s, 15m, 2h or 7d, got "${v.slice(0, 64)}"`);
    set(ms);
  }
  if (q.value !== undefined && (q.param === undefined || q.param === "")) return err("value: needs param (the parameter path whose value to match)");
  if (q.param !== undefined && q.param !== "") {
    if (q.param.length > MAX_SEARCH_TEXT || (q.value?.length ?? 0) > MAX_SEARCH_TEXT) return err(`param/value: at most ${MAX_SEARCH_TEXT} characters`);
    f.reported = q.value !== undefined ? { path: q.param, value: q.value } : { path: q.param };
  }
  return ok(f);
}
