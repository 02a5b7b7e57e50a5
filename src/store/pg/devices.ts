/** Devices in PostgreSQL: facts, tags, status mirrors and search (same semantics as src/store/devices.ts). */
import type { DeviceId } from "../../domain/device.js";
import type { DeviceFacts, InformEvent } from "../../domain/facts.js";
import type { DeviceStatus } from "../../domain/status.js";
import { LeaseLostError, type DeviceFilter, type DeviceRecord, type LeaseFence } from "../../domain/store.js";
import { CHANGED_FACTS, factsParams, toRecord, type DeviceRow } from "../devices.js";
import { fromJson } from "../json.js";
import { statusColumns } from "../status.js";
import { fenceCte, fenceValues } from "./fence.js";
import type { Queryable } from "./pool.js";
import { DEVICE_COLUMNS, WINDOW_END_PG, WITH_VISITS, countPg, searchPg } from "./search.js";

const INSERT_COLUMNS = ["id", ...CHANGED_FACTS, "data_model", "last_boot"] as const;
const N = INSERT_COLUMNS.length;
const PARAMS = INSERT_COLUMNS.map((_, i) => `$${i + 1}`).join(", ");

// One statement per Inform: insert a new device, or update a known one (first_seen kept, last_boot and
// data_model only when this Inform says so), and its visit ($N+1 the time, $N+2 the events: PG migration 60).
const upsertDevice = (source: string): string => `INSERT INTO devices (${INSERT_COLUMNS.join(", ")}, first_seen) ${source}
ON CONFLICT (id) DO UPDATE SET ${CHANGED_FACTS.map((c) => `${c} = excluded.${c}`).join(", ")},
  last_boot = COALESCE(excluded.last_boot, devices.last_boot), data_model = COALESCE(excluded.data_model, devices.data_model)
RETURNING dev`;
const VISIT = `visit AS (INSERT INTO device_visits (dev, last_inform, last_events) SELECT dev, $${N + 1}::bigint, $${N + 2}::text FROM up
  ON CONFLICT (dev) DO UPDATE SET last_inform = excluded.last_inform, last_events = excluded.last_events)`;
const UPSERT_FACTS = `WITH up AS (${upsertDevice(`VALUES (${PARAMS}, $${N + 1})`)}), ${VISIT} SELECT dev FROM up`;

// The same, fenced by the device's lease (fence.ts): nothing inserted or updated unless this session holds it.
const FENCED_UPSERT_FACTS = `WITH ${fenceCte(N + 3)}, up AS (${upsertDevice(`SELECT ${PARAMS}, $${N + 1} WHERE EXISTS (SELECT 1 FROM fence)`)}), ${VISIT}
SELECT dev FROM up`;

const FENCED_FIND_DEV = `WITH ${fenceCte(2)} SELECT (SELECT dev FROM devices WHERE id = $1) AS dev, EXISTS (SELECT 1 FROM fence) AS held`;

const UPDATE_STATUS = `UPDATE devices SET status = $2, applied_revision = $3, attempted_revision = $4, c_matched = $5,
  c_converged = $6, c_drifted = $7, c_faulted = $8, c_pending = $9 WHERE dev = $1 AND status IS DISTINCT FROM $2 RETURNING id`;

const CONDITION_COUNTS = `SELECT count(*) FILTER (WHERE c_converged = 1) AS converged, count(*) FILTER (WHERE c_converged = 0) AS not_converged,
  count(*) FILTER (WHERE c_converged IS NULL) AS unknown, count(*) FILTER (WHERE c_drifted = 1) AS drifted,
  count(*) FILTER (WHERE c_faulted = 1) AS faulted, count(*) FILTER (WHERE c_pending = 1) AS pending FROM devices`;

export async function findDev(q: Queryable, id: DeviceId): Promise<number | undefined> {
  const r = await q.query<{ dev: number }>("SELECT dev FROM devices WHERE id = $1", [id]);
  return r.rows[0]?.dev;
}

/** The device's `dev` in a fenced step's transaction (the fence checked and renewed by the same statement). */
export async function findDevFenced(q: Queryable, id: DeviceId, fence: LeaseFence): Promise<number | undefined> {
  const r = await q.query<{ dev: number | null; held: boolean }>(FENCED_FIND_DEV, [id, ...fenceValues(fence)]);
  if (r.rows[0]?.held !== true) throw new LeaseLostError(id, fence.session);
  return r.rows[0].dev ?? undefined;
}

export async function upsertFacts(
  q: Queryable,
  facts: DeviceFacts,
  events: readonly InformEvent[],
  now: number,
  booted: boolean,
  fence?: LeaseFence,
): Promise<number> {
  const p = factsParams(facts, events, now, booted);
  const values = [...INSERT_COLUMNS.map((c) => p[c]), now, p.last_events];
  const r = fence
    ? await q.query<{ dev: number }>(FENCED_UPSERT_FACTS, [...values, ...fenceValues(fence)])
    : await q.query<{ dev: number }>(UPSERT_FACTS, values);
  const dev = r.rows[0]?.dev;
  // The upsert returns its row whatever it did: no row means the fence held it off.
  if (dev === undefined && fence) throw new LeaseLostError(facts.deviceId, fence.session);
  if (dev === undefined) throw new Error(`device ${facts.deviceId}: upsert returned no row`);
  return dev;
}

