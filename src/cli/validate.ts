/**
 * `converge validate [dir]`: load and check a policies folder the way the server would, and report every
 * finding with file:line:column. Exit 0 clean (warnings allowed unless --strict), 1 on errors, 2 on usage.
 * Formats: text (default), json, github (workflow annotations for CI).
 */
import { errorDetail, formatPolicyError } from "../policy/format-error.js";
import { stat } from "node:fs/promises";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { loadPolicySet } from "../policy/load.js";
import type { PolicyError } from "../policy/types.js";
import { filesDirOf, flagString, parseArgs, secretsFileOf } from "./args.js";

export interface CliIo {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
  /** Paths in messages are shown relative to this folder. Default: process.cwd(). */
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

type Format = "text" | "json" | "github";

interface Args {
  readonly dir: string;
  readonly format: Format;
  readonly strict: boolean;
  readonly secretsFile: string | undefined;
  readonly filesDir: string;
}

export const VALIDATE_USAGE = `usage: converge validate [dir] [--format text|json|github] [--strict] [--secrets-file <file>] [--files <dir>]
  dir            the policies folder (default: ./policies)
  --format       text (default): file:line:col: severity: message; json; github: ::error annotations
  --strict       warnings fail too (exit 1)
  --secrets-file a YAML map of secret values (outside git; default: CONVERGE_SECRETS_FILE);
                 CONVERGE_SECRET_<NAME> variables also count
  --files        the hosted files folder a firmware file: names (default: CONVERGE_FILES_DIR or ./files)
exit: 0 valid, 1 errors (or warnings with --strict), 2 usage error`;

function argsOf(args: readonly string[], env: Readonly<Record<string, string | undefined>>): Args | string {
  const parsed = parseArgs(args, { format: true, strict: false, "secrets-file": true, files: true });
  if (!parsed.ok) return parsed.error;
  const p = parsed.value;
  if (p.flags.has("help")) return "";
  const format = flagString(p, "format") ?? "text";
  if (format !== "text" && format !== "json" && format !== "github") return `--format must be text, json or github (got ${format})`;
  if (p.positional.length > 1) return `one folder at a time (got ${p.positional.join(" and ")})`;
  return { dir: p.positional[0] ?? "policies", format, strict: p.flags.has("strict"), secretsFile: secretsFileOf(p, env), filesDir: filesDirOf(p, env) };
}

const display = (cwd: string, dir: string, file: string): string => {
  const abs = isAbsolute(file) ? file : join(resolve(cwd, dir), file);
  const rel = relative(cwd, abs);
  return (rel.startsWith("..") && isAbsolute(dir) ? abs : rel).split(sep).join("/");
};

const escapeData = (s: string): string => s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
const escapeProp = (s: string): string => escapeData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");

const detail = errorDetail;
const renderText = formatPolicyError;

const renderGithub = (f: PolicyError, file: string): string =>
  `::${f.severity} file=${escapeProp(file)},line=${f.line},col=${f.column}::${escapeData(detail(f))}`;

function summary(errors: number, warnings: number): string {
  const n = (k: number, w: string): string => `${k} ${w}${k === 1 ? "" : "s"}`;
  return `${n(errors, "error")}, ${n(warnings, "warning")}`;
}

/** Runs `converge validate`. Returns the exit code; writes findings to `io.stdout`, usage errors to `io.stderr`. */
export async function runValidate(args: string[], io: CliIo, env?: Readonly<Record<string, string | undefined>>): Promise<number> {
  const out = (s: string): void => io.stdout(`${s}\n`);
  const envOf = io.env ?? env ?? process.env;
  const parsed = argsOf(args, envOf);
  if (typeof parsed === "string") {
    if (parsed === "") io.stdout(`${VALIDATE_USAGE}\n`);
    else io.stderr(`converge validate: ${parsed}\n${VALIDATE_USAGE}\n`);
    return parsed === "" ? 0 : 2;
  }
  const cwd = io.cwd ?? process.cwd();
  const dir = resolve(cwd, parsed.dir);
  const isDir = await stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDir) {
    io.stderr(`converge validate: ${parsed.dir} is not a folder\n${VALIDATE_USAGE}\n`);
    return 2;
  }
  let folder: { revision: string; policies: number } | undefined;
  const r = await loadPolicySet(dir, {
    ...(parsed.secretsFile === undefined ? {} : { secretsFile: resolve(cwd, parsed.secretsFile) }),
    env: envOf,
    filesDir: resolve(cwd, parsed.filesDir),
    report: (s) => (folder = s),
  });
  const findings = r.ok ? r.value.warnings : r.error;
  const errors = findings.filter((f) => f.severity === "error").length;
  const warnings = findings.length - errors;
  const failed = errors > 0 || (parsed.strict && warnings > 0);
  const shown = (f: PolicyError): string => display(cwd, parsed.dir, f.file);
  switch (parsed.format) {
    case "json":
      // revision and policies also when the folder is rejected: CI can tell which content was checked.
      out(
        JSON.stringify(
          {
            ok: !failed,
            revision: r.ok ? r.value.revision : (folder?.revision ?? null),
            policies: r.ok ? r.value.policies.length : (folder?.policies ?? 0),
            errors,
            warnings,
            findings: findings.map((f) => ({ ...f, file: shown(f) })),
          },
          null,
          2,
        ),
      );
      break;
    case "github":
      for (const f of findings) out(renderGithub(f, shown(f)));
      break;
    case "text":
      for (const f of findings) out(renderText(f, shown(f)));
      out(
        r.ok
          ? `${display(cwd, parsed.dir, ".")}: ${r.value.policies.length} policies, ${summary(errors, warnings)} (revision ${r.value.revision})`
          : summary(errors, warnings),
      );
      break;
  }
  return failed ? 1 : 0;
}
