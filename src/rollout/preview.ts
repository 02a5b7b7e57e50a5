/**
 * `converge plan`'s view of the rollouts a change would start: per changed policy with a staged strategy, the
 * devices per wave, the models in the canary wave, and the disruptive steps its window would hold. Pure.
 *
 * The real rollout draws its devices with its own id (known only when it starts), so the preview gives the
 * sizes and the canary models, not the very devices.
 */
import { policyMatches } from "../policy/desired.js";
import type { MatchSubject } from "../policy/desired.types.js";
import type { PolicySet } from "../policy/types.js";
import { assignWaves } from "./assign.js";
import type { Strategy } from "./types.js";
import { showSize } from "./view.js";

export interface RolloutPreview {
  readonly policy: string;
  readonly from: string | undefined;
  readonly to: string;
  readonly waves: readonly { readonly size: string; readonly devices: number }[];
  readonly canaryModels: readonly string[];
  /** The disruptive steps of the new version (held outside the window, when there is one). */
  readonly disruptive: readonly string[];
  readonly window: string | undefined;
}

const hhmm = (m: number): string => `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;

/** True when `previewRollouts` would look at the devices: some policy changed and is not rolled out immediately. */
export function previewNeedsDevices(proposed: PolicySet, current: PolicySet | undefined, defaultStrategy: Strategy): boolean {
  if (current === undefined) return false;
  return proposed.policies.some(
    (p) => (p.rollout ?? defaultStrategy).kind !== "immediate" && current.policies.find((q) => q.name === p.name)?.fingerprint !== p.fingerprint,
  );
}

export function previewRollouts(
  proposed: PolicySet,
  current: PolicySet | undefined,
  devices: readonly MatchSubject[],
  defaultStrategy: Strategy,
): RolloutPreview[] {
  if (current === undefined) return [];
  const out: RolloutPreview[] = [];
  for (const p of proposed.policies) {
    const strategy = p.rollout ?? defaultStrategy;
    const old = current.policies.find((q) => q.name === p.name);
    if (strategy.kind === "immediate" || old?.fingerprint === p.fingerprint) continue;
    const matched = devices.filter((f) => policyMatches(p, f) || (old !== undefined && policyMatches(old, f)));
    const model = (f: MatchSubject): string => `${f.productClass}/${f.softwareVersion}`;
    const waves = assignWaves(
      `preview-${p.name}`,
      matched.map((f) => ({ id: f.deviceId, model: model(f), tags: f.tags })),
      strategy.waves,
      strategy.canaryPerModel,
    );
    const disruptive = [
      ...(p.firmware !== undefined ? [`Download ${p.firmware.version}`] : []),
      ...p.tables.filter((t) => t.prune).map((t) => `prune deletes under ${t.table}`),
      ...(p.allowReboot === true ? ["Reboot (when a change needs one)"] : []),
    ];
    const w = strategy.window;
    out.push({
      policy: p.name,
      from: old === undefined ? undefined : current.revision,
      to: proposed.revision,
      waves: strategy.waves.map((s, i) => ({ size: showSize(s), devices: [...waves.values()].filter((x) => x === i).length })),
      canaryModels: [...new Set(matched.filter((f) => waves.get(f.deviceId) === 0).map(model))].sort(),
      disruptive,
      window: w === undefined ? undefined : `${w.days.join(",")} ${hhmm(w.fromMinute)}-${hhmm(w.toMinute)} ${w.tz}`,
    });
  }
  return out;
}

export function renderPreviews(previews: readonly RolloutPreview[]): string {
  if (previews.length === 0) return "";
  const lines = ["", "rollouts this change would start:"];
  for (const r of previews) {
    lines.push(`  ${r.policy}: ${r.from ?? "(new policy)"} -> ${r.to}`);
    lines.push(`    waves: ${r.waves.map((w, i) => `${i + 1}) ${w.size} = ${w.devices} devices`).join(", ")}`);
    lines.push(`    canary models: ${r.canaryModels.join(", ") || "(none)"}`);
    if (r.disruptive.length > 0)
      lines.push(`    disruptive: ${r.disruptive.join("; ")}${r.window ? ` (held outside the window ${r.window})` : " (no window: sent with the wave)"}`);
  }
  return `${lines.join("\n")}\n`;
}
