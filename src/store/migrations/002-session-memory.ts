/**
 * Migration 2: inventory that outlives a session besides instances, hashes, backoff and downloads.
 *
 * - `reboot_pending`: a set answered status 1 (TR-069 A.3.2.1: applied after a reboot). Without it a device
 *   whose session ended before the Reboot was forgotten as pending.
 * - `applied_keys`: JSON array of the few most recent ParameterKeys Converge set successfully (cwmp-notes §7.5
 *   lastConfirmedKey), so a write-only value is not re-sent merely because the desired state changed.
 * One row per device, absent until either is first written (absent = not pending, no keys).
 */
export const sql = `
CREATE TABLE device_memory (
  dev            INTEGER PRIMARY KEY REFERENCES devices (dev) ON DELETE CASCADE,
  reboot_pending INTEGER NOT NULL DEFAULT 0,
  applied_keys   TEXT NOT NULL DEFAULT '[]'
);
`;
