/**
 * Numbered PostgreSQL migrations, each applied once whichever node starts first: every node takes the same
 * session advisory lock (`pg_advisory_lock`) before it reads `schema_migrations`, so a second node waits and
 * then finds the work done. Each migration runs in its own transaction together with its `schema_migrations`
 * row: a crash leaves the database at a whole migration. A database holding a migration this code does not
 * know (a newer Converge migrated it) is refused, as SQLite refuses a newer user_version.
 */
import type { PgMigration } from "./migrations/index.js";
import type { PgPool, Queryable } from "./pool.js";

/** The advisory lock key every Converge node migrates under ("converge" as a 64-bit number). */
const LOCK_KEY = 0x636f6e7665726765n;

export function checkMigrationList(list: readonly PgMigration[]): void {
  for (let i = 1; i < list.length; i++) {
    const prev = list[i - 1];
    const m = list[i];
    if (prev !== undefined && m !== undefined && m.version <= prev.version)
      throw new Error(`PostgreSQL migrations out of order: ${m.version} (${m.name}) after ${prev.version} (${prev.name})`);
  }
}

/** Versions applied, in order. */
export async function appliedVersions(q: Queryable): Promise<number[]> {
  const exists = await q.query<{ t: string | null }>("SELECT to_regclass('schema_migrations')::text AS t");
  if (exists.rows[0]?.t == null) return [];
  const r = await q.query<{ version: number }>("SELECT version FROM schema_migrations ORDER BY version");
  return r.rows.map((x) => Number(x.version));
}

/** Applies every migration of `list` the database lacks; returns the versions it applied (empty if none). */
export async function migratePg(pool: PgPool, list: readonly PgMigration[]): Promise<number[]> {
  checkMigrationList(list);
  const c = await pool.connect();
  const applied: number[] = [];
  try {
    await c.query("SELECT pg_advisory_lock($1)", [LOCK_KEY.toString()]);
    try {
      await c.query(
        `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL,
           applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`,
      );
      const have = new Set(await appliedVersions(c));
      const known = new Set(list.map((m) => m.version));
      const unknown = [...have].filter((v) => !known.has(v));
      if (unknown.length > 0) {
        const latest = list.at(-1)?.version ?? 0;
        throw new Error(
          `database schema has migration(s) ${unknown.join(", ")} this Converge does not know (it knows up to ${latest}): a newer Converge migrated it`,
        );
      }
      for (const m of list) {
        if (have.has(m.version)) continue;
        await c.exec("BEGIN");
        try {
          await c.exec(m.sql);
          await c.query("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", [m.version, m.name]);
          await c.exec("COMMIT");
        } catch (e) {
          await c.exec("ROLLBACK");
          throw new Error(`PostgreSQL migration ${m.version} (${m.name}) failed: ${e instanceof Error ? e.message : String(e)}`);
        }
        applied.push(m.version);
      }
    } finally {
      await c.query("SELECT pg_advisory_unlock($1)", [LOCK_KEY.toString()]);
    }
  } finally {
    c.release();
  }
  return applied;
}
