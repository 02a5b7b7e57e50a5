/**
 * Migration 1: the initial schema.
 *
 * Space matters (100,000 devices x ~1,000 parameters): the per-parameter tables key on a small integer device
 * number (`devices.dev`) and an interned path number (`paths.id`, shared by every device of a model) instead of
 * repeating the device id and the full path text on every row, and store the xsd type as its index in
 * `XSD_TYPES`. Values are always TEXT: 64-bit counters never pass through a JS number.
 */
export const sql = `
CREATE TABLE devices (
  dev                INTEGER PRIMARY KEY,
  id                 TEXT NOT NULL UNIQUE,
  manufacturer       TEXT NOT NULL,
  oui                TEXT NOT NULL,
  product_class      TEXT NOT NULL,
  serial             TEXT NOT NULL,
  software_version   TEXT NOT NULL,
  hardware_version   TEXT NOT NULL,
  ip                 TEXT NOT NULL,
  cr_url             TEXT NOT NULL,
  udp_cr_addr        TEXT NOT NULL,
  parameter_key      TEXT NOT NULL,
  data_model         TEXT CHECK (data_model IN ('tr098', 'tr181')),
  first_seen         INTEGER NOT NULL,
  last_inform        INTEGER NOT NULL,
  last_boot          INTEGER,
  last_events        TEXT NOT NULL DEFAULT '[]',
  tags               TEXT NOT NULL DEFAULT '[]',
  status             TEXT,
  applied_revision   TEXT,
  attempted_revision TEXT,
  -- Condition statuses copied out of the status JSON so listDevices can filter on an index (NULL: not reported).
  c_matched          INTEGER,
  c_converged        INTEGER,
  c_drifted          INTEGER,
  c_faulted          INTEGER,
  c_pending          INTEGER
);
CREATE INDEX devices_by_product_class ON devices (product_class, id);
CREATE INDEX devices_by_software_version ON devices (software_version, id);
CREATE INDEX devices_by_matched ON devices (c_matched, id);
CREATE INDEX devices_by_converged ON devices (c_converged, id);
CREATE INDEX devices_by_drifted ON devices (c_drifted, id);
CREATE INDEX devices_by_faulted ON devices (c_faulted, id);
CREATE INDEX devices_by_pending ON devices (c_pending, id);

-- The filter index for tags; devices.tags (JSON) is what reads return.
CREATE TABLE device_tags (
  tag TEXT NOT NULL,
  id  TEXT NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
  PRIMARY KEY (tag, id)
) WITHOUT ROWID;

-- Interned parameter and object paths. Grow-only: rows are never deleted, so a cached id stays valid.
CREATE TABLE paths (
  id   INTEGER PRIMARY KEY,
  path TEXT NOT NULL UNIQUE
);

-- value NULL and observed_at NULL: the parameter is known to exist (GetParameterNames / attributes), value unread.
CREATE TABLE reported (
  dev          INTEGER NOT NULL REFERENCES devices (dev) ON DELETE CASCADE,
  path_id      INTEGER NOT NULL,
  value        TEXT,
  type         INTEGER,
  writable     INTEGER,
  notification INTEGER,
  observed_at  INTEGER,
  PRIMARY KEY (dev, path_id)
) WITHOUT ROWID;

CREATE TABLE objects (
  dev         INTEGER NOT NULL REFERENCES devices (dev) ON DELETE CASCADE,
  path_id     INTEGER NOT NULL,
  observed_at INTEGER NOT NULL,
  PRIMARY KEY (dev, path_id)
) WITHOUT ROWID;

CREATE TABLE discovered (
  dev         INTEGER NOT NULL REFERENCES devices (dev) ON DELETE CASCADE,
  path_id     INTEGER NOT NULL,
  observed_at INTEGER NOT NULL,
  PRIMARY KEY (dev, path_id)
) WITHOUT ROWID;

-- Inventory: what Converge itself did to the device.
CREATE TABLE created (
  dev        INTEGER NOT NULL REFERENCES devices (dev) ON DELETE CASCADE,
  table_path TEXT NOT NULL,
  instance   INTEGER NOT NULL,
  PRIMARY KEY (dev, table_path, instance)
) WITHOUT ROWID;

CREATE TABLE write_only (
  dev  INTEGER NOT NULL REFERENCES devices (dev) ON DELETE CASCADE,
  path TEXT NOT NULL,
  hash TEXT NOT NULL,
  PRIMARY KEY (dev, path)
) WITHOUT ROWID;

CREATE TABLE backoff (
  dev      INTEGER NOT NULL REFERENCES devices (dev) ON DELETE CASCADE,
  path     TEXT NOT NULL,
  until    INTEGER NOT NULL,
  code     INTEGER NOT NULL,
  attempts INTEGER NOT NULL,
  PRIMARY KEY (dev, path)
) WITHOUT ROWID;

CREATE TABLE downloads (
  dev         INTEGER PRIMARY KEY REFERENCES devices (dev) ON DELETE CASCADE,
  command_key TEXT NOT NULL,
  version     TEXT NOT NULL,
  started_at  INTEGER NOT NULL
);

CREATE TABLE tasks (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  dev        INTEGER NOT NULL REFERENCES devices (dev) ON DELETE CASCADE,
  request    TEXT NOT NULL,
  state      TEXT NOT NULL CHECK (state IN ('pending', 'done', 'fault', 'expired')),
  created_at INTEGER NOT NULL,
  done_at    INTEGER,
  outcome    TEXT
);
CREATE INDEX tasks_by_device ON tasks (dev, id);

CREATE TABLE sessions (
  id         TEXT PRIMARY KEY,
  dev        INTEGER NOT NULL REFERENCES devices (dev) ON DELETE CASCADE,
  started_at INTEGER NOT NULL,
  ended_at   INTEGER,
  outcome    TEXT NOT NULL,
  rpc_count  INTEGER NOT NULL,
  events     TEXT NOT NULL,
  revision   TEXT
);
CREATE INDEX sessions_by_device ON sessions (dev, started_at);

CREATE TABLE faults (
  id         INTEGER PRIMARY KEY,
  dev        INTEGER NOT NULL REFERENCES devices (dev) ON DELETE CASCADE,
  code       TEXT NOT NULL,
  message    TEXT NOT NULL,
  path       TEXT,
  policy     TEXT,
  session_id TEXT,
  retryable  INTEGER NOT NULL,
  at         INTEGER NOT NULL
);
CREATE INDEX faults_by_device ON faults (dev, id);

-- entries: deflate-raw compressed JSON (transcripts hold whole SOAP bodies).
CREATE TABLE transcripts (
  seq        INTEGER PRIMARY KEY,
  session_id TEXT NOT NULL UNIQUE,
  dev        INTEGER NOT NULL REFERENCES devices (dev) ON DELETE CASCADE,
  at         INTEGER NOT NULL,
  entries    BLOB NOT NULL
);
CREATE INDEX transcripts_by_device ON transcripts (dev, seq);

-- Keyed by the device id text, not dev: credentials may be provisioned before the device first informs.
CREATE TABLE secrets (
  device_id TEXT NOT NULL,
  name      TEXT NOT NULL,
  value     TEXT NOT NULL,
  PRIMARY KEY (device_id, name)
) WITHOUT ROWID;
`;
