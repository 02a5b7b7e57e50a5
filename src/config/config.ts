/**
 * Configuration: a file (YAML or JSON) overlaid with environment variables, validated against
 * schemas/config.schema.json at start-up. This module is the only reader of process.env in the server.
 */
import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import { parse as parseYaml } from "yaml";
import { err, ok, type Result } from "../domain/result.js";
import { DEFAULT_LIMITS } from "../reconcile/limits.js";
import type { PlanLimits } from "../reconcile/types.js";
import { DEFAULT_POOL_SIZE, parseStoreTarget } from "../store/target.js";

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
  /** The store the server opens: a SQLite path or a postgres:// URL (CONVERGE_DB, else the file's store.url, else its db). */
  readonly db: string;
  /** `store.url` of a config file is folded into `db` by buildConfig. */
  readonly store: { readonly poolSize: number };
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
  /** Several nodes (cluster/port.ts): where they coordinate, this node's name, heartbeat and dead-node bound. */
  readonly cluster: { readonly url?: string; readonly nodeId?: string; readonly heartbeatMs: number; readonly nodeTimeoutMs: number };
}

export const DEFAULTS: Config = {
  cwmp: { port: 7547, bind: "0.0.0.0", path: "/", holdRequests: false, omitXmlDeclaration: [] },
  api: { port: 7557, bind: "127.0.0.1", tokens: [], openMetrics: false, rateLimit: { perSecond: 50, burst: 100 } },
  db: "./data/converge.db",
  store: { poolSize: DEFAULT_POOL_SIZE },
  policies: "./policies",
  secretsFile: undefined,
  logLevel: "info",
  cpeAuth: { mode: "open", realm: "converge", allowBasicOverHttp: false, username: undefined, password: undefined, clientCert: "off", perRequest: false },
  tls: { requestClientCert: false },
  limits: {
    maxSessions: 2000,
    maxRpcsPerSession: 64,
    maxReplanRounds: 32,
    sessionIdleMs: 30_000,
    maxBodyBytes: 8 * 1024 * 1024,
    downloadTimeoutMs: 3_600_000,
    firmwareApplyInforms: 2,
    firmwareApplyTimeoutMs: 3_600_000,
    maxSessionsPerSource: 64,
    unauthenticatedIdleMs: 10_000,
    maxCpeRequestsPerSession: 32,
    maxStoredValueChars: 65_536,
    maxFaultStringChars: 1024,
  },
  kick: { onReload: false, perSecond: 20, concurrency: 16 },
  connectionRequest: { provisionCredentials: true, allowBasic: false, timeoutMs: 5_000, allowedNetworks: [], perTargetPerMinute: 6 },
  files: { dir: "./files", publicUrl: undefined, auth: "open" },
  reloadDebounceMs: 300,
  rollout: { default: "immediate", tickMs: 5_000 },
  cluster: { heartbeatMs: 2_000, nodeTimeoutMs: 10_000 },
};

/** Environment variable -> config key path, with how to read its text. */
const ENV: readonly (readonly [string, string, "int" | "string" | "bool" | "number" | "tokens" | "json" | "list" | "models"])[] = [
  ["CONVERGE_CWMP_PORT", "cwmp.port", "int"],
  ["CONVERGE_API_PORT", "api.port", "int"],
  ["CONVERGE_BIND", "cwmp.bind", "string"],
  ["CONVERGE_API_BIND", "api.bind", "string"],
  ["CONVERGE_HOLD_REQUESTS", "cwmp.holdRequests", "bool"],
  ["CONVERGE_DB", "db", "string"],
  ["CONVERGE_DB_POOL_SIZE", "store.poolSize", "int"],
  ["CONVERGE_POLICIES", "policies", "string"],
  ["CONVERGE_SECRETS_FILE", "secretsFile", "string"],
  ["CONVERGE_LOG_LEVEL", "logLevel", "string"],
  ["CONVERGE_CPE_AUTH", "cpeAuth.mode", "string"],
  ["CONVERGE_CPE_USERNAME", "cpeAuth.username", "string"],
  ["CONVERGE_CPE_PASSWORD", "cpeAuth.password", "string"],
  ["CONVERGE_CPE_ALLOW_BASIC_OVER_HTTP", "cpeAuth.allowBasicOverHttp", "bool"],
  ["CONVERGE_API_TOKENS", "api.tokens", "tokens"],
  ["CONVERGE_OPEN_METRICS", "api.openMetrics", "bool"],
  ["CONVERGE_TLS_CERT", "tls.cert", "string"],
  ["CONVERGE_TLS_KEY", "tls.key", "string"],
  ["CONVERGE_TLS_CA", "tls.ca", "string"],
  ["CONVERGE_TLS_REQUEST_CLIENT_CERT", "tls.requestClientCert", "bool"],
  ["CONVERGE_CPE_CLIENT_CERT", "cpeAuth.clientCert", "string"],
  ["CONVERGE_MAX_SESSIONS", "limits.maxSessions", "int"],
  ["CONVERGE_MAX_RPCS_PER_SESSION", "limits.maxRpcsPerSession", "int"],
  ["CONVERGE_SESSION_IDLE_MS", "limits.sessionIdleMs", "int"],
  ["CONVERGE_MAX_BODY_BYTES", "limits.maxBodyBytes", "int"],
  ["CONVERGE_DOWNLOAD_TIMEOUT_MS", "limits.downloadTimeoutMs", "int"],
  ["CONVERGE_FIRMWARE_APPLY_INFORMS", "limits.firmwareApplyInforms", "int"],
  ["CONVERGE_FIRMWARE_APPLY_TIMEOUT_MS", "limits.firmwareApplyTimeoutMs", "int"],
  ["CONVERGE_KICK_ON_RELOAD", "kick.onReload", "bool"],
  ["CONVERGE_KICK_PER_SECOND", "kick.perSecond", "number"],
  ["CONVERGE_CONNREQ_PROVISION", "connectionRequest.provisionCredentials", "bool"],
  ["CONVERGE_CONNREQ_ALLOW_BASIC", "connectionRequest.allowBasic", "bool"],
  ["CONVERGE_CONNREQ_ALLOWED_NETWORKS", "connectionRequest.allowedNetworks", "list"],
  ["CONVERGE_CONNREQ_PER_TARGET_PER_MINUTE", "connectionRequest.perTargetPerMinute", "int"],
  ["CONVERGE_CPE_AUTH_PER_REQUEST", "cpeAuth.perRequest", "bool"],
  ["CONVERGE_OMIT_XML_DECLARATION", "cwmp.omitXmlDeclaration", "models"],
  ["CONVERGE_MAX_SESSIONS_PER_SOURCE", "limits.maxSessionsPerSource", "int"],
  ["CONVERGE_UNAUTHENTICATED_IDLE_MS", "limits.unauthenticatedIdleMs", "int"],
  ["CONVERGE_MAX_CPE_REQUESTS_PER_SESSION", "limits.maxCpeRequestsPerSession", "int"],
  ["CONVERGE_MAX_STORED_VALUE_CHARS", "limits.maxStoredValueChars", "int"],
  ["CONVERGE_MAX_FAULT_STRING_CHARS", "limits.maxFaultStringChars", "int"],
  ["CONVERGE_FILES_DIR", "files.dir", "string"],
  ["CONVERGE_FILES_PUBLIC_URL", "files.publicUrl", "string"],
  ["CONVERGE_FILES_AUTH", "files.auth", "string"],
  ["CONVERGE_ROLLOUT_DEFAULT", "rollout.default", "json"],
  ["CONVERGE_ROLLOUT_TICK_MS", "rollout.tickMs", "int"],
  ["CONVERGE_CLUSTER_URL", "cluster.url", "string"],
  ["CONVERGE_NODE_ID", "cluster.nodeId", "string"],
  ["CONVERGE_CLUSTER_HEARTBEAT_MS", "cluster.heartbeatMs", "int"],
  ["CONVERGE_CLUSTER_NODE_TIMEOUT_MS", "cluster.nodeTimeoutMs", "int"],
];

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

