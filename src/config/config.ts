/**
 * Configuration: a file (YAML or JSON) overlaid with environment variables, validated against
 * schemas/config.schema.json at start-up. This module is the only reader of process.env in the server.
 * Defaults and variable names come from the one table in settings.ts; errors are positioned and rendered like
 * policy errors (policy/schema.ts schemaIssues, policy/format-error.ts): file:line:col, the key, a suggestion.
 */
import { Ajv2020 } from "ajv/dist/2020.js";
import type { ValidateFunction } from "ajv/dist/2020.js";
import { err, ok, type Result } from "../domain/result.js";
import { parseYamlFile, type ParsedDoc } from "../policy/yaml-source.js";
import { schemaIssues } from "../policy/schema.js";
import { errorDetail, formatPolicyError } from "../policy/format-error.js";
import type { Issue } from "../policy/types.js";
import { ENV_SETTINGS, SETTINGS, type EnvKind } from "./settings.js";
import type { FromSchema } from "json-schema-to-ts";
import { CONFIG_SCHEMA } from "./config-schema.js";
import { DEFAULT_LIMITS } from "../reconcile/limits.js";
import type { PlanLimits } from "../reconcile/types.js";
import { parseStoreTarget } from "../store/target.js";

/** What converge.yaml may hold: the type of schemas/config.schema.json (through its `as const` module). */
export type ConfigFile = FromSchema<typeof CONFIG_SCHEMA>;

/** Every key present and read-only, recursively through maps (not into lists, whose items keep their optional keys). */
type Filled<T> = {
  readonly [K in keyof T]-?: NonNullable<T[K]> extends readonly unknown[]
    ? NonNullable<T[K]>
    : NonNullable<T[K]> extends Record<string, unknown>
      ? Filled<NonNullable<T[K]>>
      : NonNullable<T[K]>;
};
type Full = Filled<ConfigFile>;
/** Keys without a default stay possibly unset. */
type Unset<T, K extends keyof T> = Omit<T, K> & { readonly [P in K]: T[P] | undefined };

/**
 * The configuration after defaults (settings.ts): the schema's type with every key filled in, except the ones
 * that have no default (the secrets file, shared CPE credentials, TLS files, the files' public URL). The top-level
 * `bind` of old files is accepted by the schema and read nowhere.
 */
export type Config = Omit<Full, "bind" | "secretsFile" | "cpeAuth" | "tls" | "files" | "rollout" | "store" | "cluster"> & {
  /** Several nodes (cluster/port.ts): where they coordinate, this node's name, heartbeat and dead-node bound. */
  readonly cluster: Unset<Full["cluster"], "url" | "nodeId">;
  /** The store the server opens: a SQLite path or a postgres:// URL (CONVERGE_DB, else the file's store.url, else its db). */
  readonly db: string;
  /** `store.url` of a config file is folded into `db` by buildConfig. */
  readonly store: { readonly poolSize: number; readonly groupCommit: boolean };
  readonly secretsFile: string | undefined;
  readonly cpeAuth: Unset<Full["cpeAuth"], "username" | "password">;
  readonly tls: Unset<Full["tls"], "cert" | "key" | "ca">;
  readonly files: Unset<Full["files"], "publicUrl">;
  /** Staged rollouts (docs/rollouts.md): `default` is parsed by rollout/strategy.ts. */
  readonly rollout: { readonly default: unknown; readonly tickMs: number };
};

/** Selects devices by model: every field given must match (OUI case-insensitively); `{}` matches every device. */
export type ModelSelector = Config["cwmp"]["omitXmlDeclaration"][number];
/** A per-model quirk entry (`quirks:`), resolved by server/model-selector.ts. */
export type QuirkRule = Config["quirks"][number];

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function setPath(target: JsonObject, path: string, value: Json): void {
  const keys = path.split(".");
  let node = target;
  for (const k of keys.slice(0, -1)) {
    const next = node[k];
    if (!isObject(next)) node[k] = {};
    node = node[k] as JsonObject;
  }
  node[keys[keys.length - 1] as string] = value;
}

