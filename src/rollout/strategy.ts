/**
 * Parses and checks a rollout strategy, from a policy's `rollout:` key or the configuration's `rollout.default`.
 * Pure. Every problem is an Issue with a JSON pointer under `base`, so the loader reports file:line:col.
 *
 * Checks: wave sizes are percentages in (0, 100] or whole counts >= 1; waves grow (cumulative sizes strictly
 * increase); the last wave is 100% (warning otherwise: the rest of the fleet gets the version at completion);
 * a gate that can never hold (converged above 100%, `within` shorter than `soak`, maxFaulted of 100% is a
 * warning: it never trips); a window that never opens (no days, from = to) or has a bad time zone.
 */
import type { Issue } from "../policy/types.js";
import { ptr } from "../policy/types.js";
import type { Gate, MaintenanceWindow, StagedStrategy, Strategy, WaveSize, Weekday } from "./types.js";
import { IMMEDIATE, WEEKDAYS } from "./types.js";
import { validTimeZone } from "./window.js";

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const KEYS = new Set(["waves", "canaryPerModel", "soak", "gate", "window", "onFailure", "kickOnWave"]);
const GATE_KEYS = new Set(["converged", "maxFaulted", "within"]);
const WINDOW_KEYS = new Set(["days", "from", "to", "tz"]);

/** The defaults of a staged strategy when the document leaves a key out. */
const DEFAULT_WAVES: readonly WaveSize[] = [
  { kind: "percent", value: 1 },
  { kind: "percent", value: 10 },
  { kind: "percent", value: 50 },
  { kind: "percent", value: 100 },
];
export const STAGED_DEFAULTS: StagedStrategy = Object.freeze({
  kind: "staged",
  waves: DEFAULT_WAVES,
  canaryPerModel: true,
  soakMs: 15 * 60_000,
  gate: { converged: 0.95, maxFaulted: 0.02, withinMs: 2 * 3_600_000 },
  window: undefined,
  onFailure: "pause",
  kickOnWave: false,
});

export interface ParsedStrategy {
  readonly strategy: Strategy | undefined;
  readonly issues: readonly Issue[];
}

type Sink = Issue[];

const error = (issues: Sink, pointer: string, message: string, expected?: string, atKey = false): void => {
  issues.push({ pointer, code: "rollout-strategy", severity: "error", message, ...(expected === undefined ? {} : { expected }), ...(atKey ? { atKey } : {}) });
};
const warning = (issues: Sink, pointer: string, message: string): void => {
  issues.push({ pointer, code: "rollout-strategy", severity: "warning", message });
};

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** "15m", "2h", "30s", "1d", "0s" -> ms; undefined when malformed. Linear, no regex backtracking. */
export function parseDurationText(text: string): number | undefined {
  if (text.length < 2 || text.length > 16) return undefined;
  const unit = text.slice(-1);
  const digits = text.slice(0, -1);
  if (!(unit in UNIT_MS) || !/^\d+$/.test(digits)) return undefined;
  return Number(digits) * UNIT_MS[unit as keyof typeof UNIT_MS];
}

/** "95%" or 0.95 -> 0.95; undefined when malformed. */
function parseShare(v: unknown): number | undefined {
  if (typeof v === "number") return v >= 0 && v <= 1 ? v : undefined;
  if (typeof v !== "string" || !v.endsWith("%")) return undefined;
  const n = Number(v.slice(0, -1));
  return v.length > 1 && v.length <= 8 && Number.isFinite(n) ? n / 100 : undefined;
}

function parseWave(v: unknown, at: string, issues: Sink): WaveSize | undefined {
  if (typeof v === "number") {
    if (Number.isInteger(v) && v >= 1) return { kind: "count", value: v };
    error(issues, at, `wave size ${v} is not a device count (a whole number >= 1) or a percentage`, "e.g. 5 or 10%");
    return undefined;
  }
  if (typeof v === "string" && v.endsWith("%")) {
    const n = Number(v.slice(0, -1));
    if (v.length > 1 && v.length <= 8 && Number.isFinite(n) && n > 0 && n <= 100) return { kind: "percent", value: n };
    error(issues, at, `wave size "${v}" is not a percentage in (0%, 100%]`, "e.g. 1%, 10%, 100%");
    return undefined;
  }
  error(issues, at, `wave size ${JSON.stringify(v)} is neither a count nor a percentage`, "e.g. 5 or 10%");
  return undefined;
}

