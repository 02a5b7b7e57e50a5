import type { DeviceId } from "../domain/device.js";
import type { Database } from "./db.js";
import { fromJson } from "./json.js";
import type { SessionRecord } from "../domain/store.js";

export interface SessionsRepo {
  /** A finished session in one row, without pruning (the batch prunes once per device: `prune`). Sessions
   * in progress live in memory (GET /api/sessions); the log holds ended ones only. */
  insertFinished(
    dev: number,
    s: {
      readonly id: string;
      readonly startedAt: number;
      readonly endedAt: number;
      readonly outcome: string;
      readonly rpcCount: number;
      readonly events: readonly string[];
      readonly revision: string | undefined;
    },
  ): void;
  prune(dev: number): void;
  list(dev: number, deviceId: DeviceId, limit: number): readonly SessionRecord[];
}

export interface SessionRow {
  readonly id: string;
  readonly started_at: number;
  readonly ended_at: number | null;
  readonly outcome: string;
  readonly rpc_count: number;
  readonly events: string;
  readonly revision: string | null;
}

export function sessionsRepo(db: Database, keepPerDevice: number): SessionsRepo {
  const s = statements(db);
  return {
    insertFinished(dev, x) {
      s.insertFinished.run(x.id, dev, x.startedAt, x.endedAt, x.outcome, x.rpcCount, JSON.stringify(x.events), x.revision ?? null);
    },
    prune: (dev) => void s.prune.run({ dev, keep: keepPerDevice }),
    list: (dev, deviceId, limit) => s.list.all(dev, limit).map((r) => toRecord(r, deviceId)),
  };
}

function statements(db: Database) {
  return {
    insertFinished: db.prepare<[string, number, number, number, string, number, string, string | null]>(
      "INSERT INTO sessions (id, dev, started_at, ended_at, outcome, rpc_count, events, revision) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    ),
    // Keeps the newest `keep` sessions of the device (one row per Inform otherwise grows without bound).
    prune: db.prepare<{ dev: number; keep: number }>(
      `DELETE FROM sessions WHERE dev = @dev AND started_at < (
         SELECT started_at FROM sessions WHERE dev = @dev ORDER BY started_at DESC LIMIT 1 OFFSET @keep - 1)`,
    ),
    list: db.prepare<[number, number], SessionRow>(
      "SELECT id, started_at, ended_at, outcome, rpc_count, events, revision FROM sessions WHERE dev = ? ORDER BY started_at DESC, rowid DESC LIMIT ?",
    ),
  };
}

export function toRecord(r: SessionRow, deviceId: DeviceId): SessionRecord {
  return {
    id: r.id,
    deviceId,
    startedAt: r.started_at,
    endedAt: r.ended_at ?? undefined,
    outcome: r.outcome,
    rpcCount: r.rpc_count,
    events: fromJson<string[]>(r.events),
    revision: r.revision ?? undefined,
  };
}
