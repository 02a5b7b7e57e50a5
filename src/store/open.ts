/**
 * The one way the server, `converge plan`, `converge devices`, `converge explain` and the tests open a store:
 * `openStore(value)` with the CONVERGE_DB / `store.url` / `--db` value. A path opens (creating and migrating)
 * the SQLite file; a postgres:// URL opens a pool and runs the PostgreSQL migrations under their lock; any other
 * URL scheme is refused (src/store/target.ts). Errors never carry the URL's password.
 */
import { existsSync } from "node:fs";
import type { Store } from "../domain/store.js";
import type { RolloutStore } from "../rollout/store-port.js";
import { openDatabase } from "./db.js";
import { migratePg } from "./pg/migrate.js";
import { PG_MIGRATIONS } from "./pg/migrations/index.js";
import { pgRolloutStore } from "./pg/rollouts.js";
import { pgStore } from "./pg/pg-store.js";
import { createPool } from "./pg/pool.js";
import { sqliteRolloutStore } from "./rollouts.js";
import { sqliteStore, type SqliteStoreOptions } from "./sqlite-store.js";
import { describeTarget, maskUrl, parseStoreTarget, type StoreTarget } from "./target.js";

export interface OpenStoreOptions extends SqliteStoreOptions {
  /** PostgreSQL: connections the pool opens at most. */
  readonly poolSize?: number;
}

export interface OpenedStore {
  readonly store: Store;
  /** Opened lazily by `rollouts()`: commands that never touch rollouts open nothing for them. */
  rollouts(): RolloutStore;
  readonly target: StoreTarget;
  /** The target as logs may show it (password masked). */
  readonly description: string;
}

function masked(e: unknown, url: string): Error {
  const text = e instanceof Error ? e.message : String(e);
  const u = (() => {
    try {
      return new URL(url).password;
    } catch {
      return "";
    }
  })();
  const clean = u === "" ? text : text.split(u).join("***").split(decodeURIComponent(u)).join("***");
  return new Error(`store ${maskUrl(url)}: ${clean}`);
}

export async function openStore(value: string, options: OpenStoreOptions = {}): Promise<OpenedStore> {
  const parsed = parseStoreTarget(value);
  if (!parsed.ok) throw new Error(parsed.error);
  const target = parsed.value;
  const description = describeTarget(target);
  if (target.kind === "sqlite") {
    const store = sqliteStore(openDatabase(target.path), options);
    let rollouts: RolloutStore | undefined;
    // The rollout store keeps its own connection to the same file (WAL), off the device store's hot path.
    return { store, target, description, rollouts: () => (rollouts ??= sqliteRolloutStore(openDatabase(target.path))) };
  }
  const pool = createPool(target.url, options.poolSize === undefined ? {} : { poolSize: options.poolSize });
  try {
    await migratePg(pool, PG_MIGRATIONS);
  } catch (e) {
    await pool.end().catch(() => undefined);
    throw masked(e, target.url);
  }
  const store = pgStore(pool, options);
  let rollouts: RolloutStore | undefined;
  return { store, target, description, rollouts: () => (rollouts ??= pgRolloutStore(pool)) };
}

/**
 * Why a command that reads an existing store (plan, devices, explain) cannot use `value`: a refused URL scheme, or
 * a SQLite file that does not exist (reading must not create an empty one). Undefined when it may be opened.
 */
export function storeProblem(value: string): string | undefined {
  const parsed = parseStoreTarget(value);
  if (!parsed.ok) return parsed.error;
  const t = parsed.value;
  if (t.kind === "sqlite" && t.path !== ":memory:" && !existsSync(t.path)) return `no database at ${t.path}`;
  return undefined;
}
