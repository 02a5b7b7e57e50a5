/**
 * The server's configuration as a command reads it: `--config <file>` (else CONVERGE_CONFIG, else ./converge.yaml
 * when present) and the CONVERGE_* variables, validated like `converge serve` does. `serve` runs on it, and `plan`
 * previews with it (the store, the policies, limits and the per-model `quirks:`), so a plan is what a session does.
 */
import { readFileSync } from "node:fs";
import { loadConfig, type Config } from "../config/config.js";
import type { Result } from "../domain/result.js";

type Env = Readonly<Record<string, string | undefined>>;

function readIfExists(p: string): string | undefined {
  try {
    return readFileSync(p, "utf8");
  } catch {
    return undefined;
  }
}

/** `--config` and `--secrets-file` win over CONVERGE_CONFIG and CONVERGE_SECRETS_FILE. */
export function loadCommandConfig(
  env: Env,
  flags: { readonly config?: string | undefined; readonly secretsFile?: string | undefined },
): Result<Config, string[]> {
  const withFlags = {
    ...env,
    ...(flags.config !== undefined ? { CONVERGE_CONFIG: flags.config } : {}),
    ...(flags.secretsFile !== undefined ? { CONVERGE_SECRETS_FILE: flags.secretsFile } : {}),
  };
  return loadConfig(withFlags, readIfExists);
}