function parseWaves(v: unknown, at: string, issues: Sink): WaveSize[] | undefined {
  if (!Array.isArray(v) || v.length === 0 || v.length > 20) {
    error(issues, at, "waves must be a list of 1 to 20 sizes", "e.g. [1%, 10%, 50%, 100%]");
    return undefined;
  }
  const parsed = v.map((w, i) => parseWave(w, ptr(at, i), issues));
  for (let i = 1; i < parsed.length; i++) {
    const a = parsed[i - 1],
      b = parsed[i];
    if (a === undefined || b === undefined) continue;
    // Counts and percentages compare only with their own kind (the fleet's size is not known here).
    if (a.kind === b.kind && b.value <= a.value)
      error(issues, ptr(at, i), `waves must grow: wave ${i + 1} (${show(b)}) is not larger than wave ${i} (${show(a)}); sizes are cumulative`);
    if (a.kind === "percent" && a.value === 100) error(issues, ptr(at, i), `wave ${i + 1} comes after a wave of 100%: it can never hold a device`);
  }
  const waves = parsed.filter((w) => w !== undefined);
  if (waves.length !== v.length) return undefined;
  const last = waves[waves.length - 1];
  if (last !== undefined && !(last.kind === "percent" && last.value === 100))
    warning(
      issues,
      ptr(at, waves.length - 1),
      `the last wave is ${show(last)}, not 100%: the rest of the fleet gets the new version only when the rollout completes`,
    );
  return waves;
}

const show = (w: WaveSize): string => (w.kind === "percent" ? `${w.value}%` : String(w.value));

function parseDurationKey(v: unknown, at: string, issues: Sink, what: string): number | undefined {
  const ms = typeof v === "string" ? parseDurationText(v) : undefined;
  if (ms === undefined) error(issues, at, `${what} ${JSON.stringify(v)} is not a duration`, "a number followed by s, m, h or d (e.g. 15m)");
  return ms;
}

function unknownKeys(obj: Record<string, unknown>, known: ReadonlySet<string>, at: string, issues: Sink): void {
  for (const k of Object.keys(obj)) if (!known.has(k)) error(issues, ptr(at, k), `unknown key "${k}" in a rollout strategy`, [...known].join(", "), true);
}

function parseGate(v: unknown, at: string, issues: Sink, base: Gate): Gate | undefined {
  if (!isRecord(v)) {
    error(issues, at, "gate must be a mapping", "{ converged: 95%, maxFaulted: 2%, within: 2h }");
    return undefined;
  }
  unknownKeys(v, GATE_KEYS, at, issues);
  let { converged, maxFaulted, withinMs } = base;
  if (v["converged"] !== undefined) {
    const s = parseShare(v["converged"]);
    if (s === undefined || s <= 0 || s > 1)
      error(issues, ptr(at, "converged"), `gate.converged ${JSON.stringify(v["converged"])} can never hold: expected a percentage in (0%, 100%]`, "e.g. 95%");
    else converged = s;
  }
  if (v["maxFaulted"] !== undefined) {
    const s = parseShare(v["maxFaulted"]);
    if (s === undefined || s < 0 || s > 1)
      error(issues, ptr(at, "maxFaulted"), `gate.maxFaulted ${JSON.stringify(v["maxFaulted"])} is not a percentage in [0%, 100%]`, "e.g. 2%");
    else {
      maxFaulted = s;
      if (s >= 1) warning(issues, ptr(at, "maxFaulted"), "gate.maxFaulted is 100%: faults never stop this rollout");
    }
  }
  if (v["within"] !== undefined) {
    const ms = parseDurationKey(v["within"], ptr(at, "within"), issues, "gate.within");
    if (ms !== undefined) withinMs = ms;
  }
  return { converged, maxFaulted, withinMs };
}

function parseClock(v: unknown, at: string, issues: Sink): number | undefined {
  if (typeof v === "string" && v.length === 5 && v[2] === ":") {
    const h = Number(v.slice(0, 2)),
      m = Number(v.slice(3));
    if (/^\d\d:\d\d$/.test(v) && h <= 24 && m < 60 && h * 60 + m <= 1440) return h * 60 + m;
  }
  error(issues, at, `${JSON.stringify(v)} is not a time of day`, '"HH:MM", 00:00 to 24:00');
  return undefined;
}

