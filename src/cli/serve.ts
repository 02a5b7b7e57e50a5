/**
 * `converge serve`: load configuration, start the ACS, stop cleanly on SIGINT/SIGTERM, and stop with its parent:
 * `npm start` does not forward SIGTERM to its child (the shell it runs the script in dies, the server would be
 * re-parented and keep the ports), so the server also stops when its parent process goes away.
 */
import { loadCommandConfig } from "./config-file.js";
import { envHelp } from "../config/settings.js";
import { startServer } from "../server/runtime.js";
import type { CliIo } from "./io.js";
import { flagString, parseArgs } from "./args.js";

const USAGE = `usage: converge serve [--config file] [--secrets-file file]
  Configuration: converge.yaml (or --config / CONVERGE_CONFIG) and CONVERGE_* environment variables; see docs/operations.md "Settings".
  --config file   the configuration file (overrides CONVERGE_CONFIG; default ./converge.yaml when present)
  --secrets-file  a YAML map of secret values (overrides CONVERGE_SECRETS_FILE / secretsFile)
`;
const HELP = `${USAGE}Environment variables (each overrides its converge.yaml key):
${envHelp()}
`;

export async function runServe(args: readonly string[], io: CliIo, env: Readonly<Record<string, string | undefined>>): Promise<number> {
  const parsed = parseArgs(args, { config: true, "secrets-file": true });
  if (!parsed.ok || parsed.value.positional.length > 0) {
    const why = parsed.ok
      ? `unexpected argument ${parsed.value.positional[0]} (configuration comes from converge.yaml and CONVERGE_* variables)`
      : parsed.error;
    io.stderr(`converge serve: ${why}\n${USAGE}`);
    return 2;
  }
  if (parsed.value.flags.has("help")) return (io.stdout(HELP), 0);
  const cfg = loadCommandConfig(env, { config: flagString(parsed.value, "config"), secretsFile: flagString(parsed.value, "secrets-file") });
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
    let stopping = false;
    const stop = (): void => {
      if (stopping) return;
      stopping = true;
      server.log.info("shutting down");
      void server.close().then(resolve, resolve);
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    watchParent(() => {
      server.log.info("parent process exited: shutting down");
      stop();
    });
  });
  return 0;
}

/** Calls `onGone` once when this process's parent exits (it is re-parented: ppid changes). Polls every 500 ms. */
export function watchParent(onGone: () => void, everyMs = 500): () => void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    onGone();
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
