/**
 * Loads a policies folder into a `PolicySet` (I/O): reads every policy file, the variable files in `vars/`,
 * the secrets; parses YAML with positions; validates against the JSON Schema; compiles; checks across
 * policies; computes the revision. Any error rejects the whole folder.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Result } from "../domain/result.js";
import { err, ok } from "../domain/result.js";
import { readDmIndex } from "../datamodel/dm-index-file.js";
import type { DmIndex } from "../datamodel/dm-index.js";
import { compilePolicy } from "./compile.js";
import { conflicts, duplicateNames, shadowed } from "./conflicts.js";
import { buildPolicySet } from "./policy-set.js";
import { revisionOf } from "./revision.js";
import type { ContentFile } from "./revision.js";
import { compilePolicySchema, validatePolicyDoc } from "./schema.js";
import type { Issue, Lookups, Policy, PolicyError, PolicySet } from "./types.js";
import { loadSecrets, loadVars } from "./load-vars.js";
import { resolveHostedFiles } from "./load-files.js";
import type { LoadedParts } from "./transfer.js";

/** Where hosted files are looked for when no folder is given (the server's files.dir default). */
export const DEFAULT_FILES_DIR = "./files";
import type { ParsedDoc } from "./yaml-source.js";
import { parseYamlFile } from "./yaml-source.js";

export interface LoadOptions {
  /** A YAML map of secret name -> value, outside git. */
  readonly secretsFile?: string;
  /** Where `CONVERGE_SECRET_<NAME>` variables are read from. Default: process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Clock for `loadedAt`. Default: Date.now. */
  readonly now?: () => number;
  /** The folder of hosted files a firmware `file:` (or `/files/` url) names. Default: ./files. */
  readonly filesDir?: string;
  /** Told the folder's revision and policy count, also when the folder is rejected (`validate --format json`). */
  readonly report?: (s: { readonly revision: string; readonly policies: number }) => void;
}

let compiled: Pick<CompileEnv, "validate" | "dm"> | undefined;

/**
 * The compiled schema and the data-model index are constants of the code, not of a policies folder: built once
 * per process, not on every reload (compiling the schema was the largest cost of a reload).
 */
function constants(): Pick<CompileEnv, "validate" | "dm"> {
  compiled ??= { validate: compilePolicySchema(), dm: readDmIndex() };
  return compiled;
}

async function listPolicyFiles(dir: string, sub = ""): Promise<string[]> {
  const entries = await readdir(join(dir, sub), { withFileTypes: true });
  const out: string[] = [];
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const rel = sub === "" ? e.name : `${sub}/${e.name}`;
    if (e.name.startsWith(".") || (sub === "" && e.name === "vars")) continue;
    if (e.isDirectory()) out.push(...(await listPolicyFiles(dir, rel)));
    else if (/\.ya?ml$/.test(e.name)) out.push(rel);
  }
  return out;
}

export function issueToError(file: string, doc: ParsedDoc, i: Issue): PolicyError {
  const pos = doc.locate(i.pointer, i.atKey ?? false);
  return {
    file,
    line: pos.line,
    column: pos.column,
    severity: i.severity,
    code: i.code,
    path: i.pointer,
    message: i.message,
    ...(i.expected === undefined ? {} : { expected: i.expected }),
  };
}

interface FileResult {
  readonly policies: Policy[];
  readonly findings: PolicyError[];
}

function loadPolicyFile(rel: string, text: string, env: CompileEnv): FileResult {
  const { docs, problems } = parseYamlFile(text);
  const findings: PolicyError[] = problems.map((p) => ({
    file: rel,
    line: p.line,
    column: p.column,
    severity: "error",
    code: p.kind ?? "yaml-syntax",
    path: "",
    message: `YAML: ${p.message}`,
  }));
  const policies: Policy[] = [];
  if (docs.length === 0 && problems.length === 0)
    findings.push({ file: rel, line: 1, column: 1, severity: "warning", code: "schema", path: "", message: "no policy in this file" });
  for (const doc of docs) {
    const { policy, issues } = validatePolicyDoc(env.validate, emptyMatchIsEvery(doc.value));
    const all: Issue[] = [...issues];
    if (policy !== undefined) {
      const siteOf = (pointer: string, atKey?: boolean): { line: number; column: number; pointer: string } => ({
        ...doc.locate(pointer, atKey ?? false),
        pointer,
      });
      policies.push(
        compilePolicy(policy, {
          file: rel,
          dm: env.dm,
          issues: all,
          siteOf,
          hasVariable: env.lookups.hasVariable,
          hasSecret: (n) => env.lookups.secret(n) !== undefined,
        }),
      );
    }
    findings.push(...all.map((i) => issueToError(rel, doc, i)));
  }
  return { policies, findings };
}

/** `match:` with nothing under it is YAML null: documented as "every device", the same as `match: {}`. */
function emptyMatchIsEvery(value: unknown): unknown {
  if (typeof value !== "object" || value === null || Array.isArray(value) || !("match" in value) || value.match !== null) return value;
  return { ...value, match: {} };
}

