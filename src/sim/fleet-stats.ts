/**
 * Fleet statistics: a log-bucket latency histogram (1% resolution, mergeable across worker processes, constant
 * memory however many sessions run), counters for sessions, 503 sheds and errors by kind.
 */

const MIN_MS = 0.01;
const GROWTH = 1.01;
const BUCKETS = 2400; // 0.01 ms .. ~0.01·1.01^2400 ms (hours): every plausible session latency
const LOG_GROWTH = Math.log(GROWTH);

/** Session latencies in buckets 1% wide; percentiles are within 1% of the exact value. */
export class LatencyHistogram {
  readonly counts: Uint32Array;
  count = 0;
  maxMs = 0;
  sumMs = 0;

  constructor() {
    this.counts = new Uint32Array(BUCKETS);
  }

  record(ms: number): void {
    const i = ms <= MIN_MS ? 0 : Math.min(BUCKETS - 1, Math.ceil(Math.log(ms / MIN_MS) / LOG_GROWTH));
    this.counts[i] = (this.counts[i] ?? 0) + 1;
    this.count++;
    this.sumMs += ms;
    if (ms > this.maxMs) this.maxMs = ms;
  }

  /** The latency below which a fraction `q` (0..1) of the sessions fall (upper bucket edge); 0 when empty. */
  quantile(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i] ?? 0;
      if (seen >= rank) return Math.min(this.maxMs, MIN_MS * GROWTH ** i);
    }
    return this.maxMs;
  }

  merge(other: { readonly counts: ArrayLike<number>; readonly count: number; readonly maxMs: number; readonly sumMs: number }): void {
    for (let i = 0; i < BUCKETS; i++) this.counts[i] = (this.counts[i] ?? 0) + (other.counts[i] ?? 0);
    this.count += other.count;
    this.sumMs += other.sumMs;
    if (other.maxMs > this.maxMs) this.maxMs = other.maxMs;
  }

  /** Sparse form for JSON / IPC: [bucket, count] pairs. */
  toSparse(): { readonly buckets: readonly (readonly [number, number])[]; readonly count: number; readonly maxMs: number; readonly sumMs: number } {
    const buckets: [number, number][] = [];
    this.counts.forEach((c, i) => {
      if (c > 0) buckets.push([i, c]);
    });
    return { buckets, count: this.count, maxMs: this.maxMs, sumMs: this.sumMs };
  }

  static fromSparse(s: {
    readonly buckets: readonly (readonly [number, number])[];
    readonly count: number;
    readonly maxMs: number;
    readonly sumMs: number;
  }): LatencyHistogram {
    const h = new LatencyHistogram();
    for (const [i, c] of s.buckets) h.counts[i] = c;
    h.count = s.count;
    h.maxMs = s.maxMs;
    h.sumMs = s.sumMs;
    return h;
  }
}

/** Counters of one fleet run (or a merge of several workers' runs). */
export class FleetCounters {
  sessionsOk = 0;
  sessionsFailed = 0;
  /** 503 answers to an Inform (admission control shed the session). */
  shed = 0;
  /** RPCs the ACS sent, by method. */
  readonly rpcs = new Map<string, number>();
  /** Failed sessions by error kind (http_503 excluded: counted in `shed`). */
  readonly errors = new Map<string, number>();
  /** The first detail seen per error kind ("network": "ECONNREFUSED connect ..."), so a summary says what failed. */
  readonly details = new Map<string, string>();
  readonly latency = new LatencyHistogram();
  /** Files downloaded for real (Download RPCs), bytes received, and transfers that resumed with Range. */
  downloads = 0;
  downloadBytes = 0;
  downloadsResumed = 0;
  downloadsFailed = 0;

  download(o: { readonly bytes?: number; readonly resumed?: number } | { readonly faultCode: number }): void {
    if ("faultCode" in o) {
      this.downloadsFailed++;
      return;
    }
    this.downloads++;
    this.downloadBytes += o.bytes ?? 0;
    if ((o.resumed ?? 0) > 0) this.downloadsResumed++;
  }

  /** One finished session. */
  session(ok: boolean, ms: number, error: string | undefined, rpcs: readonly string[], detail?: string): void {
    if (!ok && detail !== undefined && error !== undefined && !this.details.has(error)) this.details.set(error, detail);
    for (const m of rpcs) bump(this.rpcs, m, 1);
    if (ok) {
      this.sessionsOk++;
      this.latency.record(ms);
      return;
    }
    this.sessionsFailed++;
    if (error === "http_503") this.shed++;
    else bump(this.errors, error ?? "unknown", 1);
  }

  merge(o: CountersJson): void {
    this.sessionsOk += o.sessionsOk;
    this.sessionsFailed += o.sessionsFailed;
    this.shed += o.shed;
    for (const [k, v] of Object.entries(o.rpcs)) bump(this.rpcs, k, v);
    for (const [k, v] of Object.entries(o.errors)) bump(this.errors, k, v);
    for (const [k, v] of Object.entries(o.details)) if (!this.details.has(k)) this.details.set(k, v);
    this.downloads += o.downloads.count;
    this.downloadBytes += o.downloads.bytes;
    this.downloadsResumed += o.downloads.resumed;
    this.downloadsFailed += o.downloads.failed;
    const h = LatencyHistogram.fromSparse(o.latency);
    this.latency.merge(h);
  }

  toJson(): CountersJson {
    return {
      sessionsOk: this.sessionsOk,
      sessionsFailed: this.sessionsFailed,
      shed: this.shed,
      rpcs: Object.fromEntries(this.rpcs),
      errors: Object.fromEntries(this.errors),
      details: Object.fromEntries(this.details),
      downloads: { count: this.downloads, bytes: this.downloadBytes, resumed: this.downloadsResumed, failed: this.downloadsFailed },
      latency: this.latency.toSparse(),
    };
  }
}

export interface CountersJson {
  readonly sessionsOk: number;
  readonly sessionsFailed: number;
  readonly shed: number;
  readonly rpcs: Readonly<Record<string, number>>;
  readonly errors: Readonly<Record<string, number>>;
  readonly details: Readonly<Record<string, string>>;
  readonly downloads: { readonly count: number; readonly bytes: number; readonly resumed: number; readonly failed: number };
  readonly latency: ReturnType<LatencyHistogram["toSparse"]>;
}

export function bump(m: Map<string, number>, k: string, n: number): void {
  m.set(k, (m.get(k) ?? 0) + n);
}