export async function getDevice(q: Queryable, id: DeviceId): Promise<DeviceRecord | undefined> {
  const r = await q.query<DeviceRow>(`SELECT ${DEVICE_COLUMNS} FROM devices d ${WITH_VISITS} WHERE d.id = $1`, [id]);
  const row = r.rows[0];
  return row === undefined ? undefined : toRecord(row);
}

export async function listDevices(
  q: Queryable,
  filter: DeviceFilter,
): Promise<{ readonly devices: readonly DeviceRecord[]; readonly next: string | undefined }> {
  const windowEnd = filter.reported !== undefined ? (await q.query<{ id: string }>(WINDOW_END_PG, [filter.after ?? ""])).rows[0]?.id : undefined;
  const s = searchPg(filter, windowEnd);
  const rows = (await q.query<DeviceRow>(s.text, s.values)).rows;
  const page = rows.slice(0, filter.limit);
  const last = page.at(-1);
  const next = rows.length > filter.limit && last !== undefined ? last.id : windowEnd;
  return { devices: page.map(toRecord), next };
}

export async function countMatching(q: Queryable, filter: DeviceFilter): Promise<number | undefined> {
  const s = countPg(filter);
  if (s === undefined) return undefined;
  return (await q.query<{ n: number }>(s.text, s.values)).rows[0]?.n ?? 0;
}

export async function countDevices(q: Queryable): Promise<number> {
  return (await q.query<{ n: number }>("SELECT count(*) AS n FROM devices")).rows[0]?.n ?? 0;
}

export async function countByCondition(q: Queryable): Promise<Readonly<Record<string, number>>> {
  const row = (await q.query<Record<string, number>>(CONDITION_COUNTS)).rows[0] ?? {};
  return Object.fromEntries(["converged", "not_converged", "unknown", "drifted", "faulted", "pending"].map((k) => [k, row[k] ?? 0]));
}

export async function countByPolicy(q: Queryable): Promise<Readonly<Record<string, number>>> {
  const r = await q.query<{ policy: string; n: number }>("SELECT policy, count(*) AS n FROM device_policies GROUP BY policy");
  return Object.fromEntries(r.rows.map((x) => [x.policy, x.n]));
}

export async function idsAfter(q: Queryable, after: string, limit: number): Promise<readonly DeviceId[]> {
  const r = await q.query<{ id: string }>("SELECT id FROM devices WHERE id > $1 ORDER BY id LIMIT $2", [after, limit]);
  return r.rows.map((x) => x.id as DeviceId);
}

export async function setParameterKey(q: Queryable, dev: number, value: string): Promise<void> {
  await q.query("UPDATE devices SET parameter_key = $1 WHERE dev = $2", [value, dev]);
}

export async function setStatus(q: Queryable, dev: number, status: DeviceStatus): Promise<void> {
  const c = statusColumns(status);
  const r = await q.query<{ id: string }>(UPDATE_STATUS, [
    dev,
    c.status,
    c.applied_revision,
    c.attempted_revision,
    c.c_matched,
    c.c_converged,
    c.c_drifted,
    c.c_faulted,
    c.c_pending,
  ]);
  // An unchanged status wrote nothing; a changed one re-mirrors its matched policies.
  const id = r.rows[0]?.id;
  if (id === undefined) return;
  await q.query("DELETE FROM device_policies WHERE id = $1", [id]);
  const policies = [...new Set(status.matchedPolicies)];
  if (policies.length > 0)
    await q.query("INSERT INTO device_policies (policy, id) SELECT p, $2 FROM unnest($1::text[]) AS p ON CONFLICT DO NOTHING", [policies, id]);
}

export async function setTags(q: Queryable, dev: number, id: DeviceId, add: readonly string[], remove: readonly string[]): Promise<void> {
  const row = (await q.query<{ tags: string }>("SELECT tags FROM devices WHERE dev = $1 FOR UPDATE", [dev])).rows[0];
  if (row === undefined) throw new Error(`unknown device ${id}`);
  const tags = new Set(fromJson<string[]>(row.tags));
  const removed = remove.filter((t) => tags.delete(t));
  const added: string[] = [];
  for (const t of add) {
    if (tags.has(t)) continue;
    tags.add(t);
    added.push(t);
  }
  if (removed.length > 0) await q.query("DELETE FROM device_tags WHERE id = $1 AND tag = ANY($2::text[])", [id, removed]);
  if (added.length > 0) await q.query("INSERT INTO device_tags (tag, id) SELECT t, $2 FROM unnest($1::text[]) AS t ON CONFLICT DO NOTHING", [added, id]);
  await q.query("UPDATE devices SET tags = $1 WHERE dev = $2", [JSON.stringify([...tags].sort()), dev]);
}
