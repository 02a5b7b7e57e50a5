/**
 * Wave assignment: which wave each device of a rollout belongs to. Pure and deterministic: a device's place is
 * a hash of its id and the rollout id (stable across restarts and nodes), so the same inputs always give the
 * same waves. Wave sizes are cumulative ("[1%, 10%, 100%]": 1% of the devices, then up to 10%, then all).
 *
 * - A device tagged `canary` is always in the first wave; one tagged `no-canary` never is (it goes to the second
 *   wave at the earliest).
 * - `canaryPerModel`: the first wave also takes the lowest-hash device of every (productClass, softwareVersion)
 *   pair that it does not hold yet (a `no-canary` device is never taken).
 */
import { createHash } from "node:crypto";
import type { WaveSize } from "./types.js";

export interface Candidate {
  readonly id: string;
  readonly model: string;
  readonly tags: readonly string[];
}

/** 8 bytes of SHA-256 of rollout id + device id, as a sortable hex string. */
export function waveHash(rolloutId: string, deviceId: string): string {
  return createHash("sha256").update(rolloutId).update("\0").update(deviceId).digest("hex").slice(0, 16);
}

/** The cumulative device count a wave size means for `n` devices (at least 1 when n > 0). */
export function cumulativeTarget(size: WaveSize, n: number): number {
  if (n === 0) return 0;
  const t = size.kind === "percent" ? Math.ceil((n * size.value) / 100) : size.value;
  return Math.max(1, Math.min(n, t));
}

/** Device id -> wave index. Every candidate gets a wave; the last wave takes whatever the targets leave. */
export function assignWaves(rolloutId: string, candidates: readonly Candidate[], waves: readonly WaveSize[], canaryPerModel: boolean): Map<string, number> {
  const ordered = candidates.map((c) => ({ c, h: waveHash(rolloutId, c.id) })).sort((a, b) => (a.h < b.h ? -1 : a.h > b.h ? 1 : a.c.id < b.c.id ? -1 : 1));
  const out = new Map<string, number>();
  const n = ordered.length;
  const noCanary = (c: Candidate): boolean => c.tags.includes("no-canary");
  // Wave 0: tagged canaries, the lowest hashes, one of every model.
  for (const { c } of ordered) if (c.tags.includes("canary") && !noCanary(c)) out.set(c.id, 0);
  const first = waves[0];
  const target0 = first === undefined ? n : cumulativeTarget(first, n);
  for (const { c } of ordered) {
    if (out.size >= target0) break;
    if (!noCanary(c) && !out.has(c.id)) out.set(c.id, 0);
  }
  if (canaryPerModel) {
    const models = new Set(ordered.filter(({ c }) => out.get(c.id) === 0).map(({ c }) => c.model));
    for (const { c } of ordered) {
      if (models.has(c.model) || noCanary(c)) continue;
      out.set(c.id, 0);
      models.add(c.model);
    }
  }
  // Later waves, in hash order, up to each cumulative target; the last takes the rest.
  let w = Math.min(1, waves.length - 1);
  for (const { c } of ordered) {
    if (out.has(c.id)) continue;
    while (w < waves.length - 1) {
      const size = waves[w];
      if (size !== undefined && out.size < cumulativeTarget(size, n)) break;
      w++;
    }
    out.set(c.id, Math.max(w, noCanary(c) ? Math.min(1, waves.length - 1) : 0));
  }
  return out;
}