function envValue(name: string, text: string, kind: (typeof ENV)[number][2]): Result<Json, string> {
  switch (kind) {
    case "string":
      return ok(text);
    case "json": {
      // A bare word ("immediate", "staged") or a JSON value ({"waves": ["1%", "100%"]}).
      if (!text.trimStart().startsWith("{")) return ok(text.trim());
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

let validator: (((data: unknown) => boolean) & { errors?: { instancePath: string; message?: string; params: Record<string, unknown> }[] | null }) | undefined;

function validate(data: JsonObject): string[] {
  if (!validator) {
    const schema: unknown = JSON.parse(readFileSync(new URL("../../schemas/config.schema.json", import.meta.url), "utf8"));
    validator = new Ajv2020({ allErrors: true, strict: false }).compile(schema as object);
  }
  if (validator(data)) return [];
  return (validator.errors ?? []).map((e) => {
    const key = e.instancePath.replace(/^\//, "").replace(/\//g, ".") || "(root)";
    const extra = typeof e.params["additionalProperty"] === "string" ? ` "${e.params["additionalProperty"]}"` : "";
    return `config key ${key}: ${e.message ?? "invalid"}${extra}`;
  });
}

/**
 * Builds the Config from an optional file text and the environment. Returns every problem at once, each naming
 * the bad key or variable, so start-up fails with a message an operator can act on.
 */
export function buildConfig(env: Readonly<Record<string, string | undefined>>, fileText: string | undefined, fileName = "config"): Result<Config, string[]> {
  let fromFile: JsonObject = {};
  if (fileText !== undefined) {
    let parsed: unknown;
    try {
      parsed = parseYaml(fileText);
    } catch (e) {
      return err([`${fileName}: ${e instanceof Error ? e.message : String(e)}`]);
    }
    if (parsed !== null && parsed !== undefined) {
      if (typeof parsed !== "object" || Array.isArray(parsed)) return err([`${fileName}: expected a mapping at the top level`]);
      fromFile = parsed as JsonObject;
    }
  }
  const fromEnv: JsonObject = {};
  const problems: string[] = [];
  for (const [name, path, kind] of ENV) {
    const text = env[name];
    if (text === undefined || text === "") continue;
    const v = envValue(name, text, kind);
    if (v.ok) setPath(fromEnv, path, v.value);
    else problems.push(v.error);
  }
  const merged = merge(fromFile, fromEnv);
  problems.push(...validate(merged));
  if (problems.length > 0) return err(problems);
  const full = merge(DEFAULTS as unknown as JsonObject, merged) as unknown as Config;
  // One store target: CONVERGE_DB, else the file's store.url, else its db (the older key), else the default.
  const fileStore = isObject(fromFile["store"]) ? fromFile["store"]["url"] : undefined;
  const target = typeof fromEnv["db"] === "string" ? fromEnv["db"] : typeof fileStore === "string" ? fileStore : full.db;
  const store = parseStoreTarget(target);
  if (!store.ok) return err([`CONVERGE_DB / store.url: ${store.error}`]);
  const { poolSize } = full.store;
  return ok({ ...full, db: target, store: { poolSize } });
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
