/**
 * The SQLite adapter of the rollout store port (src/rollout/store-port.ts). Own connection to the same database
 * file (WAL), so the device store's hot path is not touched; an in-memory database (tests) gets its own.
 */
import type { RolloutStore, StoredVersion } from "../rollout/store-port.js";
import type {
  DeviceAssignment,
  DeviceRolloutState,
  FaultSummary,
  PauseReason,
  RolloutEvent,
  RolloutRecord,
  RolloutState,
  StagedStrategy,
} from "../rollout/types.js";
import type { Database } from "./db.js";

export interface RolloutRow {
  id: string;
  policy: string;
  stable_revision: string | null;
  canary_revision: string;
  stable_fp: string | null;
  canary_fp: string;
  strategy: string;
  state: string;
  wave: number;
  wave_started_at: number;
  created_at: number;
  updated_at: number;
  reason: string | null;
  superseded_by: string | null;
}

export interface AssignmentRow {
  device_id: string;
  wave: number;
  state: string;
  model: string;
  applied: string | null;
  disruptive_at: number | null;
  fault: string | null;
}

export const toRecord = (r: RolloutRow): RolloutRecord => ({
  id: r.id,
  policy: r.policy,
  stableRevision: r.stable_revision ?? undefined,
  canaryRevision: r.canary_revision,
  stableFingerprint: r.stable_fp ?? undefined,
  canaryFingerprint: r.canary_fp,
  strategy: JSON.parse(r.strategy) as StagedStrategy,
  state: r.state as RolloutState,
  wave: r.wave,
  waveStartedAt: r.wave_started_at,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  reason: r.reason === null ? undefined : (JSON.parse(r.reason) as PauseReason),
  supersededBy: r.superseded_by ?? undefined,
});

export const toAssignment = (r: AssignmentRow): DeviceAssignment => ({
  deviceId: r.device_id,
  wave: r.wave,
  state: r.state as DeviceRolloutState,
  model: r.model,
  applied: r.applied ?? undefined,
  disruptiveAt: r.disruptive_at ?? undefined,
  fault: r.fault === null ? undefined : (JSON.parse(r.fault) as FaultSummary),
});

/** A record as its row (the columns both adapters store). */
export const rolloutRow = (r: RolloutRecord): RolloutRow => ({
  id: r.id,
  policy: r.policy,
  stable_revision: r.stableRevision ?? null,
  canary_revision: r.canaryRevision,
  stable_fp: r.stableFingerprint ?? null,
  canary_fp: r.canaryFingerprint,
  strategy: JSON.stringify(r.strategy),
  state: r.state,
  wave: r.wave,
  wave_started_at: r.waveStartedAt,
  created_at: r.createdAt,
  updated_at: r.updatedAt,
  reason: r.reason === undefined ? null : JSON.stringify(r.reason),
  superseded_by: r.supersededBy ?? null,
});

export function sqliteRolloutStore(db: Database): RolloutStore {
  const upsertRollout = db.prepare(
    `INSERT INTO rollouts (id, policy, stable_revision, canary_revision, stable_fp, canary_fp, strategy, state, wave, wave_started_at, created_at, updated_at, reason, superseded_by)
     VALUES (@id, @policy, @stable_revision, @canary_revision, @stable_fp, @canary_fp, @strategy, @state, @wave, @wave_started_at, @created_at, @updated_at, @reason, @superseded_by)
     ON CONFLICT (id) DO UPDATE SET state = excluded.state, wave = excluded.wave, wave_started_at = excluded.wave_started_at,
       updated_at = excluded.updated_at, reason = excluded.reason, superseded_by = excluded.superseded_by, strategy = excluded.strategy`,
  );
  const upsertDevice = db.prepare(
    `INSERT INTO rollout_devices (rollout_id, device_id, wave, state, model, applied, disruptive_at, fault)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (rollout_id, device_id) DO UPDATE SET wave = excluded.wave, state = excluded.state, applied = excluded.applied,
       disruptive_at = excluded.disruptive_at, fault = excluded.fault`,
  );
  const insertEvent = db.prepare("INSERT INTO rollout_events (rollout_id, at, kind, message) VALUES (?, ?, ?, ?)");
  const selectRollouts = db.prepare("SELECT * FROM rollouts ORDER BY created_at, id");
  const selectDevices = db.prepare("SELECT device_id, wave, state, model, applied, disruptive_at, fault FROM rollout_devices WHERE rollout_id = ?");
  const selectEvents = db.prepare(
    "SELECT at, kind, message FROM (SELECT id, at, kind, message FROM rollout_events WHERE rollout_id = ? ORDER BY id DESC LIMIT ?) ORDER BY id",
  );
  const upsertVersion = db.prepare(
    "INSERT INTO policy_versions (revision, sources) VALUES (?, ?) ON CONFLICT (revision) DO UPDATE SET sources = excluded.sources",
  );
  const selectVersion = db.prepare("SELECT sources FROM policy_versions WHERE revision = ?");
  const selectMeta = db.prepare("SELECT value FROM rollout_meta WHERE key = ?");
  const upsertMeta = db.prepare("INSERT INTO rollout_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value");

  const writeDevices = (id: string, list: readonly DeviceAssignment[]): void => {
    for (const a of list)
      upsertDevice.run(
        id,
        a.deviceId,
        a.wave,
        a.state,
        a.model,
        a.applied ?? null,
        a.disruptiveAt ?? null,
        a.fault === undefined ? null : JSON.stringify(a.fault),
      );
  };
  const event = (id: string, e: RolloutEvent): void => void insertEvent.run(id, e.at, e.kind, e.message);

  const create = db.transaction((r: RolloutRecord, list: readonly DeviceAssignment[], e: RolloutEvent, superseded: readonly RolloutRecord[]) => {
    for (const s of superseded) upsertRollout.run(rolloutRow(s));
    upsertRollout.run(rolloutRow(r));
    writeDevices(r.id, list);
    event(r.id, e);
  });
  const update = db.transaction((r: RolloutRecord, e: RolloutEvent | undefined, list: readonly DeviceAssignment[] | undefined) => {
    upsertRollout.run(rolloutRow(r));
    if (e) event(r.id, e);
    if (list) writeDevices(r.id, list);
  });
  const devices = db.transaction((id: string, list: readonly DeviceAssignment[]) => writeDevices(id, list));

  return {
    listRollouts: async () => (selectRollouts.all() as RolloutRow[]).map(toRecord),
    loadAssignments: async (id) => (selectDevices.all(id) as AssignmentRow[]).map(toAssignment),
    createRollout: async (r, list, e, superseded) => void create(r, list, e, superseded),
    updateRollout: async (r, e, list) => void update(r, e, list),
    updateAssignments: async (id, list) => void (list.length > 0 ? devices(id, list) : undefined),
    events: async (id, limit) => selectEvents.all(id, limit) as RolloutEvent[],
    saveVersion: async (v: StoredVersion) => void upsertVersion.run(v.revision, JSON.stringify(v.sources)),
    loadVersion: async (revision) => {
      const r = selectVersion.get(revision) as { sources: string } | undefined;
      return r === undefined ? undefined : { revision, sources: JSON.parse(r.sources) as StoredVersion["sources"] };
    },
    getMeta: async (key) => (selectMeta.get(key) as { value: string } | undefined)?.value,
    setMeta: async (key, value) => void upsertMeta.run(key, value),
    close: async () => void db.close(),
  };
}
