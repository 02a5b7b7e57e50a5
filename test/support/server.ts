/**
 * Starts a real Converge server on 127.0.0.1 (ephemeral ports) with a temporary SQLite file and a policies
 * folder, for integration and end-to-end tests. Returns URLs and a close() that removes the temp dir.
 */
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { buildConfig, type Config } from "../../src/config/config.js";
import { startServer, type Running } from "../../src/server/runtime.js";
import { createMaskedLogger } from "../../src/server/logging.js";
import type { Timers } from "../../src/domain/clock.js";

export interface TestServer extends Running {
  readonly dir: string;
  readonly policiesDir: string;
  readonly dbPath: string;
}

export const EXAMPLE_POLICIES = new URL("../../policies/", import.meta.url);

export interface TestServerOptions {
  /** A folder copied as the policies folder; default: an empty one. */
  readonly policies?: URL | string;
  readonly env?: Readonly<Record<string, string>>;
  readonly config?: string;
  /** Capture the server's (masked) log lines here, at debug level. */
  readonly logLines?: string[];
  /** The timers of the kick pacer, converge-now's wait and the reload debounce (a fake clock); default the system's. */
  readonly timers?: Timers;
}

export async function startTestServer(opts: TestServerOptions = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), "converge-test-"));
  const policiesDir = join(dir, "policies");
  if (opts.policies) cpSync(opts.policies, policiesDir, { recursive: true });
  else cpSync(new URL("../fixtures/empty-policies/", import.meta.url), policiesDir, { recursive: true });
  const dbPath = join(dir, "converge.db");
  const cfg = buildConfig(
    {
      CONVERGE_CWMP_PORT: "0",
      CONVERGE_API_PORT: "0",
      CONVERGE_BIND: "127.0.0.1",
      CONVERGE_DB: dbPath,
      CONVERGE_POLICIES: policiesDir,
      ...opts.env,
    },
    opts.config,
  );
  if (!cfg.ok) throw new Error(cfg.error.join("\n"));
  const config: Config = { ...cfg.value, reloadDebounceMs: 100 };
  const lines = opts.logLines;
  const logger = lines ? createMaskedLogger("debug", { write: (s: string) => void lines.push(s) }) : pino({ level: process.env["TEST_LOG"] ?? "silent" });
  const running = await startServer(config, logger, opts.timers ? { timers: opts.timers } : {});
  return {
    ...running,
    dir,
    policiesDir,
    dbPath,
    async close() {
      await running.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
