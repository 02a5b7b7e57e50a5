import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { randomBytes } from "node:crypto";
import BetterSqlite3 from "better-sqlite3";
import { keyedDigest } from "../reconcile/parameter-key.js";
import { MIGRATIONS, type Migration } from "./migrations/index.js";
import { packValue, unpackValue } from "./value-codec.js";

export type Database = BetterSqlite3.Database;

/** How long a writer waits for another connection's lock before SQLITE_BUSY (ms). */
const BUSY_TIMEOUT_MS = 5000;

/**
 * Opens (creating it and its parent directory if needed) the SQLite database at `path` (":memory:" for a private
 * in-memory one), sets WAL, synchronous=NORMAL, foreign keys and a busy timeout, then applies pending migrations.
 */
export function openDatabase(path: string): Database {
  const inMemory = path === ":memory:" || path === "";
  if (!inMemory) mkdirSync(dirname(path), { recursive: true });
  const db = new BetterSqlite3(path);
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    if (!inMemory) db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    // Checkpoint the WAL every ~64 MiB instead of ~4 MiB: a fleet rewrites the same device pages on every visit,
    // and a rarer checkpoint writes each of them back (and syncs) once for many commits.
    if (!inMemory) db.pragma("wal_autocheckpoint = 16384");
    db.pragma("foreign_keys = ON");
    registerFunctions(db);
    migrate(db, MIGRATIONS);
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}

/**
 * SQL functions migrations and queries use (migration 3: a fresh installation key, re-keying plain SHA-256 hashes;
 * migration 7 and device search: packing and unpacking long reported values, value-codec.ts).
 */
export function registerFunctions(db: Database): void {
  db.function("converge_random_key", { deterministic: false }, () => randomBytes(32).toString("hex"));
  db.function("converge_rekey", { deterministic: true }, (key: unknown, hash: unknown) =>
    typeof key === "string" && typeof hash === "string" ? keyedDigest(key, hash) : hash,
  );
  db.function("converge_pack", { deterministic: true }, (v: unknown) => (typeof v === "string" ? packValue(v) : v));
  db.function("converge_unpack", { deterministic: true }, (v: unknown) => (typeof v === "string" || Buffer.isBuffer(v) ? unpackValue(v) : v));
}

/** The schema version a database is at (`PRAGMA user_version`). */
export function schemaVersion(db: Database): number {
  const v = db.pragma("user_version", { simple: true });
  if (typeof v !== "number") throw new Error(`unexpected user_version: ${String(v)}`);
  return v;
}

/**
 * Applies, in order, every migration whose version is above `PRAGMA user_version`, each in its own IMMEDIATE
 * transaction that also bumps user_version: a crash leaves the database at a whole version, and two processes
 * opening a fresh file at once cannot both apply the same migration (the version is re-read under the lock).
 */
export function migrate(db: Database, migrations: readonly Migration[]): void {
  const latest = migrations.at(-1)?.version ?? 0;
  if (schemaVersion(db) > latest) {
    throw new Error(`database schema version ${schemaVersion(db)} is newer than this Converge (${latest})`);
  }
  for (const m of migrations) {
    const step = db.transaction(() => {
      if (schemaVersion(db) >= m.version) return;
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    });
    step.immediate();
  }
}
