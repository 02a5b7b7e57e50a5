/**
 * The Cluster port over PostgreSQL (a `pg` Pool of its own): every node's clock is the database's
 * (`clock_timestamp()`), so leases and heartbeats never depend on the nodes' clocks agreeing.
 *
 * A device's lease is free when no node holds it, when it expired (`leaseMs` after its last renewal: the
 * heartbeat renews the leases of live sessions), or when its node's heartbeat is older than `nodeTimeoutMs`
 * (a dead node). So a node killed mid-session frees its devices within `nodeTimeoutMs`, and a node cut off
 * from the database within `leaseMs`. Tables: migration 50 (pg-schema.ts).
 */
import { sectionQueue } from "./sections.js";
import pg from "pg";
import type { DeviceId } from "../domain/device.js";
import type { Cluster, ClusterMessage, Heartbeat, HeldLease, NodeView } from "./port.js";
import { encodeClusterMessage, parseClusterMessage } from "./port.js";
import { leaseRounds } from "./lease-rounds.js";
import { sql as CLUSTER_MIGRATION_50 } from "../store/pg/migrations/050-cluster.js";

export interface PgClusterOptions {
  readonly url: string;
  readonly nodeId: string;
  /** A lease's life without renewal (at least the session idle limit). */
  readonly leaseMs: number;
  /** A node whose heartbeat is older is dead: its leases are free. */
  readonly nodeTimeoutMs: number;
  /** Connections of this node's pool. Default 4. */
  readonly poolSize?: number;
}

// One lease round: every release and acquisition this node has queued, in ONE statement (one round trip, one
// commit). Releases first (a CTE), acquisitions (a multi-row upsert), and the holder of each device the round
// could not take (for Retry-After), read from the statement's snapshot: the refused rows are unchanged by it.
// A round names each device at most once (lease-rounds.ts), so no row is modified twice.
const ROUND = `
WITH rel AS (
  UPDATE converge_cluster_leases l SET node = NULL, session = NULL, expires_at = clock_timestamp(), state_version = l.state_version + r.delta
  FROM unnest($1::text[], $2::text[], $3::int[]) AS r (device_id, session, delta)
  WHERE l.device_id = r.device_id AND l.session = r.session
  RETURNING l.device_id, l.state_version
), acq AS (
  INSERT INTO converge_cluster_leases AS l (device_id, node, session, expires_at)
  SELECT a.device_id, $4::text, a.session, clock_timestamp() + $5::bigint * interval '1 millisecond' FROM unnest($6::text[], $7::text[]) AS a (device_id, session)
  ON CONFLICT (device_id) DO UPDATE SET node = EXCLUDED.node, session = EXCLUDED.session, expires_at = EXCLUDED.expires_at
  WHERE l.node IS NULL OR l.node = EXCLUDED.node OR l.expires_at < clock_timestamp()
     OR NOT EXISTS (SELECT 1 FROM converge_cluster_nodes n WHERE n.node = l.node AND n.heartbeat_at > clock_timestamp() - $8::bigint * interval '1 millisecond')
  RETURNING l.device_id, l.state_version
)
SELECT 'r' AS k, device_id, state_version, NULL::text AS holder, NULL::float8 AS left_s FROM rel
UNION ALL SELECT 'a', device_id, state_version, NULL, NULL FROM acq
UNION ALL SELECT 'h', h.device_id, NULL, h.node, GREATEST(0, EXTRACT(EPOCH FROM h.expires_at - clock_timestamp()))::float8
  FROM converge_cluster_leases h WHERE h.device_id = ANY($6::text[]) AND h.device_id NOT IN (SELECT device_id FROM acq)`;

const BUMP = `
INSERT INTO converge_cluster_leases AS l (device_id, state_version) VALUES ($1, 1)
ON CONFLICT (device_id) DO UPDATE SET state_version = l.state_version + 1`;

const BEAT = `
INSERT INTO converge_cluster_nodes AS n (node, revision) VALUES ($1, $2)
ON CONFLICT (node) DO UPDATE SET heartbeat_at = clock_timestamp(), revision = EXCLUDED.revision,
  revision_since = CASE WHEN n.revision IS DISTINCT FROM EXCLUDED.revision THEN clock_timestamp() ELSE n.revision_since END`;

// The heartbeat's renewal never waits on a lease row a step's transaction holds (a fenced step renews its lease
// itself, store/pg/fence.ts): such rows are skipped, and still this node's when the statement's snapshot says so.
// Waiting there would hold every later step of those devices behind the slowest open transaction.
const RENEW = `
WITH renewed AS (
  UPDATE converge_cluster_leases l SET expires_at = clock_timestamp() + $2 * interval '1 millisecond'
  FROM (SELECT device_id FROM converge_cluster_leases WHERE node = $1 AND session = ANY($3::text[]) FOR UPDATE SKIP LOCKED) x
  WHERE l.device_id = x.device_id RETURNING l.session
)
SELECT session FROM renewed UNION SELECT session FROM converge_cluster_leases WHERE node = $1 AND session = ANY($3::text[])`;

