/**
 * Migration 4: indexes for device search and the console's fleet aggregates (issues 11 "Search" and 14).
 *
 * - Case-insensitive lookups (`COLLATE NOCASE`) on the facts people type: serial, device id, manufacturer, OUI,
 *   product class, software version; prefix search is a range on these (`p <= x < p || U+10FFFF`), never a scan.
 * - `ip` (prefix) and `last_inform` (age): the latter is written on every visit, so one more index entry per
 *   Inform; the deferred telemetry batches those writes already.
 * - `device_policies`: which policies matched each device at its last session, mirrored from the status JSON
 *   (as `device_tags` mirrors `tags`) so "devices of policy P" pages on a (policy, id) key.
 * - `sessions (started_at, outcome)`, `faults (at, code, dev)` and `faults (code, dev)`: sessions and faults per
 *   minute and the top fault codes are covering range scans of the window, not reads of the whole log; "devices
 *   with fault F" is a lookup.
 */
export const sql = `
CREATE INDEX devices_by_serial_ci ON devices (serial COLLATE NOCASE);
CREATE INDEX devices_by_id_ci ON devices (id COLLATE NOCASE);
CREATE INDEX devices_by_manufacturer_ci ON devices (manufacturer COLLATE NOCASE);
CREATE INDEX devices_by_oui_ci ON devices (oui COLLATE NOCASE);
CREATE INDEX devices_by_model_ci ON devices (product_class COLLATE NOCASE, software_version);
CREATE INDEX devices_by_firmware_ci ON devices (software_version COLLATE NOCASE);
CREATE INDEX devices_by_ip ON devices (ip);
CREATE INDEX devices_by_last_inform ON devices (last_inform);

CREATE TABLE device_policies (
  policy TEXT NOT NULL,
  id     TEXT NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
  PRIMARY KEY (policy, id)
) WITHOUT ROWID;
INSERT OR IGNORE INTO device_policies (policy, id)
  SELECT j.value, d.id FROM devices d, json_each(d.status, '$.matchedPolicies') AS j WHERE d.status IS NOT NULL;

CREATE INDEX sessions_by_start ON sessions (started_at, outcome);
CREATE INDEX faults_by_time ON faults (at, code, dev);
CREATE INDEX faults_by_code ON faults (code, dev);
`;
