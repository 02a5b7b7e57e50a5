/**
 * Migration 8: fewer index entries written per new device (issue 16: a new device's INSERT writes one entry in
 * every index of the devices table, each a dirty page and a WAL frame of the Inform step's commit).
 *
 * - `devices_by_product_class (product_class, id)` and `devices_by_software_version (software_version, id)` of
 *   migration 1 go: they are BINARY, and since migration 4 every query on these columns compares with
 *   `COLLATE NOCASE` (device search, the console's model counts), which SQLite plans on `devices_by_model_ci` and
 *   `devices_by_firmware_ci` instead (EXPLAIN QUERY PLAN).
 * - The five condition indexes become partial, over devices that have a status (`c_x IS NOT NULL`): a device is
 *   inserted without one, so its INSERT writes none of them, and its first status inserts each entry instead of
 *   moving it. Every query on a condition compares it with `=` (search: `c_x = 0 | 1`; the metrics' counts), which
 *   implies `IS NOT NULL`, so the partial index serves it; the count of devices with no status is the total minus
 *   the two others (store/devices.ts).
 *
 * `store-search.test.ts` holds every search filter's query plan to an index (no scan of devices) on this schema.
 */
const CONDITIONS = ["matched", "converged", "drifted", "faulted", "pending"] as const;

export const sql = `
DROP INDEX IF EXISTS devices_by_product_class;
DROP INDEX IF EXISTS devices_by_software_version;
${CONDITIONS.map((c) => `DROP INDEX IF EXISTS devices_by_${c};\nCREATE INDEX devices_by_${c} ON devices (c_${c}, id) WHERE c_${c} IS NOT NULL;`).join("\n")}
`;