const LIVE_NODES = `
SELECT node, revision, (EXTRACT(EPOCH FROM revision_since) * 1000)::float8 AS since, (EXTRACT(EPOCH FROM heartbeat_at) * 1000)::float8 AS beat,
  (EXTRACT(EPOCH FROM started_at) * 1000)::float8 AS started
FROM converge_cluster_nodes WHERE heartbeat_at > clock_timestamp() - $1 * interval '1 millisecond' ORDER BY node`;

const CLAIM = `
INSERT INTO converge_cluster_claims AS c (key, device_id, node) VALUES ($1, $2, $3)
ON CONFLICT (key, device_id) DO UPDATE SET node = EXCLUDED.node, claimed_at = clock_timestamp()
WHERE c.claimed_at < clock_timestamp() - $4 * interval '1 millisecond'
RETURNING 1`;

// One token bucket row per name, refilled by the elapsed time at each take (the database's clock).
const BUCKET = `INSERT INTO converge_cluster_buckets (name, tokens) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`;

const TAKE = `
UPDATE converge_cluster_buckets u SET tokens = CASE WHEN x.t >= 1 THEN x.t - 1 ELSE x.t END, refilled_at = now()
FROM (SELECT name, LEAST($3::float8, tokens + EXTRACT(EPOCH FROM now() - refilled_at)::float8 * $2::float8) AS t
      FROM converge_cluster_buckets WHERE name = $1 FOR UPDATE) x
WHERE u.name = x.name RETURNING x.t`;

// A leader is a claim row (device '') its node renews; another node takes it over once it expired or its node died.
const LEAD = `
INSERT INTO converge_cluster_claims AS c (key, device_id, node) VALUES ($1, '', $2)
ON CONFLICT (key, device_id) DO UPDATE SET node = EXCLUDED.node, claimed_at = clock_timestamp()
WHERE c.node = EXCLUDED.node OR c.claimed_at < clock_timestamp() - $3 * interval '1 millisecond'
   OR NOT EXISTS (SELECT 1 FROM converge_cluster_nodes n WHERE n.node = c.node AND n.heartbeat_at > clock_timestamp() - $4 * interval '1 millisecond')
RETURNING 1`;

/** The NOTIFY channel every node listens on. */
const CHANNEL = "converge_cluster";

/** Applies migration 50 (idempotent) under an advisory lock: nodes starting together do not race on CREATE. */
export async function migrateCluster(pool: pg.Pool): Promise<void> {
  const c = await pool.connect();
  try {
    await c.query("BEGIN");
    await c.query("SELECT pg_advisory_xact_lock(hashtext('converge_cluster_migration_50'))");
    await c.query(CLUSTER_MIGRATION_50);
    await c.query("COMMIT");
  } catch (e) {
    await c.query("ROLLBACK").catch(() => undefined);
    throw e;
  } finally {
    c.release();
  }
}

function num(v: unknown): number {
  return typeof v === "number" ? v : Number(v);
}

