/** The PostgreSQL adapter of the rollout store port (src/rollout/store-port.ts); same rows as src/store/rollouts.ts. */
import type { RolloutStore, StoredVersion } from "../../rollout/store-port.js";
import type { DeviceAssignment, RolloutEvent, RolloutRecord } from "../../rollout/types.js";
import { rolloutRow, toAssignment, toRecord, type AssignmentRow, type RolloutRow } from "../rollouts.js";
import type { PgPool, Queryable } from "./pool.js";

const ROLLOUT_COLUMNS = [
  "id",
  "policy",
  "stable_revision",
  "canary_revision",
  "stable_fp",
  "canary_fp",
  "strategy",
  "state",
  "wave",
  "wave_started_at",
  "created_at",
  "updated_at",
  "reason",
  "superseded_by",
] as const;

const UPSERT_ROLLOUT = `INSERT INTO rollouts (${ROLLOUT_COLUMNS.join(", ")}) VALUES (${ROLLOUT_COLUMNS.map((_, i) => `$${i + 1}`).join(", ")})
  ON CONFLICT (id) DO UPDATE SET state = excluded.state, wave = excluded.wave, wave_started_at = excluded.wave_started_at,
    updated_at = excluded.updated_at, reason = excluded.reason, superseded_by = excluded.superseded_by, strategy = excluded.strategy`;

const UPSERT_DEVICES = `INSERT INTO rollout_devices (rollout_id, device_id, wave, state, model, applied, disruptive_at, fault)
  SELECT $1, u.device_id, u.wave, u.state, u.model, u.applied, u.disruptive_at, u.fault
  FROM unnest($2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::text[]) AS u (device_id, wave, state, model, applied, disruptive_at, fault)
  ON CONFLICT (rollout_id, device_id) DO UPDATE SET wave = excluded.wave, state = excluded.state, applied = excluded.applied,
    disruptive_at = excluded.disruptive_at, fault = excluded.fault`;

async function upsertRollout(q: Queryable, r: RolloutRecord): Promise<void> {
  const row = rolloutRow(r);
  await q.query(
    UPSERT_ROLLOUT,
    ROLLOUT_COLUMNS.map((c) => row[c]),
  );
}

async function writeDevices(q: Queryable, id: string, list: readonly DeviceAssignment[]): Promise<void> {
  // One row per device, the last given winning (one INSERT ... ON CONFLICT may not touch a row twice).
  const rows = [...new Map(list.map((a) => [a.deviceId, a] as const)).values()];
  if (rows.length === 0) return;
  await q.query(UPSERT_DEVICES, [
    id,
    rows.map((a) => a.deviceId),
    rows.map((a) => a.wave),
    rows.map((a) => a.state),
    rows.map((a) => a.model),
    rows.map((a) => a.applied ?? null),
    rows.map((a) => a.disruptiveAt ?? null),
    rows.map((a) => (a.fault === undefined ? null : JSON.stringify(a.fault))),
  ]);
}

async function event(q: Queryable, id: string, e: RolloutEvent): Promise<void> {
  await q.query("INSERT INTO rollout_events (rollout_id, at, kind, message) VALUES ($1, $2, $3, $4)", [id, e.at, e.kind, e.message]);
}

/** `close()` ends the pool only when `ownsPool` (a pool shared with the device store is closed by it). */
export function pgRolloutStore(pool: PgPool, ownsPool = false): RolloutStore {
  return {
    listRollouts: async () => (await pool.query<RolloutRow>("SELECT * FROM rollouts ORDER BY created_at, id")).rows.map(toRecord),
    loadAssignments: async (id) =>
      (
        await pool.query<AssignmentRow>("SELECT device_id, wave, state, model, applied, disruptive_at, fault FROM rollout_devices WHERE rollout_id = $1", [id])
      ).rows.map(toAssignment),
    createRollout: (r, list, e, superseded) =>
      pool.transaction(async (q) => {
        for (const s of superseded) await upsertRollout(q, s);
        await upsertRollout(q, r);
        await writeDevices(q, r.id, list);
        await event(q, r.id, e);
      }),
    updateRollout: (r, e, list) =>
      pool.transaction(async (q) => {
        await upsertRollout(q, r);
        if (e) await event(q, r.id, e);
        if (list) await writeDevices(q, r.id, list);
      }),
    updateAssignments: async (id, list) => {
      if (list.length > 0) await pool.transaction((q) => writeDevices(q, id, list));
    },
    events: async (id, limit) =>
      (
        await pool.query<{ at: number; kind: string; message: string }>(
          "SELECT at, kind, message FROM (SELECT id, at, kind, message FROM rollout_events WHERE rollout_id = $1 ORDER BY id DESC LIMIT $2) e ORDER BY id",
          [id, limit],
        )
      ).rows as RolloutEvent[],
    saveVersion: async (v: StoredVersion) =>
      void (await pool.query(
        "INSERT INTO policy_versions (revision, sources) VALUES ($1, $2) ON CONFLICT (revision) DO UPDATE SET sources = excluded.sources",
        [v.revision, JSON.stringify(v.sources)],
      )),
    loadVersion: async (revision) => {
      const r = (await pool.query<{ sources: string }>("SELECT sources FROM policy_versions WHERE revision = $1", [revision])).rows[0];
      return r === undefined ? undefined : { revision, sources: JSON.parse(r.sources) as StoredVersion["sources"] };
    },
    getMeta: async (key) => (await pool.query<{ value: string }>("SELECT value FROM rollout_meta WHERE key = $1", [key])).rows[0]?.value,
    setMeta: async (key, value) =>
      void (await pool.query("INSERT INTO rollout_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [key, value])),
    close: async () => {
      if (ownsPool) await pool.end();
    },
  };
}