interface CompileEnv {
  readonly validate: ReturnType<typeof compilePolicySchema>;
  readonly dm: DmIndex | undefined;
  readonly lookups: Lookups;
}

const order = (a: PolicyError, b: PolicyError): number =>
  a.file !== b.file ? (a.file < b.file ? -1 : 1) : a.line - b.line || a.column - b.column || (a.message < b.message ? -1 : a.message > b.message ? 1 : 0);

/**
 * Loads and validates a policies folder. On success the snapshot carries the warnings; on failure the error
 * list holds every error AND every warning (severity tells them apart), sorted by file, line, column.
 */
export async function loadPolicySet(dir: string, opts: LoadOptions = {}): Promise<Result<PolicySet, PolicyError[]>> {
  const r = await loadPolicyParts(dir, opts);
  return r.ok ? ok(r.value.set) : r;
}

/** A loaded set with the data behind its lookup functions (what the off-thread loader sends back). */

/** `loadPolicySet`, keeping the variable tables and secrets the set's lookups close over. Never throws. */
export async function loadPolicyParts(dir: string, opts: LoadOptions = {}): Promise<Result<LoadedParts, PolicyError[]>> {
  try {
    return await loadUnguarded(dir, opts);
  } catch (e) {
    // The error boundary: whatever a folder does (I/O races, a library throwing), it is a rejected revision.
    return err([
      {
        file: ".",
        line: 1,
        column: 1,
        severity: "error",
        code: "load-failed",
        path: "",
        message: `loading ${dir} failed: ${e instanceof Error ? e.message : String(e)}`,
      },
    ]);
  }
}

/** Reads one file of the folder; a directory, a symlink loop or a dangling link named *.yaml is an `io` error. */
export async function readFolderFile(dir: string, rel: string): Promise<{ ok: true; text: string } | { ok: false; error: PolicyError }> {
  try {
    return { ok: true, text: await readFile(join(dir, rel), "utf8") };
  } catch (e) {
    const code = e instanceof Error && "code" in e ? String(e.code) : "";
    const why =
      code === "EISDIR"
        ? "is a directory"
        : code === "ELOOP"
          ? "is a symbolic link loop"
          : code === "ENOENT"
            ? "is a dangling symbolic link (or was removed)"
            : e instanceof Error
              ? e.message
              : String(e);
    return { ok: false, error: { file: rel, line: 1, column: 1, severity: "error", code: "io", path: "", message: `cannot read ${rel}: it ${why}` } };
  }
}

async function loadUnguarded(dir: string, opts: LoadOptions): Promise<Result<LoadedParts, PolicyError[]>> {
  let files: string[];
  try {
    files = await listPolicyFiles(dir);
  } catch (e) {
    return err([
      {
        file: ".",
        line: 1,
        column: 1,
        severity: "error",
        code: "yaml-syntax",
        path: "",
        message: `cannot read policies folder ${dir}: ${e instanceof Error ? e.message : String(e)}`,
      },
    ]);
  }
  const vars = await loadVars(dir);
  const secrets = await loadSecrets(dir, opts.secretsFile, opts.env ?? process.env);
  const secretList = [...secrets.values.values()];
  const lookups: Lookups = { ...vars.lookups, secret: secrets.secret, secretValues: () => secretList };
  const env: CompileEnv = { ...constants(), lookups };
  const contents: ContentFile[] = [...vars.files];
  const policies: Policy[] = [];
  const findings: PolicyError[] = [...vars.problems, ...secrets.problems];
  for (const rel of files) {
    const read = await readFolderFile(dir, rel);
    if (!read.ok) {
      findings.push(read.error);
      continue;
    }
    const text = read.text;
    contents.push({ rel, text });
    const r = loadPolicyFile(rel, text, env);
    policies.push(...r.policies);
    findings.push(...r.findings);
  }
  const hosted = await resolveHostedFiles(policies, opts.filesDir ?? DEFAULT_FILES_DIR);
  policies.splice(0, policies.length, ...hosted.policies);
  findings.push(...hosted.findings);
  const sorted = buildPolicySet({ revision: "", loadedAt: 0, dir, policies, warnings: [], lookups }).policies;
  findings.push(...duplicateNames(sorted), ...conflicts(sorted), ...shadowed(sorted));
  findings.sort(order);
  const failed = findings.some((f) => f.severity === "error");
  if (failed && !opts.report) return err(findings);
  const revision = await revisionOf(dir, contents);
  opts.report?.({ revision, policies: policies.length });
  if (failed) return err(findings);
  const set = buildPolicySet({
    revision,
    loadedAt: (opts.now ?? Date.now)(),
    dir,
    policies,
    warnings: findings,
    lookups,
    secretsDigest: secrets.digest,
    sources: contents,
  });
  return ok({ set, vars: vars.owner, secrets: secrets.values });
}
