import type { Database } from "./db.js";

/** Interned path ids. Paths are shared by every device of a model, so each row stores a small integer. */
export interface PathIds {
  /** The id of `path`, inserting it if new. Call inside a store transaction (see `transaction`). */
  intern(path: string): number;
  /** Forgets ids minted since the last commit: their rows rolled back with the transaction. */
  rollback(): void;
  /** Keeps ids minted since the last commit. */
  commit(): void;
}

/** Cached ids are dropped wholesale past this many entries (fleets with per-device instance numbers). */
const MAX_CACHED = 200_000;

export function pathIds(db: Database): PathIds {
  const select = db.prepare<[string], number>("SELECT id FROM paths WHERE path = ?").pluck();
  const insert = db.prepare<[string]>("INSERT INTO paths (path) VALUES (?)");
  const cache = new Map<string, number>();
  const minted: string[] = [];
  return {
    intern(path) {
      const cached = cache.get(path);
      if (cached !== undefined) return cached;
      let id = select.get(path);
      if (id === undefined) {
        id = Number(insert.run(path).lastInsertRowid);
        minted.push(path);
      }
      if (cache.size >= MAX_CACHED) cache.clear();
      cache.set(path, id);
      return id;
    },
    rollback() {
      for (const p of minted) cache.delete(p);
      minted.length = 0;
    },
    commit() {
      minted.length = 0;
    },
  };
}

/**
 * Wraps `fn` in a better-sqlite3 transaction (created once) that keeps the path-id cache consistent with what
 * committed. Nested calls join the outer transaction (better-sqlite3 uses a savepoint).
 */
export function transaction<A extends unknown[], R>(db: Database, paths: PathIds, fn: (...args: A) => R): (...args: A) => R {
  const tx = db.transaction(fn);
  return (...args: A): R => {
    const outer = !db.inTransaction;
    try {
      const r = tx(...args);
      if (outer) paths.commit();
      return r;
    } catch (e) {
      if (outer) paths.rollback();
      throw e;
    }
  };
}
