/**
 * Migration 9: the mirror tables `device_policies` and `device_tags` (migrations 4 and 1) are keyed (policy, id)
 * and (tag, id) for the search's pages, and had no index on `id` alone. Every status write whose matched policies
 * changed runs `DELETE FROM device_policies WHERE id = ?`, and deleting a device cascades into both tables by `id`:
 * each was a scan of the whole table, so a session's cost grew with the fleet (the 100,000-device boot storm of
 * 2026-12-01: server CPU per session 3.6 ms at 10,000 stored devices, 12.6 ms by 40,000). The PostgreSQL schema has
 * had `device_policies_by_id` since its first migration. `store-migrations.test.ts` holds every foreign key's child
 * columns to an index that leads with them.
 */
export const sql = `
CREATE INDEX IF NOT EXISTS device_policies_by_id ON device_policies (id);
CREATE INDEX IF NOT EXISTS device_tags_by_id ON device_tags (id);
`;
