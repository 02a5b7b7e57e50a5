/**
 * The PostgreSQL connection pool and the two ways the adapter talks through it: `query` (one statement, a
 * pooled connection) and `transaction` (BEGIN ... COMMIT on one connection, ROLLBACK on any error). Every
 * statement is a named prepared statement (named after a digest of its text), so each connection parses and
 * plans it once. BIGINT and NUMERIC read back as JS numbers (ms times, counts; values are TEXT and never
 * pass through here).
 */
import { createHash } from "node:crypto";
import pg from "pg";
import { DEFAULT_POOL_SIZE, maskUrl } from "../target.js";

export type Row = Record<string, unknown>;

/** What a statement runs on: the pool (autocommit) or a transaction's connection. */
export interface Queryable {
  query<R = Row>(text: string, values?: readonly unknown[]): Promise<{ readonly rows: R[]; readonly rowCount: number }>;
}

export interface PgPool extends Queryable {
  /** Runs `fn` in one transaction on one connection: all of its statements commit, or none. */
  transaction<T>(fn: (q: Queryable) => Promise<T>): Promise<T>;
  /** A connection of its own for the caller (migrations hold a session lock on it). */
  connect(): Promise<Queryable & { exec(sql: string): Promise<void>; release(): void }>;
  end(): Promise<void>;
}

const INT8 = 20;
const NUMERIC = 1700;
const toNumber = (v: string): number => Number(v);

const types = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (oid === INT8 || oid === NUMERIC) return toNumber;
    return format === "binary" ? pg.types.getTypeParser(oid, "binary") : pg.types.getTypeParser(oid, "text");
  },
};

const names = new Map<string, string>();
function nameOf(text: string): string {
  let n = names.get(text);
  if (n === undefined) {
    n = "cv_" + createHash("sha1").update(text).digest("hex").slice(0, 20);
    names.set(text, n);
  }
  return n;
}

async function run<R>(c: pg.ClientBase | pg.Pool, text: string, values: readonly unknown[] | undefined): Promise<{ rows: R[]; rowCount: number }> {
  const r = await c.query<Row>({ name: nameOf(text), text, values: values === undefined ? [] : [...values] });
  return { rows: r.rows as R[], rowCount: r.rowCount ?? 0 };
}

export interface PgPoolOptions {
  /** Connections the pool opens at most (per node). */
  readonly poolSize?: number;
}

export function createPool(url: string, options: PgPoolOptions = {}): PgPool {
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? DEFAULT_POOL_SIZE, types, application_name: "converge" });
  // An idle connection the server dropped must not crash the process; the next query opens a new one.
  pool.on("error", (e) => process.emitWarning(`converge store: PostgreSQL connection error on ${maskUrl(url)}: ${e.message}`));
  return {
    query: (text, values) => run(pool, text, values),
    async transaction(fn) {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query("BEGIN");
        const out = await fn({ query: (text, values) => run(client, text, values) });
        await client.query("COMMIT");
        return out;
      } catch (e) {
        try {
          await client.query("ROLLBACK");
        } catch (re) {
          broken = re instanceof Error ? re : new Error(String(re));
        }
        throw e;
      } finally {
        client.release(broken);
      }
    },
    async connect() {
      const client = await pool.connect();
      return {
        query: (text, values) => run(client, text, values),
        // Simple protocol: several statements in one text (migrations, BEGIN/COMMIT); our own SQL, never input.
        exec: async (sql) => void (await client.query(sql)),
        release: () => client.release(),
      };
    },
    end: () => pool.end(),
  };
}
