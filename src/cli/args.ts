/**
 * One argument parser for every `converge` command: node:util `parseArgs` in strict mode (known flags only, so
 * a typo is a usage error, exit 2, never ignored), with one vocabulary: `--help`/`-h` everywhere, `--secrets-file`
 * on every command that reads policies, `--flag value` and `--flag=value` alike.
 */
import { parseArgs as parseNodeArgs, type ParseArgsConfig } from "node:util";
import { err, ok, type Result } from "../domain/result.js";

export interface ParsedArgs {
  readonly positional: readonly string[];
  readonly flags: ReadonlyMap<string, string | true>;
}

/** `spec` maps a flag name to whether it takes a value. `help` (`-h`) is always known. */
export function parseArgs(args: readonly string[], spec: Readonly<Record<string, boolean>>): Result<ParsedArgs, string> {
  const options: NonNullable<ParseArgsConfig["options"]> = { help: { type: "boolean", short: "h" } };
  for (const [name, takesValue] of Object.entries(spec)) if (name !== "help") options[name] = { type: takesValue ? "string" : "boolean" };
  let parsed: ReturnType<typeof parseNodeArgs>;
  try {
    parsed = parseNodeArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (e) {
    return err(usageMessage(e));
  }
  const flags = new Map<string, string | true>();
  for (const [name, v] of Object.entries(parsed.values)) {
    if (typeof v === "string") flags.set(name, v);
    else if (v === true) flags.set(name, true);
  }
  return ok({ positional: parsed.positionals, flags });
}

/** node's messages, shortened to what a user needs ("unknown option --x", "--db needs a value"). */
function usageMessage(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  const code = (e as { code?: unknown }).code;
  const flag = /'(-[^' ]*)/.exec(message)?.[1] ?? "";
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") return `unknown option ${flag}`;
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE")
    return /does not take/.test(message) ? `${flag} takes no value` : `${flag} needs a value (write ${flag}=<value> for a value starting with -)`;
  return message.split("\n")[0] ?? message;
}

export function flagString(p: ParsedArgs, name: string): string | undefined {
  const v = p.flags.get(name);
  return typeof v === "string" ? v : undefined;
}

type Env = Readonly<Record<string, string | undefined>>;

/** `--secrets-file`, else CONVERGE_SECRETS_FILE: the same on every command. */
export function secretsFileOf(p: ParsedArgs, env: Env): string | undefined {
  const v = flagString(p, "secrets-file") ?? env["CONVERGE_SECRETS_FILE"];
  return v === undefined || v === "" ? undefined : v;
}

/** `--files`, else CONVERGE_FILES_DIR, else ./files: the hosted files a firmware `file:` names. */
export function filesDirOf(p: ParsedArgs, env: Env): string {
  return flagString(p, "files") ?? (env["CONVERGE_FILES_DIR"] || "./files");
}