/** The defaults, from the one table (settings.ts). */
export const DEFAULTS: Config = ((): Config => {
  const out: JsonObject = {};
  for (const s of SETTINGS) setPath(out, s.key, s.default as Json);
  const d = out as unknown as Config;
  // store.url has no default of its own: buildConfig folds it into db.
  return { ...d, store: { poolSize: d.store.poolSize, groupCommit: d.store.groupCommit } };
})();

function envValue(name: string, text: string, kind: EnvKind): Result<Json, string> {
  switch (kind) {
    case "string":
      return ok(text);
    case "json": {
      // A bare word ("immediate", "staged") or a JSON value ({"waves": ["1%", "100%"]}, [{"match": {...}}]).
      if (!/^\s*[[{]/.test(text)) return ok(text.trim());
      if (text.length > 16_384) return err(`${name}: longer than 16 KiB`);
      try {
        return ok(JSON.parse(text) as Json);
      } catch (e) {
        return err(`${name}: not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    case "int":
      return /^\d+$/.test(text) ? ok(Number(text)) : err(`${name}: expected a whole number, got "${text}"`);
    case "number":
      return /^\d+(\.\d+)?$/.test(text) ? ok(Number(text)) : err(`${name}: expected a number, got "${text}"`);
    case "bool":
      if (/^(1|true|yes|on)$/i.test(text)) return ok(true);
      if (/^(0|false|no|off)$/i.test(text)) return ok(false);
      return err(`${name}: expected true or false, got "${text}"`);
    case "list":
      return ok(
        text
          .split(",")
          .map((p) => p.trim())
          .filter((p) => p !== ""),
      );
    case "models": {
      // OUI, OUI/ProductClass or */ProductClass, comma separated; * alone: every device.
      const out: Json[] = [];
      for (const part of text
        .split(",")
        .map((p) => p.trim())
        .filter((p) => p !== "")) {
        const slash = part.indexOf("/");
        const oui = slash < 0 ? part : part.slice(0, slash);
        const productClass = slash < 0 ? undefined : part.slice(slash + 1);
        if (oui === "" || productClass === "") return err(`${name}: expected OUI, OUI/ProductClass or */ProductClass entries, got "${part}"`);
        out.push({ ...(oui !== "*" ? { oui } : {}), ...(productClass !== undefined && productClass !== "*" ? { productClass } : {}) });
      }
      return ok(out);
    }
    case "tokens": {
      // name:sha256:scope[,name:sha256:scope...]
      const out: Json[] = [];
      for (const part of text.split(",").filter((p) => p.trim() !== "")) {
        const [tname, sha256, scope] = part.trim().split(":");
        if (!tname || !sha256 || !scope) return err(`${name}: expected name:sha256:scope entries, got "${part}"`);
        out.push({ name: tname, sha256: sha256.toLowerCase(), scope });
      }
      return ok(out);
    }
  }
}

function merge(base: JsonObject, over: JsonObject): JsonObject {
  const out: JsonObject = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isObject(b) && isObject(v) ? merge(b, v) : v;
  }
  return out;
}

let validator: ValidateFunction | undefined;

function compiled(): ValidateFunction {
  // The same object the types come from (config-schema.ts, generated from schemas/config.schema.json).
  validator ??= new Ajv2020({ allErrors: true, verbose: true, allowUnionTypes: true, strict: true }).compile(structuredClone(CONFIG_SCHEMA) as object);
  return validator;
}

/** The config key of a JSON pointer ("/limits/maxSessions" -> "limits.maxSessions"). */
const keyOf = (pointer: string): string =>
  pointer
    .split("/")
    .slice(1)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .join(".");

/**
 * One schema issue as an operator reads it: from a variable, `CONVERGE_X (config key k): message`; from the file,
 * the policy error rendering `file:line:col: error: config key k: message; expected ...; (at /pointer)`.
 */
function render(i: Issue, fromEnv: ReadonlyMap<string, string>, doc: ParsedDoc | undefined, fileName: string): string {
  const full = keyOf(i.pointer);
  // An unknown key is named in the message: the key shown is the mapping it sits in.
  const key = i.atKey === true ? full.split(".").slice(0, -1).join(".") : full;
  const env = [...fromEnv].find(([k]) => full === k || full.startsWith(`${k}.`));
  const detail = errorDetail({ message: i.message, ...(i.expected === undefined ? {} : { expected: i.expected }), path: "" });
  if (env) return `${env[1]} (config key ${full}): ${detail}`;
  const pos = doc?.locate(i.pointer, i.atKey ?? false) ?? { line: 1, column: 1 };
  return formatPolicyError({
    file: fileName,
    line: pos.line,
    column: pos.column,
    severity: i.severity,
    code: i.code,
    path: i.pointer,
    message: key === "" ? i.message : `config key ${key}: ${i.message}`,
    ...(i.expected === undefined ? {} : { expected: i.expected }),
  });
}

/**
 * Builds the Config from an optional file text and the environment. Returns every problem at once, each naming
 * the bad key or variable, so start-up fails with a message an operator can act on.
 */
export function buildConfig(env: Readonly<Record<string, string | undefined>>, fileText: string | undefined, fileName = "config"): Result<Config, string[]> {
  let fromFile: JsonObject = {};
  let doc: ParsedDoc | undefined;
  if (fileText !== undefined) {
    const parsed = parseYamlFile(fileText);
    if (parsed.problems.length > 0) return err(parsed.problems.map((p) => `${fileName}:${p.line}:${p.column}: error: ${p.message}`));
    if (parsed.docs.length > 1) return err([`${fileName}:1:1: error: expected one YAML document, found ${parsed.docs.length}`]);
    doc = parsed.docs[0];
    const value: unknown = doc?.value;
    if (value !== null && value !== undefined) {
      if (typeof value !== "object" || Array.isArray(value)) return err([`${fileName}:1:1: error: expected a mapping at the top level`]);
      fromFile = value as JsonObject;
    }
  }
  const fromEnv: JsonObject = {};
  /** Config key -> the variable that set it. */
  const envKeys = new Map<string, string>();
  const problems: string[] = [];
  for (const { env: name, key, kind } of ENV_SETTINGS) {
    const text = env[name];
    if (text === undefined || text === "") continue;
    const v = envValue(name, text, kind);
    if (v.ok) {
      setPath(fromEnv, key, v.value);
      envKeys.set(key, name);
    } else problems.push(v.error);
  }
  const merged = merge(fromFile, fromEnv);
  const validate = compiled();
  if (!validate(merged)) problems.push(...schemaIssues(validate.errors ?? []).map((i) => render(i, envKeys, doc, fileName)));
  if (problems.length > 0) return err(problems);
  const full = merge(DEFAULTS as unknown as JsonObject, merged) as unknown as Config;
  // One store target: CONVERGE_DB, else the file's store.url, else its db (the older key), else the default.
  const fileStore = isObject(fromFile["store"]) ? fromFile["store"]["url"] : undefined;
  const target = typeof fromEnv["db"] === "string" ? fromEnv["db"] : typeof fileStore === "string" ? fileStore : full.db;
  const store = parseStoreTarget(target);
  if (!store.ok) return err([`CONVERGE_DB / store.url: ${store.error}`]);
  const { poolSize, groupCommit } = full.store;
  return ok({ ...full, db: target, store: { poolSize, groupCommit } });
}

/** Reads CONVERGE_CONFIG (or ./converge.yaml when present) and the environment. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>, readFile: (p: string) => string | undefined): Result<Config, string[]> {
  const file = env["CONVERGE_CONFIG"] ?? "converge.yaml";
  const text = readFile(file);
  if (text === undefined && env["CONVERGE_CONFIG"] !== undefined) return err([`CONVERGE_CONFIG: cannot read ${file}`]);
  return buildConfig(env, text, file);
}

/** The planner's bounds from configuration; backoff is not configurable and follows reconcile/limits.ts. */
export function planLimitsOf(l: Config["limits"]): PlanLimits {
  return {
    maxRpcsPerSession: l.maxRpcsPerSession,
    maxReplanRounds: l.maxReplanRounds,
    downloadTimeoutMs: l.downloadTimeoutMs,
    firmwareApplyInforms: l.firmwareApplyInforms,
    firmwareApplyTimeoutMs: l.firmwareApplyTimeoutMs,
    backoffBaseMs: DEFAULT_LIMITS.backoffBaseMs,
    backoffMaxMs: DEFAULT_LIMITS.backoffMaxMs,
  };
}
