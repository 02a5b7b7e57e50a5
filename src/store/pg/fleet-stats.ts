/** The console's fleet aggregates in PostgreSQL (same results as src/store/fleet-stats.ts), each one SQL aggregate. */
import type { ActivityBucket, FaultSummary, ModelCount } from "../../domain/store.js";
import type { Queryable } from "./pool.js";

export async function byModel(q: Queryable, limit: number): Promise<readonly ModelCount[]> {
  const r = await q.query<{ product_class: string; software_version: string; n: number }>(
    `SELECT min(product_class) AS product_class, software_version, count(*) AS n FROM devices
     GROUP BY converge_fold(product_class), software_version ORDER BY n DESC, product_class, software_version LIMIT $1`,
    [limit],
  );
  return r.rows.map((x) => ({ productClass: x.product_class, softwareVersion: x.software_version, devices: x.n }));
}

export async function activity(q: Queryable, since: number, bucketMs: number): Promise<readonly ActivityBucket[]> {
  const bucket = Math.max(1000, Math.floor(bucketMs));
  const from = Math.floor(since / bucket) * bucket;
  const sessions = await q.query<{ b: number; n: number; failed: number }>(
    `SELECT started_at / $2::bigint AS b, count(*) AS n, count(*) FILTER (WHERE outcome <> 'ok') AS failed FROM sessions
     WHERE started_at >= $1 GROUP BY b`,
    [from, bucket],
  );
  const faults = await q.query<{ b: number; n: number }>("SELECT at / $2::bigint AS b, count(*) AS n FROM faults WHERE at >= $1 GROUP BY b", [from, bucket]);
  const out = new Map<number, { sessions: number; failedSessions: number; faults: number }>();
  const at = (b: number) => {
    let e = out.get(b);
    if (e === undefined) out.set(b, (e = { sessions: 0, failedSessions: 0, faults: 0 }));
    return e;
  };
  for (const r of sessions.rows) Object.assign(at(r.b), { sessions: r.n, failedSessions: r.failed });
  for (const r of faults.rows) at(r.b).faults = r.n;
  return [...out].sort((a, b) => a[0] - b[0]).map(([b, e]) => ({ at: b * bucket, ...e }));
}

export async function topFaults(q: Queryable, since: number, limit: number): Promise<readonly FaultSummary[]> {
  const r = await q.query<{ code: string; n: number; devices: number; last: number; message: string | null }>(
    `SELECT f.code, count(*) AS n, count(DISTINCT f.dev) AS devices, max(f.at) AS last,
       (SELECT m.message FROM faults m WHERE m.code = f.code AND m.at >= $1 ORDER BY m.at DESC, m.id DESC LIMIT 1) AS message
     FROM faults f WHERE f.at >= $1 GROUP BY f.code ORDER BY devices DESC, n DESC, f.code LIMIT $2`,
    [since, limit],
  );
  return r.rows.map((x) => ({ code: x.code, faults: x.n, devices: x.devices, lastAt: x.last, message: x.message ?? "" }));
}
