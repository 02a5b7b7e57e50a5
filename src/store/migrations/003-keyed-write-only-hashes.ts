/**
 * Migration 3: write-only hashes become keyed (issue 11). Versions before stored the plain SHA-256 of each
 * write-only value Converge set (a Wi-Fi passphrase could be checked against guesses with `sha256sum`).
 *
 * - `installation`: per-installation settings; `write_only_key` is 32 random bytes (hex) made by the
 *   `converge_random_key()` SQL function `db.ts` registers (node:crypto randomBytes), never leaving the store.
 * - every stored hash is re-keyed in place: the new form is `h1:` + HMAC-SHA256(key, old SHA-256 hex), which is
 *   exactly what `keyedHasher(key)` computes for the same value (reconcile/parameter-key.ts), so no device is
 *   re-sent a value it already holds. `converge_rekey(key, hash)` is registered by `db.ts` too.
 * - `tasks.queued_by`: the API token (its configured name) that queued each task, the operator audit trail;
 *   "loopback" for an API without tokens, NULL for tasks queued before this version.
 */
export const sql = `
CREATE TABLE installation (
  name  TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
INSERT INTO installation (name, value) VALUES ('write_only_key', converge_random_key());
UPDATE write_only SET hash = converge_rekey((SELECT value FROM installation WHERE name = 'write_only_key'), hash)
  WHERE hash NOT LIKE 'h1:%';
ALTER TABLE tasks ADD COLUMN queued_by TEXT;
CREATE INDEX tasks_by_queuer ON tasks (queued_by, id);
`;