function parseWindow(v: unknown, at: string, issues: Sink): MaintenanceWindow | undefined {
  if (!isRecord(v)) {
    error(issues, at, "window must be a mapping", '{ days: [mon, tue], from: "02:00", to: "05:00", tz: UTC }');
    return undefined;
  }
  unknownKeys(v, WINDOW_KEYS, at, issues);
  let days: Weekday[] = [...WEEKDAYS];
  if (v["days"] !== undefined) {
    const raw = v["days"];
    if (!Array.isArray(raw)) error(issues, ptr(at, "days"), "window.days must be a list of days", WEEKDAYS.join(", "));
    else {
      days = [];
      raw.forEach((d, i) => {
        const day = WEEKDAYS.find((w) => w === (typeof d === "string" ? d.toLowerCase() : ""));
        if (day === undefined) error(issues, ptr(ptr(at, "days"), i), `${JSON.stringify(d)} is not a day`, WEEKDAYS.join(", "));
        else if (!days.includes(day)) days.push(day);
      });
      if (raw.length === 0) error(issues, ptr(at, "days"), "the window never opens: window.days is empty");
    }
  }
  const fromMinute = v["from"] === undefined ? 0 : parseClock(v["from"], ptr(at, "from"), issues);
  const toMinute = v["to"] === undefined ? 1440 : parseClock(v["to"], ptr(at, "to"), issues);
  if (fromMinute !== undefined && toMinute !== undefined && fromMinute === toMinute)
    error(issues, ptr(at, "to"), `the window never opens: from and to are both ${JSON.stringify(v["to"])}`);
  const tz = v["tz"] === undefined ? "UTC" : v["tz"];
  if (typeof tz !== "string" || (tz !== "device" && !validTimeZone(tz)))
    error(issues, ptr(at, "tz"), `${JSON.stringify(tz)} is not a time zone`, 'an IANA zone ("UTC", "Europe/Berlin") or "device"');
  if (fromMinute === undefined || toMinute === undefined || typeof tz !== "string") return undefined;
  return { days, fromMinute, toMinute, tz };
}

/**
 * Parses a strategy. `undefined` input = not given (the caller applies the default). Returns the strategy only
 * when it has no errors.
 */
export function parseStrategy(v: unknown, base: string): ParsedStrategy {
  const issues: Issue[] = [];
  if (v === undefined) return { strategy: undefined, issues };
  if (v === "immediate") return { strategy: IMMEDIATE, issues };
  if (v === "staged") return { strategy: STAGED_DEFAULTS, issues };
  if (!isRecord(v)) {
    error(
      issues,
      base,
      `rollout must be "immediate", "staged" or a strategy mapping`,
      "immediate | staged | { waves, canaryPerModel, soak, gate, window, onFailure, kickOnWave }",
    );
    return { strategy: undefined, issues };
  }
  unknownKeys(v, KEYS, base, issues);
  const d = STAGED_DEFAULTS;
  const waves = v["waves"] === undefined ? d.waves : parseWaves(v["waves"], ptr(base, "waves"), issues);
  const canaryPerModel = v["canaryPerModel"] === undefined ? d.canaryPerModel : v["canaryPerModel"];
  if (typeof canaryPerModel !== "boolean") error(issues, ptr(base, "canaryPerModel"), "canaryPerModel must be true or false");
  const kickOnWave = v["kickOnWave"] === undefined ? d.kickOnWave : v["kickOnWave"];
  if (typeof kickOnWave !== "boolean") error(issues, ptr(base, "kickOnWave"), "kickOnWave must be true or false");
  const soakMs = v["soak"] === undefined ? d.soakMs : parseDurationKey(v["soak"], ptr(base, "soak"), issues, "soak");
  const gate = v["gate"] === undefined ? d.gate : parseGate(v["gate"], ptr(base, "gate"), issues, d.gate);
  const window = v["window"] === undefined ? undefined : parseWindow(v["window"], ptr(base, "window"), issues);
  const onFailure = v["onFailure"] === undefined ? d.onFailure : v["onFailure"];
  if (onFailure !== "pause" && onFailure !== "rollback")
    error(issues, ptr(base, "onFailure"), `onFailure ${JSON.stringify(onFailure)} is not pause or rollback`, "pause | rollback");
  if (gate !== undefined && soakMs !== undefined && gate.withinMs < soakMs)
    error(
      issues,
      v["gate"] === undefined ? ptr(base, "soak") : ptr(ptr(base, "gate"), "within"),
      `the gate can never hold: within (${gate.withinMs / 60_000} min) is shorter than soak (${soakMs / 60_000} min)`,
    );
  if (
    issues.some((i) => i.severity === "error") ||
    waves === undefined ||
    soakMs === undefined ||
    gate === undefined ||
    typeof canaryPerModel !== "boolean" ||
    typeof kickOnWave !== "boolean"
  )
    return { strategy: undefined, issues };
  if (onFailure !== "pause" && onFailure !== "rollback") return { strategy: undefined, issues };
  return { strategy: { kind: "staged", waves, canaryPerModel, soakMs, gate, window, onFailure, kickOnWave }, issues };
}
