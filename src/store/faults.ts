import type { DeviceId } from "../domain/device.js";
import type { Database } from "./db.js";
import type { FaultRecord, FaultWrite } from "../domain/store.js";

/** Faults a device's sessions recorded (CWMP codes and the ACS's own named bounds), newest first. */
export interface FaultsRepo {
  add(dev: number, f: FaultWrite): void;
  /** Removes the faults recorded against these parameter paths (they succeeded since). */
  clear(dev: number, paths: readonly string[]): void;
  list(dev: number, deviceId: DeviceId, limit: number): readonly FaultRecord[];
}

export interface FaultRow {
  readonly id: number;
  readonly code: string;
  readonly message: string;
  readonly path: string | null;
  readonly policy: string | null;
  readonly session_id: string | null;
  readonly retryable: number;
  readonly at: number;
}

export function faultsRepo(db: Database, keepPerDevice: number): FaultsRepo {
  const s = statements(db);
  return {
    add(dev, f) {
      s.insert.run(dev, f.code, f.message, f.path ?? null, f.policy ?? null, f.sessionId ?? null, f.retryable ? 1 : 0, f.at);
      s.prune.run({ dev, keep: keepPerDevice });
    },
    clear(dev, paths) {
      for (const p of paths) s.clear.run(dev, p);
    },
    list: (dev, deviceId, limit) => s.list.all(dev, limit).map((r) => toRecord(r, deviceId)),
  };
}

function statements(db: Database) {
  return {
    insert: db.prepare<[number, string, string, string | null, string | null, string | null, number, number]>(
      "INSERT INTO faults (dev, code, message, path, policy, session_id, retryable, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    ),
    prune: db.prepare<{ dev: number; keep: number }>(
      `DELETE FROM faults WHERE dev = @dev AND id < (SELECT id FROM faults WHERE dev = @dev ORDER BY id DESC LIMIT 1 OFFSET @keep - 1)`,
    ),
    clear: db.prepare<[number, string]>("DELETE FROM faults WHERE dev = ? AND path = ?"),
    list: db.prepare<[number, number], FaultRow>(
      "SELECT id, code, message, path, policy, session_id, retryable, at FROM faults WHERE dev = ? ORDER BY id DESC LIMIT ?",
    ),
  };
}

export function toRecord(r: FaultRow, deviceId: DeviceId): FaultRecord {
  return {
    id: r.id,
    deviceId,
    code: r.code,
    message: r.message,
    path: r.path ?? undefined,
    policy: r.policy ?? undefined,
    sessionId: r.session_id ?? undefined,
    retryable: r.retryable === 1,
    at: r.at,
  };
}
