/** `converge serve`: load configuration, start the ACS, stop cleanly on SIGINT/SIGTERM. */
import { readFileSync } from "node:fs";
import { loadConfig } from "../config/config.js";
import { startServer } from "../server/runtime.js";
import type { CliIo } from "./io.js";

function readIfExists(p: string): string | undefined {
  try {
    return readFileSync(p, "utf8");
  } catch {
    return undefined;
  }
}

export async function runServe(args: readonly string[], io: CliIo, env: Readonly<Record<string, string | undefined>>): Promise<number> {
  if (args.includes("--help")) {
    io.stdout("usage: converge serve\n  Configuration: converge.yaml (or CONVERGE_CONFIG) and CONVERGE_* environment variables; see README.md.\n");
    return 0;
  }
  if (args.length > 0) {
    io.stderr(`converge serve: unexpected argument ${args[0]} (configuration comes from converge.yaml and CONVERGE_* variables)\n`);
    return 2;
  }
  const cfg = loadConfig(env, readIfExists);
  if (!cfg.ok) {
    io.stderr(`converge serve: invalid configuration:\n${cfg.error.map((e) => `  - ${e}`).join("\n")}\n`);
    return 2;
  }
  let running;
  try {
    running = await startServer(cfg.value);
  } catch (e) {
    io.stderr(`converge serve: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
  const server = running;
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      server.log.info("shutting down");
      void server.close().then(resolve, resolve);
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  return 0;
}
