/**
 * PostgreSQL migration 60 (pgfast's numbers are 60-69): a device's last visit (time and events) moves out of
 * `devices` into a narrow table of its own. Every converged check-in writes it (the deferred telemetry batch);
 * in `devices` that update touched a wide row with sixteen indexes, none of which it changes but the one on
 * `last_inform`, so no update was HOT and every visit wrote an entry into each index. Here it writes one narrow
 * row and two index entries. Search by visit age (`informedWithin`, `silentFor`) keeps its index.
 */
export const sql = `
CREATE TABLE device_visits (
  dev         INTEGER PRIMARY KEY REFERENCES devices (dev) ON DELETE CASCADE,
  last_inform BIGINT NOT NULL,
  last_events TEXT NOT NULL DEFAULT '[]'
) WITH (fillfactor = 80);
INSERT INTO device_visits (dev, last_inform, last_events) SELECT dev, last_inform, last_events FROM devices;
CREATE INDEX device_visits_by_last_inform ON device_visits (last_inform);
DROP INDEX devices_by_last_inform;
ALTER TABLE devices DROP COLUMN last_inform, DROP COLUMN last_events;
`;
