/**
 * Token buckets per client key (API rate limiting). Each key holds up to `burst` tokens refilled at
 * `perSecond`. The map is bounded: past `maxKeys` the least recently seen key is evicted (it comes
 * back with a full bucket, which only errs towards letting a forgotten client through).
 */
export interface RateLimiterOptions {
  readonly burst: number;
  readonly perSecond: number;
  readonly maxKeys: number;
}

export interface RateLimiter {
  /** Takes one token for `key` at `nowMs`; false means the request should get 429. */
  take(key: string, nowMs: number): boolean;
  /** Whole seconds until `key` has a token again (0 when it has one): the `Retry-After` value. */
  retryAfterSeconds(key: string, nowMs: number): number;
  readonly size: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export function createRateLimiter(opts: RateLimiterOptions): RateLimiter {
  if (!(opts.burst >= 1) || !(opts.perSecond > 0) || !(opts.maxKeys >= 1)) {
    throw new Error("rate limit needs burst >= 1, perSecond > 0 and maxKeys >= 1");
  }
  const buckets = new Map<string, Bucket>();

  function refill(key: string, nowMs: number): Bucket {
    const b = buckets.get(key) ?? { tokens: opts.burst, at: nowMs };
    const elapsed = Math.max(0, nowMs - b.at) / 1000;
    b.tokens = Math.min(opts.burst, b.tokens + elapsed * opts.perSecond);
    b.at = Math.max(b.at, nowMs);
    buckets.delete(key); // re-insert: Map order is recency order
    buckets.set(key, b);
    while (buckets.size > opts.maxKeys) {
      const oldest = buckets.keys().next().value;
      if (oldest === undefined) break;
      buckets.delete(oldest);
    }
    return b;
  }

  return {
    take(key, nowMs) {
      const b = refill(key, nowMs);
      if (b.tokens < 1) return false;
      b.tokens -= 1;
      return true;
    },
    retryAfterSeconds(key, nowMs) {
      const b = buckets.get(key);
      if (b === undefined) return 0;
      const tokens = Math.min(opts.burst, b.tokens + (Math.max(0, nowMs - b.at) / 1000) * opts.perSecond);
      return tokens >= 1 ? 0 : Math.ceil((1 - tokens) / opts.perSecond);
    },
    get size() {
      return buckets.size;
    },
  };
}
