/**
 * Rollout metrics, read from the manager at scrape time: devices per rollout, wave and state; the state of each
 * recent rollout (1 for its current state); and a counter of automatic pauses and rollbacks.
 */
import type { Registry } from "../metrics/registry.js";
import type { RolloutManager } from "../rollout/manager.js";
import { DEVICE_STATES } from "../rollout/types.js";

const RECENT = 20;

export function registerRolloutMetrics(registry: Registry, rollouts: RolloutManager): void {
  registry.gauge<"rollout" | "wave" | "state">({
    name: "converge_rollout_devices",
    help: "Devices of each rollout in progress by wave (1 = canary) and state (waiting, pending, converged, faulted).",
    labelNames: ["rollout", "wave", "state"],
    maxSeries: 2000,
    collect: (g) => {
      for (const r of rollouts.list()) {
        const counts = rollouts.counts(r.id);
        if (!counts) continue;
        counts.forEach((c, i) => {
          for (const s of DEVICE_STATES) g.set({ rollout: r.id, wave: String(i + 1), state: s }, c[s]);
        });
      }
    },
  });
  registry.gauge<"rollout" | "state">({
    name: "converge_rollout_state",
    help: "1 for the current state of each of the most recent rollouts (running, paused, completed, aborted, rolled-back, superseded).",
    labelNames: ["rollout", "state"],
    maxSeries: 200,
    collect: (g) => {
      for (const r of rollouts.list().slice(0, RECENT)) g.set({ rollout: r.id, state: r.state }, 1);
    },
  });
  const pauses = registry.counter({
    name: "converge_rollout_auto_pauses_total",
    help: "Rollouts stopped by a failed gate (paused, or rolled back with onFailure: rollback).",
  });
  rollouts.onAutoPause = () => pauses.inc();
}
