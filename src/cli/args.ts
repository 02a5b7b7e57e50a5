/** A small, strict argument parser: known flags only, so a typo is a usage error (exit 2), not ignored. */
import { err, ok, type Result } from "../domain/result.js";

export interface ParsedArgs {
  readonly positional: readonly string[];
  readonly flags: ReadonlyMap<string, string | true>;
}

/** `spec` maps a flag name to whether it takes a value. */
export function parseArgs(args: readonly string[], spec: Readonly<Record<string, boolean>>): Result<ParsedArgs, string> {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (!a.startsWith("--")) {
      positional.push(a);
      continue;
    }
    const [name, inline] = a.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    const takesValue = spec[name];
    if (takesValue === undefined) return err(`unknown option --${name}`);
    if (!takesValue) {
      flags.set(name, true);
      continue;
    }
    const value = inline ?? args[++i];
    if (value === undefined) return err(`--${name} needs a value`);
    flags.set(name, value);
  }
  return ok({ positional, flags });
}

export function flagString(p: ParsedArgs, name: string): string | undefined {
  const v = p.flags.get(name);
  return typeof v === "string" ? v : undefined;
}
