/**
 * Migration 6: what keeps Converge's own loops against a CPE bounded across sessions and crashes (issue 9, 10.5).
 *
 * - `downloads.completed_at` / `informs_since`: a TransferComplete reported success; the new SoftwareVersion is
 *   awaited for a bounded number of Informs or time, then `firmware_not_applied` (no re-flash on every Inform).
 * - `created.key_json`: the key an instance Converge added was added for, so it stays bound to its declared
 *   instance even when the CPE never shows its keys (no second AddObject for it).
 * - `add_intents`: write-ahead record of an AddObject about to go out (committed before the RPC), reconciled with
 *   what the table holds on the next visit: a lost AddObjectResponse or a crash leaves no orphan instance.
 * - `device_memory.parameter_key_kept`: learnt per device; NULL = not known yet, 0 = the CPE reports its
 *   ParameterKey empty after we set one (write-only values then rely on the last-set record alone).
 */
export const sql = `
ALTER TABLE downloads ADD COLUMN completed_at INTEGER;
ALTER TABLE downloads ADD COLUMN informs_since INTEGER NOT NULL DEFAULT 0;
ALTER TABLE created ADD COLUMN key_json TEXT;
ALTER TABLE device_memory ADD COLUMN parameter_key_kept INTEGER;
CREATE TABLE add_intents (
  dev         INTEGER NOT NULL REFERENCES devices (dev) ON DELETE CASCADE,
  selector    TEXT NOT NULL,
  table_path  TEXT NOT NULL,
  key_json    TEXT NOT NULL,
  before_json TEXT NOT NULL,
  at          INTEGER NOT NULL,
  PRIMARY KEY (dev, selector)
) WITHOUT ROWID;
`;
