/** Tasks, faults, transcripts and secrets in PostgreSQL (same semantics as their SQLite repos in src/store/). */
import { deflateRawSync, inflateRawSync } from "node:zlib";
import type { AcsRequest } from "../../cwmp/types.js";
import type { DeviceId } from "../../domain/device.js";
import type { FaultRecord, FaultWrite, TaskRecord, TaskState, TranscriptEntry } from "../../domain/store.js";
import { toRecord as faultRecord, type FaultRow } from "../faults.js";
import { fromJson } from "../json.js";
import { toRecord as taskRecord, type TaskRow } from "../tasks.js";
import type { Queryable } from "./pool.js";

const TASK_COLUMNS = "id, request, state, created_at, done_at, outcome, queued_by";

export async function queueTask(
  q: Queryable,
  dev: number,
  id: DeviceId,
  request: AcsRequest,
  now: number,
  queuedBy: string | undefined,
  keepFinished: number,
): Promise<TaskRecord> {
  const r = await q.query<{ id: number }>("INSERT INTO tasks (dev, request, state, created_at, queued_by) VALUES ($1, $2, 'pending', $3, $4) RETURNING id", [
    dev,
    JSON.stringify(request),
    now,
    queuedBy ?? null,
  ]);
  // Finished tasks beyond the newest `keep` of a device are history nobody reads; pending ones are never pruned.
  await q.query(
    `DELETE FROM tasks WHERE dev = $1 AND state <> 'pending' AND id < (
       SELECT id FROM tasks WHERE dev = $1 AND state <> 'pending' ORDER BY id DESC LIMIT 1 OFFSET ($2::int - 1))`,
    [dev, keepFinished],
  );
  const taskId = r.rows[0]?.id;
  if (taskId === undefined) throw new Error("task insert returned no id");
  return { id: taskId, deviceId: id, request, state: "pending", createdAt: now, doneAt: undefined, outcome: undefined, queuedBy };
}

export async function auditTasks(
  q: Queryable,
  f: { readonly queuedBy?: string; readonly before?: number; readonly limit: number },
): Promise<readonly TaskRecord[]> {
  const r = await q.query<TaskRow & { device: string }>(
    `SELECT t.id, t.request, t.state, t.created_at, t.done_at, t.outcome, t.queued_by, d.id AS device FROM tasks t JOIN devices d ON d.dev = t.dev
     WHERE ($1::text IS NULL OR t.queued_by = $1) AND t.id < $2 ORDER BY t.id DESC LIMIT $3`,
    [f.queuedBy ?? null, f.before ?? Number.MAX_SAFE_INTEGER, f.limit],
  );
  return r.rows.map((x) => taskRecord(x, x.device as DeviceId));
}

export async function pendingTasks(q: Queryable, dev: number, id: DeviceId): Promise<readonly TaskRecord[]> {
  const r = await q.query<TaskRow>(`SELECT ${TASK_COLUMNS} FROM tasks WHERE dev = $1 AND state = 'pending' ORDER BY id`, [dev]);
  return r.rows.map((x) => taskRecord(x, id));
}

export async function listTasks(q: Queryable, dev: number, id: DeviceId, limit: number): Promise<readonly TaskRecord[]> {
  const r = await q.query<TaskRow>(`SELECT ${TASK_COLUMNS} FROM tasks WHERE dev = $1 ORDER BY id DESC LIMIT $2`, [dev, limit]);
  return r.rows.map((x) => taskRecord(x, id));
}

export async function finishTask(q: Queryable, dev: number, taskId: number, state: TaskState, outcome: unknown, at: number): Promise<void> {
  const r = await q.query("UPDATE tasks SET state = $1, done_at = $2, outcome = $3 WHERE id = $4 AND dev = $5", [
    state,
    at,
    outcome === undefined ? null : JSON.stringify(outcome),
    taskId,
    dev,
  ]);
  if (r.rowCount !== 1) throw new Error(`no task ${taskId} for this device`);
}

export async function addFault(q: Queryable, dev: number, f: FaultWrite, keep: number): Promise<void> {
  await q.query("INSERT INTO faults (dev, code, message, path, policy, session_id, retryable, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)", [
    dev,
    f.code,
    f.message,
    f.path ?? null,
    f.policy ?? null,
    f.sessionId ?? null,
    f.retryable,
    f.at,
  ]);
  await q.query(`DELETE FROM faults WHERE dev = $1 AND id < (SELECT id FROM faults WHERE dev = $1 ORDER BY id DESC LIMIT 1 OFFSET ($2::int - 1))`, [dev, keep]);
}

export async function clearFaults(q: Queryable, dev: number, paths: readonly string[]): Promise<void> {
  if (paths.length > 0) await q.query("DELETE FROM faults WHERE dev = $1 AND path = ANY($2::text[])", [dev, [...paths]]);
}

export async function listFaults(q: Queryable, dev: number, id: DeviceId, limit: number): Promise<readonly FaultRecord[]> {
  const r = await q.query<FaultRow>(
    "SELECT id, code, message, path, policy, session_id, retryable::int AS retryable, at FROM faults WHERE dev = $1 ORDER BY id DESC LIMIT $2",
    [dev, limit],
  );
  return r.rows.map((x) => faultRecord(x, id));
}

/** Saving the same session again replaces its entries and makes it the newest; the newest `keep` per device stay. */
export async function saveTranscript(
  q: Queryable,
  dev: number,
  sessionId: string,
  entries: readonly TranscriptEntry[],
  at: number,
  keep: number,
): Promise<void> {
  await q.query(
    `INSERT INTO transcripts (session_id, dev, at, entries) VALUES ($1, $2, $3, $4)
     ON CONFLICT (session_id) DO UPDATE SET seq = nextval('transcripts_seq'), dev = excluded.dev, at = excluded.at, entries = excluded.entries`,
    [sessionId, dev, at, deflateRawSync(JSON.stringify(entries))],
  );
  await q.query(
    `DELETE FROM transcripts WHERE dev = $1 AND seq < (SELECT seq FROM transcripts WHERE dev = $1 ORDER BY seq DESC LIMIT 1 OFFSET ($2::int - 1))`,
    [dev, keep],
  );
}

export async function getTranscript(q: Queryable, dev: number, sessionId: string): Promise<readonly TranscriptEntry[] | undefined> {
  const r = await q.query<{ entries: Buffer }>("SELECT entries FROM transcripts WHERE session_id = $1 AND dev = $2", [sessionId, dev]);
  const blob = r.rows[0]?.entries;
  return blob === undefined ? undefined : fromJson<TranscriptEntry[]>(inflateRawSync(blob).toString("utf8"));
}

export async function setSecret(q: Queryable, id: DeviceId, name: string, value: string): Promise<void> {
  await q.query("INSERT INTO secrets (device_id, name, value) VALUES ($1, $2, $3) ON CONFLICT (device_id, name) DO UPDATE SET value = excluded.value", [
    id,
    name,
    value,
  ]);
}

export async function getSecret(q: Queryable, id: DeviceId, name: string): Promise<string | undefined> {
  const r = await q.query<{ value: string }>("SELECT value FROM secrets WHERE device_id = $1 AND name = $2", [id, name]);
  return r.rows[0]?.value;
}

export async function getSecrets(q: Queryable, id: DeviceId): Promise<ReadonlyMap<string, string>> {
  const r = await q.query<{ name: string; value: string }>("SELECT name, value FROM secrets WHERE device_id = $1", [id]);
  return new Map(r.rows.map((x) => [x.name, x.value]));
}
