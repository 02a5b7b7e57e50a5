/**
 * The fleet's summary (a plain JSON value, mergeable from workers) and its renderings: the live progress line
 * and the end-of-run table. Pure: no I/O.
 */
import type { AcsCounts } from "./fleet-acs.js";
import type { FleetProgress, StopReason } from "./fleet.js";
import type { FleetCounters, CountersJson } from "./fleet-stats.js";

/** What one process hands back (JSON-safe, so it crosses the IPC channel as is). */
export interface FleetPart {
  readonly counters: CountersJson;
  readonly devices: number;
  readonly done: number;
  readonly elapsedS: number;
  readonly stopped: StopReason;
  readonly lastOutcomes: Readonly<Record<string, number>>;
  readonly models: Readonly<Record<string, number>>;
  readonly quirks: Readonly<Record<string, number>>;
}

export interface FleetSummary {
  readonly devices: number;
  readonly done: number;
  readonly elapsedS: number;
  readonly stopped: StopReason;
  readonly sessionsOk: number;
  readonly sessionsFailed: number;
  readonly sessionsPerS: number;
  readonly latencyMs: { readonly p50: number; readonly p90: number; readonly p99: number; readonly max: number; readonly mean: number };
  /** Informs answered 503 (admission control). */
  readonly shed: number;
  readonly errors: Readonly<Record<string, number>>;
  readonly rpcs: Readonly<Record<string, number>>;
  readonly lastOutcomes: Readonly<Record<string, number>>;
  readonly models: Readonly<Record<string, number>>;
  readonly quirks: Readonly<Record<string, number>>;
  readonly acs?: AcsCounts;
  readonly workers: number;
  /** Raw counters (with the sparse latency histogram) so summaries of several processes can be merged. */
  readonly counters: CountersJson;
}

const round = (x: number, digits = 2): number => Number(x.toFixed(digits));

/** Builds a summary from (merged) counters. */
export function summarize(parts: Omit<FleetPart, "counters"> & { readonly counters: FleetCounters; readonly workers: number }): FleetSummary {
  const c = parts.counters;
  const h = c.latency;
  return {
    devices: parts.devices,
    done: parts.done,
    elapsedS: round(parts.elapsedS, 3),
    stopped: parts.stopped,
    sessionsOk: c.sessionsOk,
    sessionsFailed: c.sessionsFailed,
    sessionsPerS: round(parts.elapsedS > 0 ? c.sessionsOk / parts.elapsedS : 0, 1),
    latencyMs: {
      p50: round(h.quantile(0.5)),
      p90: round(h.quantile(0.9)),
      p99: round(h.quantile(0.99)),
      max: round(h.maxMs),
      mean: round(h.count > 0 ? h.sumMs / h.count : 0),
    },
    shed: c.shed,
    errors: Object.fromEntries(c.errors),
    rpcs: Object.fromEntries(c.rpcs),
    lastOutcomes: parts.lastOutcomes,
    models: parts.models,
    quirks: parts.quirks,
    workers: parts.workers,
    counters: c.toJson(),
  };
}

const fmt = (x: number): string => (x >= 100 ? x.toFixed(0) : x.toFixed(1));

/** One line, rewritten in place on a TTY. */
export function progressLine(p: FleetProgress, acs: AcsCounts | undefined): string {
  const parts = [
    `${fmt(p.elapsedS)}s`,
    `${p.sessionsOk} sessions (${fmt(p.windowPerS)}/s)`,
    `p50 ${fmt(p.windowP50Ms)}ms p99 ${fmt(p.windowP99Ms)}ms`,
    `in flight ${p.inFlight}`,
    `done ${p.done}/${p.devices}`,
    `503 ${p.shed}`,
    `errors ${p.errors}`,
  ];
  if (acs) parts.push(`converged ${acs.converged} pending ${acs.pending} faulted ${acs.faulted}`);
  return parts.join(" | ");
}

function kv(r: Readonly<Record<string, number>>): string {
  const entries = Object.entries(r).sort((a, b) => b[1] - a[1]);
  return entries.length === 0 ? "-" : entries.map(([k, v]) => `${k} ${v}`).join(", ");
}

/** The end-of-run table. */
export function summaryTable(s: FleetSummary): string {
  const rows: [string, string][] = [
    ["devices", `${s.devices} (${s.workers} process${s.workers === 1 ? "" : "es"})`],
    ["goal reached", `${s.done}/${s.devices} (stopped: ${s.stopped})`],
    ["elapsed", `${s.elapsedS.toFixed(2)} s`],
    ["sessions ok", String(s.sessionsOk)],
    ["sessions/s", s.sessionsPerS.toFixed(1)],
    ["latency ms", `p50 ${s.latencyMs.p50}  p90 ${s.latencyMs.p90}  p99 ${s.latencyMs.p99}  max ${s.latencyMs.max}`],
    ["503 shed", String(s.shed)],
    ["errors", kv(s.errors)],
    ...Object.entries(s.counters.details).map(([k, v]): [string, string] => [`  ${k}`, v]),
    [
      "downloads",
      `${s.counters.downloads.count} files, ${s.counters.downloads.bytes} bytes, ${s.counters.downloads.resumed} resumed, ${s.counters.downloads.failed} failed`,
    ],
    ["ACS RPCs", kv(s.rpcs)],
    ["last outcome", kv(s.lastOutcomes)],
    ["models", kv(s.models)],
    ["quirks", kv(s.quirks)],
  ];
  if (s.acs) rows.push(["ACS devices", `${s.acs.devices} stored, ${s.acs.converged} converged, ${s.acs.pending} pending, ${s.acs.faulted} faulted`]);
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join("\n") + "\n";
}
