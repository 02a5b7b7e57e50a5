/**
 * Migration 7: a compact reported table (issue 16: bytes per reported parameter from ~61 to under 40).
 *
 * - `value`: long values (over 128 characters) are kept as a BLOB of their raw deflate when that is smaller
 *   (`converge_pack(value)`, registered by `db.ts`; `store/value-codec.ts` reads them back). Device logs and
 *   capability lists were most of the bytes of a stored device.
 * - `flags` replaces `type`, `writable` and `notification` (one small integer, see value-codec.ts): two fewer
 *   columns in every row's header, and no data byte for a plain string of unknown writability.
 * The table is rebuilt in place (same key, same rows, same WITHOUT ROWID layout); the freed pages are reused by
 * later writes (`VACUUM` gives them back to the file system).
 */
export const sql = `
CREATE TABLE reported_v7 (
  dev         INTEGER NOT NULL REFERENCES devices (dev) ON DELETE CASCADE,
  path_id     INTEGER NOT NULL,
  value       TEXT,
  flags       INTEGER NOT NULL DEFAULT 0,
  observed_at INTEGER,
  PRIMARY KEY (dev, path_id)
) WITHOUT ROWID;
INSERT INTO reported_v7 (dev, path_id, value, flags, observed_at)
  SELECT dev, path_id, converge_pack(value),
         coalesce(type, 0)
           | (CASE writable WHEN 0 THEN 16 WHEN 1 THEN 32 ELSE 0 END)
           | (CASE WHEN notification IS NULL THEN 0 ELSE (notification + 1) * 64 END),
         observed_at
  FROM reported;
DROP TABLE reported;
ALTER TABLE reported_v7 RENAME TO reported;
`;
