/**
 * Migration 5: staged rollouts (docs/rollouts.md).
 *
 * - `rollouts`: one row per rollout of one policy; strategy and pause reason as JSON.
 * - `rollout_devices`: the wave each device of a rollout was assigned when it started, and where it stands.
 * - `rollout_events`: the timeline (started, wave started, paused, resumed, promoted, aborted, completed).
 * - `policy_versions`: the sources of policy sets a rollout may still serve (the stable version after a restart).
 * - `rollout_meta`: small key/value facts (the last served revision).
 */
export const sql = `
CREATE TABLE rollouts (
  id              TEXT PRIMARY KEY,
  policy          TEXT NOT NULL,
  stable_revision TEXT,
  canary_revision TEXT NOT NULL,
  stable_fp       TEXT,
  canary_fp       TEXT NOT NULL,
  strategy        TEXT NOT NULL,
  state           TEXT NOT NULL,
  wave            INTEGER NOT NULL,
  wave_started_at INTEGER NOT NULL,
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL,
  reason          TEXT,
  superseded_by   TEXT
);
CREATE INDEX rollouts_by_policy ON rollouts (policy, created_at);
CREATE TABLE rollout_devices (
  rollout_id    TEXT NOT NULL REFERENCES rollouts (id) ON DELETE CASCADE,
  device_id     TEXT NOT NULL,
  wave          INTEGER NOT NULL,
  state         TEXT NOT NULL,
  model         TEXT NOT NULL,
  applied       TEXT,
  disruptive_at INTEGER,
  fault         TEXT,
  PRIMARY KEY (rollout_id, device_id)
) WITHOUT ROWID;
CREATE TABLE rollout_events (
  id         INTEGER PRIMARY KEY,
  rollout_id TEXT NOT NULL REFERENCES rollouts (id) ON DELETE CASCADE,
  at         INTEGER NOT NULL,
  kind       TEXT NOT NULL,
  message    TEXT NOT NULL
);
CREATE INDEX rollout_events_by_rollout ON rollout_events (rollout_id, id);
CREATE TABLE policy_versions (
  revision TEXT PRIMARY KEY,
  sources  TEXT NOT NULL
);
CREATE TABLE rollout_meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
`;
