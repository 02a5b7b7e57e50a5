/**
 * The gate of a wave: may the next wave start, must the rollout stop, or wait? Pure; time is an argument.
 *
 * Over the current wave's devices: faulted share above `maxFaulted` fails at once; once `soak` has passed since
 * the wave started, a converged share of at least `converged` (and faults within bound) advances; past `within`
 * without that, the wave failed ("not met in time").
 */
import type { StagedStrategy, WaveCounts } from "./types.js";

export type GateDecision =
  | { readonly kind: "wait"; readonly message: string }
  | { readonly kind: "advance"; readonly message: string }
  | { readonly kind: "fail"; readonly reason: "gate-faulted" | "gate-timeout"; readonly message: string };

const pct = (x: number): string => `${Math.round(x * 1000) / 10}%`;

export function judgeWave(counts: WaveCounts, s: StagedStrategy, startedAt: number, now: number): GateDecision {
  const total = counts.total;
  const faulted = total === 0 ? 0 : counts.faulted / total;
  const converged = total === 0 ? 1 : counts.converged / total;
  const elapsed = now - startedAt;
  if (faulted > s.gate.maxFaulted)
    return {
      kind: "fail",
      reason: "gate-faulted",
      message: `${counts.faulted} of ${total} devices faulted (${pct(faulted)} > maxFaulted ${pct(s.gate.maxFaulted)})`,
    };
  const met = converged >= s.gate.converged;
  if (met && elapsed >= s.soakMs)
    return {
      kind: "advance",
      message: `${counts.converged} of ${total} converged (${pct(converged)} >= ${pct(s.gate.converged)}), soaked ${Math.round(elapsed / 1000)} s`,
    };
  if (!met && elapsed >= s.gate.withinMs)
    return {
      kind: "fail",
      reason: "gate-timeout",
      message: `only ${counts.converged} of ${total} converged (${pct(converged)} < ${pct(s.gate.converged)}) within ${Math.round(s.gate.withinMs / 60_000)} min`,
    };
  return {
    kind: "wait",
    message: met
      ? `gate met, soaking until ${Math.round(s.soakMs / 1000)} s`
      : `${counts.converged} of ${total} converged (${pct(converged)}), gate ${pct(s.gate.converged)}`,
  };
}
