/**
 * A throwaway PostgreSQL for tests: `CONVERGE_TEST_PG` when set, else a cluster of its own (initdb +
 * pg_ctl in a temporary folder, loopback only, a free port, trust auth), run as a non-root user
 * (`postgres` when the tests run as root, as CI does). No system service is needed or touched.
 *
 * `pgAvailability()` says why PostgreSQL tests cannot run, so a suite can skip with a message that
 * tells the reader how to run them.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface PgCluster {
  /** A `postgres://` URL of a fresh, empty database in the cluster. */
  readonly url: string;
  /** A further empty database in the same cluster (for tests that need isolation). */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

export const PG_HOW_TO =
  "PostgreSQL tests skipped: set CONVERGE_TEST_PG=postgres://user@127.0.0.1:5432/db, or install Debian's " +
  "`postgresql` package (apt-get install postgresql) so the tests can start a throwaway cluster; .ci/run does this.";

function binDir(): string | undefined {
  const fromEnv = process.env["CONVERGE_PG_BIN"];
  if (fromEnv !== undefined && existsSync(join(fromEnv, "initdb"))) return fromEnv;
  const root = "/usr/lib/postgresql";
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => /^\d+$/.test(v) && existsSync(join(root, v, "bin", "initdb")))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0] !== undefined) return join(root, versions[0], "bin");
  }
  const which = spawnSync("sh", ["-c", "command -v initdb"], { encoding: "utf8" });
  const path = which.stdout.trim();
  return which.status === 0 && path !== "" ? join(path, "..") : undefined;
}

/** undefined when PostgreSQL tests can run; otherwise the reason they cannot. */
export function pgAvailability(): string | undefined {
  if (process.env["CONVERGE_TEST_PG"]) return undefined;
  if (binDir() === undefined) return PG_HOW_TO;
  if (process.getuid?.() === 0 && spawnSync("id", ["-u", "postgres"]).status !== 0) {
    return "PostgreSQL tests skipped: running as root and no `postgres` user to run the cluster as. " + PG_HOW_TO;
  }
  return undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const addr = s.address();
      const port = typeof addr === "object" && addr !== null ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

function asOwner(cmd: string, args: readonly string[], asRoot: boolean): void {
  if (asRoot) execFileSync("runuser", ["-u", "postgres", "--", cmd, ...args], { stdio: "pipe" });
  else execFileSync(cmd, [...args], { stdio: "pipe" });
}

async function withClient<T>(url: string, fn: (query: (sql: string) => Promise<unknown>) => Promise<T>): Promise<T> {
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn((sql) => client.query(sql));
  } finally {
    await client.end();
  }
}

function adminUrl(base: string): string {
  const u = new URL(base);
  u.pathname = "/postgres";
  return u.toString();
}

function databaseUrl(base: string, name: string): string {
  const u = new URL(base);
  u.pathname = `/${name}`;
  return u.toString();
}

async function createDb(base: string, name: string): Promise<string> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`bad database name ${name}`);
  await withClient(adminUrl(base), async (q) => {
    await q(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await q(`CREATE DATABASE ${name}`);
  });
  return databaseUrl(base, name);
}

let counter = 0;
function uniqueName(): string {
  counter += 1;
  return `converge_t${process.pid}_${counter}`;
}

/** Start (or reuse, with CONVERGE_TEST_PG) a PostgreSQL and hand out a fresh database in it. */
export async function startPg(): Promise<PgCluster> {
  const external = process.env["CONVERGE_TEST_PG"];
  if (external) {
    const url = await createDb(external, uniqueName());
    return {
      url,
      createDatabase: (name) => createDb(external, name),
      stop: async () => {
        await withClient(adminUrl(external), (q) => q(`DROP DATABASE IF EXISTS ${new URL(url).pathname.slice(1)} WITH (FORCE)`));
      },
    };
  }
  const bin = binDir();
  if (bin === undefined) throw new Error(PG_HOW_TO);
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), "converge-pg-"));
  chmodSync(dir, 0o700);
  if (asRoot) {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
    chownSync(dir, uid, gid);
  }
  const data = join(dir, "data");
  asOwner(join(bin, "initdb"), ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync", "--no-instructions"], asRoot);
  const port = await freePort();
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
  asOwner(join(bin, "pg_ctl"), ["-D", data, "-o", opts, "-l", join(dir, "log"), "-w", "-t", "60", "start"], asRoot);
  const base = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const url = await createDb(base, "converge");
  return {
    url,
    createDatabase: (name) => createDb(base, name),
    stop: async () => {
      try {
        asOwner(join(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"], asRoot);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
