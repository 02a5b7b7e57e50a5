/**
 * Highest nonce-count seen per nonce, bounded: a Map used as an LRU. When an entry is evicted its
 * nonce's issue time raises a floor; a nonce issued at or before the floor that is no longer tracked
 * is reported as "forgotten", so the caller re-challenges (stale) instead of accepting a possible replay.
 */
export interface NonceCounts {
  /** "fresh" records nc; "replay" means nc did not increase; "forgotten" means state was evicted. */
  observe(nonce: string, issuedAt: number, nc: number): "fresh" | "replay" | "forgotten";
  readonly size: number;
}

export function createNonceCounts(capacity: number): NonceCounts {
  const seen = new Map<string, { nc: number; issuedAt: number }>();
  let floor = -Infinity;
  return {
    observe(nonce, issuedAt, nc) {
      const entry = seen.get(nonce);
      if (entry === undefined && issuedAt <= floor) return "forgotten";
      if (entry !== undefined && nc <= entry.nc) return "replay";
      seen.delete(nonce);
      seen.set(nonce, { nc, issuedAt });
      while (seen.size > capacity) {
        const oldest = seen.entries().next().value;
        if (oldest === undefined) break;
        seen.delete(oldest[0]);
        floor = Math.max(floor, oldest[1].issuedAt);
      }
      return "fresh";
    },
    get size() {
      return seen.size;
    },
  };
}
