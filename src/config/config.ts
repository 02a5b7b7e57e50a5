/**
 * Configuration: a file (YAML or JSON) overlaid with environment variables, validated against
 * schemas/config.schema.json at start-up. This module is the only reader of process.env in the server.
 * Defaults and variable names come from the one table in settings.ts; errors are positioned and rendered like
 * policy errors (policy/schema.ts schemaIssues, policy/format-error.ts): file:line:col, the key, a suggestion.
 */
import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import type { ValidateFunction } from "ajv/dist/2020.js";
import { err, ok, type Result } from "../domain/result.js";
import { parseYamlFile, type ParsedDoc } from "../policy/yaml-source.js";
import { schemaIssues } from "../policy/schema.js";
import { errorDetail, formatPolicyError } from "../policy/format-error.js";
import type { Issue } from "../policy/types.js";
import { ENV_SETTINGS, SETTINGS, type EnvKind } from "./settings.js";
import { DEFAULT_LIMITS } from "../reconcile/limits.js";
import type { PlanLimits } from "../reconcile/types.js";

export interface ApiToken {
  readonly name: string;
  readonly sha256: string;
  readonly scope: "read" | "write";
}

/** Selects devices by model: every field given must match (OUI case-insensitively); `{}` matches every device. */
export interface ModelSelector {
  readonly oui?: string;
  readonly productClass?: string;
  readonly manufacturer?: string;
}

/**
 * Per-model CPE quirk switches (`quirks:` in converge.yaml): every entry whose `match` selects the device applies,
 * later entries over earlier ones, over the global settings (server/model-selector.ts).
 */
export interface QuirkRule {
  readonly match: ModelSelector;
  /** Messages go without the `<?xml ...?>` declaration (embedded parsers that cannot read it). */
  readonly omitXmlDeclaration?: boolean;
  /** Authenticate (Digest) every request of its sessions, not only the Inform. */
  readonly authPerRequest?: boolean;
  /** Write xsd:boolean values as 1/0 (stacks that refuse true/false). */
  readonly booleanAsDigit?: boolean;
  /** Write xsd:dateTime values with milliseconds (false: whole seconds, for stacks that refuse a fraction). */
  readonly datetimeMilliseconds?: boolean;
  /** Parameters per GetParameterValues. */
  readonly gpvBatchSize?: number;
  /** Parameters per SetParameterValues. */
  readonly spvBatchSize?: number;
}

export interface Config {
  readonly cwmp: {
    readonly port: number;
    readonly bind: string;
    readonly path: string;
    readonly holdRequests: boolean;
    /** Models whose messages go without the `<?xml ...?>` declaration. */
    readonly omitXmlDeclaration: readonly ModelSelector[];
  };
  readonly api: {
    readonly port: number;
    readonly bind: string;
    readonly tokens: readonly ApiToken[];
    readonly openMetrics: boolean;
    readonly rateLimit: { readonly perSecond: number; readonly burst: number };
  };
  readonly db: string;
  readonly policies: string;
  readonly secretsFile: string | undefined;
  readonly logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  readonly cpeAuth: {
    readonly mode: "open" | "basic" | "digest" | "any";
    readonly realm: string;
    readonly allowBasicOverHttp: boolean;
    readonly username: string | undefined;
    readonly password: string | undefined;
    /** TLS client certificates of CPEs: off | accept (instead of HTTP auth) | require (403 without one). */
    readonly clientCert: "off" | "accept" | "require";
    /** Authenticate every request, not only the session's Inform. */
    readonly perRequest: boolean;
  };
  readonly tls: { readonly cert?: string; readonly key?: string; readonly ca?: string; readonly requestClientCert: boolean };
  readonly limits: {
    readonly maxSessions: number;
    readonly maxRpcsPerSession: number;
    readonly maxReplanRounds: number;
    readonly sessionIdleMs: number;
    readonly maxBodyBytes: number;
    readonly downloadTimeoutMs: number;
    readonly firmwareApplyInforms: number;
    readonly firmwareApplyTimeoutMs: number;
    readonly maxSessionsPerSource: number;
    readonly unauthenticatedIdleMs: number;
    readonly maxCpeRequestsPerSession: number;
    readonly maxStoredValueChars: number;
    readonly maxFaultStringChars: number;
  };
  readonly kick: { readonly onReload: boolean; readonly perSecond: number; readonly concurrency: number };
  readonly connectionRequest: {
    readonly provisionCredentials: boolean;
    readonly allowBasic: boolean;
    readonly timeoutMs: number;
    /** CIDR networks connection requests may target; empty: any address but the never-targeted ones. */
    readonly allowedNetworks: readonly string[];
    readonly perTargetPerMinute: number;
  };
  /** Firmware and configuration files served to CPEs on the CWMP listener under /files/ (docs/operations.md). */
  readonly files: {
    readonly dir: string;
    /** Base URL CPEs reach the CWMP listener at (e.g. https://acs.example.net:7547); default: the listener's own URL. */
    readonly publicUrl: string | undefined;
    /** open: any client may fetch; cpe: the same credentials as CWMP (shared or per-device). */
    readonly auth: "open" | "cpe";
  };
  readonly reloadDebounceMs: number;
  /** Staged rollouts (docs/rollouts.md): the strategy of policies that say nothing, and how often gates are judged. */
  readonly rollout: { readonly default: unknown; readonly tickMs: number };
  readonly quirks: readonly QuirkRule[];
}

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
  return out as unknown as Config;
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

const CONFIG_SCHEMA_URL = new URL("../../schemas/config.schema.json", import.meta.url);

function compiled(): ValidateFunction {
  validator ??= new Ajv2020({ allErrors: true, verbose: true, allowUnionTypes: true, strict: true }).compile(
    JSON.parse(readFileSync(CONFIG_SCHEMA_URL, "utf8")) as object,
  );
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
  return ok(full);
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
