import { createHash } from "node:crypto";
/**
 * Reading variable files (`<policies>/vars/*.csv|*.yaml|*.yml`) and secrets (environment variables
 * `CONVERGE_SECRET_<NAME>` and an optional YAML secrets file outside git). I/O.
 */
import { readdir, readFile } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { parse } from "yaml";
import type { Lookups, PolicyError } from "./types.js";
import type { ContentFile } from "./revision.js";
import type { VarProblem, VarTable } from "./vars.js";
import { parseVarsCsv, parseVarsYaml, varLookups } from "./vars.js";
import { YAML_LIMITS } from "./yaml-limits.js";

const toError = (p: VarProblem): PolicyError => ({
  file: p.file,
  line: p.line,
  column: p.column,
  severity: "error",
  code: "vars-file",
  path: "",
  message: p.message,
});

export interface LoadedVars {
  readonly lookups: Pick<Lookups, "variable" | "hasVariable">;
  /** Each variable name's table: plain data (Maps), what crosses a thread boundary. */
  readonly owner: ReadonlyMap<string, VarTable>;
  readonly files: ContentFile[];
  readonly problems: PolicyError[];
}

async function listVarFiles(dir: string): Promise<string[]> {
  try {
    const names = await readdir(join(dir, "vars"));
    return names.filter((n) => /\.(csv|ya?ml)$/.test(n)).sort();
  } catch {
    return []; // no vars folder: no variables
  }
}

/** Reads every variable file. A variable defined by two files is an error (each name belongs to one file). */
export async function loadVars(dir: string): Promise<LoadedVars> {
  const tables: VarTable[] = [];
  const files: ContentFile[] = [];
  const problems: PolicyError[] = [];
  for (const name of await listVarFiles(dir)) {
    const rel = `vars/${name}`;
    let text: string;
    try {
      text = await readFile(join(dir, rel), "utf8");
    } catch (e) {
      const code = e instanceof Error && "code" in e ? String(e.code) : "";
      const why =
        code === "EISDIR"
          ? "it is a directory"
          : code === "ELOOP"
            ? "it is a symbolic link loop"
            : code === "ENOENT"
              ? "it is a dangling symbolic link (or was removed)"
              : e instanceof Error
                ? e.message
                : String(e);
      problems.push({ file: rel, line: 1, column: 1, severity: "error", code: "io", path: "", message: `cannot read ${rel}: ${why}` });
      continue;
    }
    if (text.length > YAML_LIMITS.maxFileChars) {
      problems.push({
        file: rel,
        line: 1,
        column: 1,
        severity: "error",
        code: "too-large",
        path: "",
        message: `${rel}: file of ${text.length} characters exceeds ${YAML_LIMITS.maxFileChars}`,
      });
      continue;
    }
    files.push({ rel, text });
    const r = name.endsWith(".csv") ? parseVarsCsv(rel, text) : parseVarsYaml(rel, text);
    problems.push(...r.problems.map(toError));
    if (r.table !== undefined) tables.push(r.table);
  }
  const owner = new Map<string, VarTable>();
  for (const t of tables)
    for (const n of t.names) {
      const prev = owner.get(n);
      if (prev !== undefined)
        problems.push({
          file: t.file,
          line: 1,
          column: 1,
          severity: "error",
          code: "vars-file",
          path: "",
          message: `variable "${n}" is also defined in ${prev.file}: each variable belongs to one file`,
        });
      else owner.set(n, t);
    }
  return { lookups: varLookups(owner), owner, files, problems };
}

export interface LoadedSecrets {
  readonly secret: (name: string) => string | undefined;
  /** The secrets in force, name to value (crosses to the main thread from the loader's worker, never further). */
  readonly values: ReadonlyMap<string, string>;
  /** A digest of every secret (names and values): a rotation is a change even when the folder is not. */
  readonly digest: string;
  readonly problems: PolicyError[];
}

/** Secrets: `CONVERGE_SECRET_<NAME>` wins over the secrets file. Values never enter the revision hash. */
export async function loadSecrets(dir: string, secretsFile: string | undefined, env: Readonly<Record<string, string | undefined>>): Promise<LoadedSecrets> {
  const fromFile = new Map<string, string>();
  const problems: PolicyError[] = [];
  if (secretsFile !== undefined) {
    const shown = relative(dir, secretsFile).split(sep).join("/");
    try {
      const doc: unknown = parse(await readFile(secretsFile, "utf8"), { uniqueKeys: false, maxAliasCount: YAML_LIMITS.maxAliasCount });
      if (typeof doc === "object" && doc !== null && !Array.isArray(doc))
        for (const [k, v] of Object.entries(doc)) if (["string", "number", "boolean"].includes(typeof v)) fromFile.set(k, String(v));
    } catch (e) {
      problems.push({
        file: shown,
        line: 1,
        column: 1,
        severity: "error",
        code: "secrets-file",
        path: "",
        message: `cannot read secrets file: ${e instanceof Error ? (e.message.split("\n")[0] ?? "") : String(e)}`,
      });
    }
  }
  const secrets = new Map(fromFile);
  for (const [k, v] of Object.entries(env)) if (k.startsWith("CONVERGE_SECRET_") && v !== undefined) secrets.set(k.slice("CONVERGE_SECRET_".length), v);
  const h = createHash("sha256");
  for (const [k, v] of [...secrets].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) h.update(`${k}\0${v}\0`);
  return { secret: (n) => secrets.get(n), values: secrets, digest: h.digest("hex").slice(0, 16), problems };
}
