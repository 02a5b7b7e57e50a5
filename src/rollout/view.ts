/**
 * The JSON shape of a rollout for the API and the CLI (and its text rendering with a progress bar per wave).
 * Pure.
 */
import type { DeviceAssignment, RolloutEvent, RolloutRecord, WaveCounts, WaveSize } from "./types.js";

export interface WaveView {
  readonly index: number;
  readonly size: string;
  readonly started: boolean;
  readonly devices: number;
  readonly waiting: number;
  readonly pending: number;
  readonly converged: number;
  readonly faulted: number;
}

export interface RolloutView {
  readonly id: string;
  readonly policy: string;
  readonly state: string;
  readonly stableRevision: string | null;
  readonly canaryRevision: string;
  readonly wave: number;
  readonly waves: readonly WaveView[];
  readonly waveStartedAt: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly strategy: unknown;
  readonly reason: unknown;
  readonly supersededBy: string | null;
  readonly events?: readonly { readonly at: string; readonly kind: string; readonly message: string }[];
  readonly devices?: readonly { readonly id: string; readonly wave: number; readonly state: string; readonly model: string; readonly applied: string | null }[];
}

const iso = (t: number): string => new Date(t).toISOString();
export const showSize = (w: WaveSize): string => (w.kind === "percent" ? `${w.value}%` : String(w.value));

/** Per-wave counts from a list of assignments (for rollouts no longer held in memory). */
export function countWaves(r: RolloutRecord, devices: readonly DeviceAssignment[]): WaveCounts[] {
  const out = r.strategy.waves.map(() => ({ waiting: 0, pending: 0, converged: 0, faulted: 0, total: 0 }));
  for (const a of devices) {
    const c = out[a.wave];
    if (!c) continue;
    c[a.state]++;
    c.total++;
  }
  return out;
}

export function rolloutView(
  r: RolloutRecord,
  counts: readonly WaveCounts[],
  extra: { events?: readonly RolloutEvent[]; devices?: readonly DeviceAssignment[] } = {},
): RolloutView {
  const { strategy: s } = r;
  return {
    id: r.id,
    policy: r.policy,
    state: r.state,
    stableRevision: r.stableRevision ?? null,
    canaryRevision: r.canaryRevision,
    wave: r.wave,
    waves: s.waves.map((w, i) => {
      const c = counts[i] ?? { waiting: 0, pending: 0, converged: 0, faulted: 0, total: 0 };
      return {
        index: i,
        size: showSize(w),
        started: i <= r.wave,
        devices: c.total,
        waiting: c.waiting,
        pending: c.pending,
        converged: c.converged,
        faulted: c.faulted,
      };
    }),
    waveStartedAt: iso(r.waveStartedAt),
    createdAt: iso(r.createdAt),
    updatedAt: iso(r.updatedAt),
    strategy: {
      waves: s.waves.map(showSize),
      canaryPerModel: s.canaryPerModel,
      soakMs: s.soakMs,
      gate: s.gate,
      window: s.window ?? null,
      onFailure: s.onFailure,
      kickOnWave: s.kickOnWave,
    },
    reason: r.reason ?? null,
    supersededBy: r.supersededBy ?? null,
    ...(extra.events ? { events: extra.events.map((e) => ({ at: iso(e.at), kind: e.kind, message: e.message })) } : {}),
    ...(extra.devices
      ? { devices: extra.devices.map((a) => ({ id: a.deviceId, wave: a.wave, state: a.state, model: a.model, applied: a.applied ?? null })) }
      : {}),
  };
}

/** `[####!!~~~.....]`: converged #, faulted !, pending ~, waiting . over `width` cells. */
export function progressBar(w: Pick<WaveView, "devices" | "converged" | "faulted" | "pending" | "waiting">, width = 30): string {
  if (w.devices === 0) return `[${" ".repeat(width)}]`;
  let left = width;
  const take = (n: number): number => {
    const k = Math.min(left, Math.round((n / w.devices) * width));
    left -= k;
    return k;
  };
  const c = take(w.converged),
    f = take(w.faulted),
    p = take(w.pending);
  return `[${"#".repeat(c)}${"!".repeat(f)}${"~".repeat(p)}${".".repeat(left)}]`;
}

/** The status view a person reads at a glance. */
export function renderRollout(v: RolloutView): string {
  const lines = [
    `rollout ${v.id}  policy ${v.policy}  ${v.state.toUpperCase()}`,
    `  ${v.stableRevision ?? "(new policy)"} -> ${v.canaryRevision}   wave ${v.wave + 1} of ${v.waves.length} since ${v.waveStartedAt}`,
  ];
  for (const w of v.waves) {
    const pct = w.devices === 0 ? 0 : Math.round((w.converged / w.devices) * 100);
    const mark = w.index === v.wave ? ">" : " ";
    const counts = w.started ? `${w.converged} converged, ${w.pending} pending, ${w.faulted} faulted` : `${w.waiting} waiting`;
    lines.push(`${mark} wave ${w.index + 1} (${w.size.padStart(4)}) ${progressBar(w)} ${String(pct).padStart(3)}%  ${w.devices} devices: ${counts}`);
  }
  const reason = v.reason as { message?: string; models?: string[]; faults?: { deviceId: string; model: string; code: string; path?: string }[] } | null;
  if (reason?.message) {
    lines.push(`  reason: ${reason.message}`);
    if (reason.models && reason.models.length > 0) lines.push(`  models: ${reason.models.join(", ")}`);
    for (const f of (reason.faults ?? []).slice(0, 5)) lines.push(`    ${f.deviceId} (${f.model}) ${f.code} ${f.path ?? ""}`);
  }
  for (const e of (v.events ?? []).slice(-5)) lines.push(`  ${e.at} ${e.kind}: ${e.message}`);
  return `${lines.join("\n")}\n`;
}