export async function openPgCluster(o: PgClusterOptions): Promise<Cluster> {
  const pool = new pg.Pool({ connectionString: o.url, max: o.poolSize ?? 4 });
  // An idle client's error (the server restarted) must not crash the node: the next query reconnects.
  pool.on("error", () => undefined);
  try {
    await migrateCluster(pool);
  } catch (e) {
    await pool.end();
    throw e;
  }
  const q = async (text: string, values: readonly unknown[]): Promise<Record<string, unknown>[]> =>
    (await pool.query({ text, values: [...values] })).rows as Record<string, unknown>[];
  // Register at once, so other nodes see this one before its first session.
  await q(BEAT, [o.nodeId, null]);
  let closed = false;
  const buckets = new Set<string>();
  const rounds = leaseRounds(async (r) => {
    const rows = await q(ROUND, [
      r.releases.map((x) => x.deviceId),
      r.releases.map((x) => x.session),
      r.releases.map((x) => x.delta),
      o.nodeId,
      o.leaseMs,
      r.acquires.map((x) => x.deviceId),
      r.acquires.map((x) => x.session),
      o.nodeTimeoutMs,
    ]);
    return rows.map((row) => ({
      kind: row["k"] === "r" ? "released" : row["k"] === "a" ? "acquired" : "held",
      deviceId: String(row["device_id"]) as DeviceId,
      stateVersion: num(row["state_version"]),
      holder: String(row["holder"] ?? "?"),
      leftSeconds: num(row["left_s"]),
    }));
  });
  const handlers: ((m: ClusterMessage, from: string) => void)[] = [];
  const deliver = (m: ClusterMessage, from: string): void => {
    for (const h of handlers) h(m, from);
  };
  const listener = await listen(o.url, o.nodeId, deliver, () => closed).catch(async (e: unknown) => {
    await pool.end();
    throw e;
  });
  /** Per name, this node's sections queue here first: one pool connection waits on the advisory lock at a time. */
  const sections = sectionQueue();
  async function locked<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const c = await pool.connect();
    try {
      await c.query("SELECT pg_advisory_lock(hashtext($1))", [`converge:${name}`]);
      try {
        return await fn();
      } finally {
        await c.query("SELECT pg_advisory_unlock(hashtext($1))", [`converge:${name}`]);
      }
    } finally {
      c.release();
    }
  }
  return {
    nodeId: o.nodeId,
    shared: true,
    acquire: (deviceId, session) => rounds.acquire(deviceId, session),
    release: (deviceId, session, acquired, changed) => rounds.release(deviceId, session, acquired, changed),
    async changed(deviceId: DeviceId) {
      await q(BUMP, [deviceId]);
    },
    async heartbeat(revision: string | undefined, held: readonly HeldLease[]): Promise<Heartbeat> {
      await q(BEAT, [o.nodeId, revision ?? null]);
      let lost: HeldLease[] = [];
      if (held.length > 0) {
        const kept = new Set((await q(RENEW, [o.nodeId, o.leaseMs, held.map((h) => h.session)])).map((r) => String(r["session"])));
        lost = held.filter((h) => !kept.has(h.session));
      }
      const nodes: NodeView[] = (await q(LIVE_NODES, [o.nodeTimeoutMs])).map((r) => ({
        node: String(r["node"]),
        revision: r["revision"] === null ? null : String(r["revision"]),
        revisionSince: num(r["since"]),
        heartbeatAt: num(r["beat"]),
        startedAt: num(r["started"]),
      }));
      return { nodes, lost };
    },
    async claim(key, deviceId, ttlMs) {
      return (await q(CLAIM, [key, deviceId, o.nodeId, ttlMs])).length > 0;
    },
    async take(name, perSecond, burst) {
      if (!buckets.has(name)) {
        await q(BUCKET, [name, burst]);
        buckets.add(name);
      }
      const row = (await q(TAKE, [name, perSecond, burst]))[0];
      const tokens = row ? num(row["t"]) : 0;
      return tokens >= 1 ? 0 : Math.max(1, Math.ceil(((1 - tokens) * 1000) / perSecond));
    },
    exclusive: (name, fn) => sections(name, () => locked(name, fn)),
    async lead(name, ttlMs) {
      return (await q(LEAD, [`leader:${name}`, o.nodeId, ttlMs, o.nodeTimeoutMs])).length > 0;
    },
    async publish(message) {
      const text = encodeClusterMessage(o.nodeId, message);
      if (text === undefined || closed) return false;
      await q("SELECT pg_notify($1, $2)", [CHANNEL, text]);
      return true;
    },
    onMessage(fn) {
      handlers.push(fn);
    },
    async close() {
      if (closed) return;
      closed = true;
      // A clean stop frees this node's devices at once, gives up what it leads and leaves the registry.
      try {
        await listener.end();
        await q("UPDATE converge_cluster_leases SET node = NULL, session = NULL WHERE node = $1", [o.nodeId]);
        await q("DELETE FROM converge_cluster_claims WHERE device_id = '' AND node = $1 AND key LIKE 'leader:%'", [o.nodeId]);
        await q("DELETE FROM converge_cluster_nodes WHERE node = $1", [o.nodeId]);
      } finally {
        await pool.end();
      }
    },
  };
}

/**
 * The node's LISTEN connection: every other node's messages reach `deliver` (its own are skipped). A dropped
 * connection (the server restarted) is reopened after a second, until `stopped()`; messages meanwhile are lost
 * (what they carry is also in the store, or bounded in time: see docs/operations.md §15).
 */
async function listen(
  url: string,
  self: string,
  deliver: (m: ClusterMessage, from: string) => void,
  stopped: () => boolean,
): Promise<{ end(): Promise<void> }> {
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  const schedule = (): void => {
    if (stopped() || retry) return;
    retry = setTimeout(() => {
      retry = undefined;
      open().catch(schedule);
    }, 1000);
    retry.unref();
  };
  const open = async (): Promise<void> => {
    const c = new pg.Client({ connectionString: url });
    c.on("notification", (n) => {
      const got = n.channel === CHANNEL && n.payload !== undefined ? parseClusterMessage(n.payload) : undefined;
      if (got && got.from !== self) deliver(got.message, got.from);
    });
    const lost = (): void => {
      if (client !== c) return;
      client = undefined;
      schedule();
    };
    c.on("error", lost);
    c.on("end", lost);
    client = c;
    await c.connect();
    await c.query(`LISTEN ${CHANNEL}`);
  };
  await open();
  return {
    async end() {
      if (retry) clearTimeout(retry);
      const c = client;
      client = undefined;
      await c?.end().catch(() => undefined);
    },
  };
}
