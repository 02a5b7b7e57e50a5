/**
 * Fleet aggregates for the console's overview (issue 14): each one SQL aggregate over an index (migration 4),
 * never a walk of device rows in JavaScript.
 */
import type { Database } from "./db.js";
import type { ActivityBucket, FaultSummary, ModelCount } from "../domain/store.js";

export interface FleetStatsRepo {
  byModel(limit: number): readonly ModelCount[];
  /** Sessions (and how many ended other than "ok") and faults per `bucketMs` since `since`. */
  activity(since: number, bucketMs: number): readonly ActivityBucket[];
  /** The most common fault codes recorded since `since`, by devices affected. */
  topFaults(since: number, limit: number): readonly FaultSummary[];
}

export function fleetStatsRepo(db: Database): FleetStatsRepo {
  const byModel = db.prepare<[number], { product_class: string; software_version: string; n: number }>(
    `SELECT product_class, software_version, count(*) AS n FROM devices
     GROUP BY product_class COLLATE NOCASE, software_version ORDER BY n DESC, product_class, software_version LIMIT ?`,
  );
  const sessions = db.prepare<{ since: number; bucket: number }, { b: number; n: number; failed: number }>(
    `SELECT started_at / CAST(@bucket AS INTEGER) AS b, count(*) AS n, sum(outcome <> 'ok') AS failed FROM sessions
     WHERE started_at >= @since GROUP BY b`,
  );
  const faults = db.prepare<{ since: number; bucket: number }, { b: number; n: number }>(
    "SELECT at / CAST(@bucket AS INTEGER) AS b, count(*) AS n FROM faults WHERE at >= @since GROUP BY b",
  );
  const top = db.prepare<{ since: number; limit: number }, { code: string; n: number; devices: number; last: number }>(
    `SELECT code, count(*) AS n, count(DISTINCT dev) AS devices, max(at) AS last FROM faults
     WHERE at >= @since GROUP BY code ORDER BY devices DESC, n DESC, code LIMIT @limit`,
  );
  const sample = db.prepare<[string, number], string>("SELECT message FROM faults WHERE code = ? AND at >= ? ORDER BY at DESC LIMIT 1").pluck();
  return {
    byModel: (limit) => byModel.all(limit).map((r) => ({ productClass: r.product_class, softwareVersion: r.software_version, devices: r.n })),
    activity(since, bucketMs) {
      const bucket = Math.max(1000, Math.floor(bucketMs));
      const from = Math.floor(since / bucket);
      const out = new Map<number, { sessions: number; failedSessions: number; faults: number }>();
      const at = (b: number) => {
        let e = out.get(b);
        if (e === undefined) out.set(b, (e = { sessions: 0, failedSessions: 0, faults: 0 }));
        return e;
      };
      for (const r of sessions.all({ since: from * bucket, bucket })) Object.assign(at(r.b), { sessions: r.n, failedSessions: r.failed });
      for (const r of faults.all({ since: from * bucket, bucket })) at(r.b).faults = r.n;
      return [...out].sort((a, b) => a[0] - b[0]).map(([b, e]) => ({ at: b * bucket, ...e }));
    },
    topFaults: (since, limit) =>
      top.all({ since, limit }).map((r) => ({ code: r.code, faults: r.n, devices: r.devices, lastAt: r.last, message: sample.get(r.code, since) ?? "" })),
  };
}
