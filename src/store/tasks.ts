import type { DeviceId } from "../domain/device.js";
import type { AcsRequest } from "../cwmp/types.js";
import type { Database } from "./db.js";
import { fromJson, fromJsonOr } from "./json.js";
import type { TaskRecord, TaskState } from "../domain/store.js";

/** Operator tasks ("reboot now", "refresh this subtree") queued for a device's next session. */
export interface TasksRepo {
  queue(dev: number, id: DeviceId, request: AcsRequest, now: number, queuedBy: string | undefined): TaskRecord;
  /** The audit trail across devices, newest first: tasks queued by `queuedBy` (any when undefined), ids below `before`. */
  audit(filter: TaskAuditFilter): readonly TaskRecord[];
  pending(dev: number, id: DeviceId): readonly TaskRecord[];
  list(dev: number, id: DeviceId, limit: number): readonly TaskRecord[];
  /** Sets a task's outcome; throws if the task does not exist or belongs to another device. */
  finish(dev: number, taskId: number, state: TaskState, outcome: unknown, at: number): void;
}

export interface TaskAuditFilter {
  readonly queuedBy?: string;
  readonly before?: number;
  readonly limit: number;
}

export interface TaskRow {
  readonly id: number;
  readonly request: string;
  readonly state: TaskState;
  readonly created_at: number;
  readonly done_at: number | null;
  readonly outcome: string | null;
  readonly queued_by: string | null;
}

export function tasksRepo(db: Database, keepFinished: number): TasksRepo {
  const s = statements(db);
  return {
    queue(dev, id, request, now, queuedBy) {
      const taskId = Number(s.insert.run(dev, JSON.stringify(request), now, queuedBy ?? null).lastInsertRowid);
      s.prune.run({ dev, keep: keepFinished });
      return { id: taskId, deviceId: id, request, state: "pending", createdAt: now, doneAt: undefined, outcome: undefined, queuedBy };
    },
    audit: (f) =>
      s.audit.all({ by: f.queuedBy ?? null, before: f.before ?? Number.MAX_SAFE_INTEGER, limit: f.limit }).map((r) => toRecord(r, r.device as DeviceId)),
    pending: (dev, id) => s.pending.all(dev).map((r) => toRecord(r, id)),
    list: (dev, id, limit) => s.list.all(dev, limit).map((r) => toRecord(r, id)),
    finish(dev, taskId, state, outcome, at) {
      const changed = s.finish.run(state, at, outcome === undefined ? null : JSON.stringify(outcome), taskId, dev).changes;
      if (changed !== 1) throw new Error(`no task ${taskId} for this device`);
    },
  };
}

function statements(db: Database) {
  const columns = "id, request, state, created_at, done_at, outcome, queued_by";
  return {
    insert: db.prepare<[number, string, number, string | null]>(
      "INSERT INTO tasks (dev, request, state, created_at, queued_by) VALUES (?, ?, 'pending', ?, ?)",
    ),
    audit: db.prepare<{ by: string | null; before: number; limit: number }, TaskRow & { readonly device: string }>(
      `SELECT t.id, t.request, t.state, t.created_at, t.done_at, t.outcome, t.queued_by, d.id AS device FROM tasks t JOIN devices d ON d.dev = t.dev
       WHERE (@by IS NULL OR t.queued_by = @by) AND t.id < @before ORDER BY t.id DESC LIMIT @limit`,
    ),
    // Finished tasks beyond the newest `keep` of a device are history nobody reads; pending ones are never pruned.
    prune: db.prepare<{ dev: number; keep: number }>(
      `DELETE FROM tasks WHERE dev = @dev AND state <> 'pending' AND id < (
         SELECT id FROM tasks WHERE dev = @dev AND state <> 'pending' ORDER BY id DESC LIMIT 1 OFFSET @keep - 1)`,
    ),
    pending: db.prepare<[number], TaskRow>(`SELECT ${columns} FROM tasks WHERE dev = ? AND state = 'pending' ORDER BY id`),
    list: db.prepare<[number, number], TaskRow>(`SELECT ${columns} FROM tasks WHERE dev = ? ORDER BY id DESC LIMIT ?`),
    finish: db.prepare<[TaskState, number, string | null, number, number]>("UPDATE tasks SET state = ?, done_at = ?, outcome = ? WHERE id = ? AND dev = ?"),
  };
}

export function toRecord(r: TaskRow, deviceId: DeviceId): TaskRecord {
  return {
    id: r.id,
    deviceId,
    request: fromJson<AcsRequest>(r.request),
    state: r.state,
    createdAt: r.created_at,
    doneAt: r.done_at ?? undefined,
    outcome: fromJsonOr<unknown>(r.outcome, undefined),
    queuedBy: r.queued_by ?? undefined,
  };
}
