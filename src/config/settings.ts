/**
 * THE table of configuration settings: every key of converge.yaml with its default, its environment variable
 * (if any), how that variable's text is read, and one line of what it does. The loader (config.ts) builds the
 * defaults and reads the environment from it; `converge serve --help` and the table in docs/operations.md are
 * rendered from it (test/unit/config-settings.test.ts holds the docs and the README to it).
 */

import { DEFAULT_POOL_SIZE } from "../store/target.js";

/** How an environment variable's text becomes a value. */
export type EnvKind = "int" | "number" | "bool" | "string" | "list" | "models" | "tokens" | "json";

export interface Setting {
  /** Dotted key in converge.yaml (`limits.maxSessions`). */
  readonly key: string;
  /** The default; undefined: unset unless configured. */
  readonly default: unknown;
  readonly env?: string;
  readonly kind?: EnvKind;
  readonly what: string;
}

export const SETTINGS: readonly Setting[] = [
  { key: "cwmp.port", default: 7547, env: "CONVERGE_CWMP_PORT", kind: "int", what: "CWMP listener port" },
  { key: "cwmp.bind", default: "0.0.0.0", env: "CONVERGE_BIND", kind: "string", what: "CWMP listener address" },
  { key: "cwmp.path", default: "/", what: "URL path CPEs post to ('/' accepts any path)" },
  { key: "cwmp.holdRequests", default: false, env: "CONVERGE_HOLD_REQUESTS", kind: "bool", what: "send HoldRequests=true with every ACS request" },
  {
    key: "cwmp.omitXmlDeclaration",
    default: [],
    env: "CONVERGE_OMIT_XML_DECLARATION",
    kind: "models",
    what: "models whose messages go without <?xml?> (OUI, OUI/ProductClass, */ProductClass, *; or a `quirks:` entry)",
  },
  { key: "api.port", default: 7557, env: "CONVERGE_API_PORT", kind: "int", what: "REST API port" },
  { key: "api.bind", default: "127.0.0.1", env: "CONVERGE_API_BIND", kind: "string", what: "REST API address (elsewhere than loopback needs tokens)" },
  { key: "api.tokens", default: [], env: "CONVERGE_API_TOKENS", kind: "tokens", what: "API tokens, name:sha256:read|write, comma separated" },
  { key: "api.openMetrics", default: false, env: "CONVERGE_OPEN_METRICS", kind: "bool", what: "serve /metrics without a token" },
  { key: "api.rateLimit.perSecond", default: 50, what: "API requests per second per token or address" },
  { key: "api.rateLimit.burst", default: 100, what: "API request burst" },
  {
    key: "db",
    default: "./data/converge.db",
    env: "CONVERGE_DB",
    kind: "string",
    what: "the store: a SQLite file (or :memory:), or a postgres:// URL (other schemes are refused)",
  },
  { key: "store.url", default: undefined, what: "the store as a URL (postgres://...) or a path; wins over db in the file, CONVERGE_DB over both" },
  { key: "store.poolSize", default: DEFAULT_POOL_SIZE, env: "CONVERGE_DB_POOL_SIZE", kind: "int", what: "PostgreSQL: connections per node at most" },
  {
    key: "store.groupCommit",
    default: true,
    env: "CONVERGE_SQLITE_GROUP_COMMIT",
    kind: "bool",
    what: "SQLite: commit the session steps of one event-loop turn in one transaction (false: one per step)",
  },
  { key: "policies", default: "./policies", env: "CONVERGE_POLICIES", kind: "string", what: "policies folder" },
  { key: "secretsFile", default: undefined, env: "CONVERGE_SECRETS_FILE", kind: "string", what: "YAML map of secrets, outside git" },
  { key: "logLevel", default: "info", env: "CONVERGE_LOG_LEVEL", kind: "string", what: "fatal, error, warn, info, debug, trace or silent" },
  { key: "cpeAuth.mode", default: "open", env: "CONVERGE_CPE_AUTH", kind: "string", what: "CPE authentication: open, basic, digest or any" },
  { key: "cpeAuth.realm", default: "converge", what: "HTTP authentication realm" },
  { key: "cpeAuth.allowBasicOverHttp", default: false, env: "CONVERGE_CPE_ALLOW_BASIC_OVER_HTTP", kind: "bool", what: "accept Basic without TLS" },
  { key: "cpeAuth.username", default: undefined, env: "CONVERGE_CPE_USERNAME", kind: "string", what: "shared CPE username" },
  { key: "cpeAuth.password", default: undefined, env: "CONVERGE_CPE_PASSWORD", kind: "string", what: "shared CPE password" },
  {
    key: "cpeAuth.clientCert",
    default: "off",
    env: "CONVERGE_CPE_CLIENT_CERT",
    kind: "string",
    what: "TLS client certificates of CPEs: off, accept or require",
  },
  {
    key: "cpeAuth.perRequest",
    default: false,
    env: "CONVERGE_CPE_AUTH_PER_REQUEST",
    kind: "bool",
    what: "authenticate every request, not only the Inform (or per model: `quirks:`)",
  },
  { key: "tls.cert", default: undefined, env: "CONVERGE_TLS_CERT", kind: "string", what: "TLS certificate (PEM); with tls.key turns TLS on" },
  { key: "tls.key", default: undefined, env: "CONVERGE_TLS_KEY", kind: "string", what: "TLS private key (PEM)" },
  { key: "tls.ca", default: undefined, env: "CONVERGE_TLS_CA", kind: "string", what: "CA that signs CPE client certificates" },
  { key: "tls.requestClientCert", default: false, env: "CONVERGE_TLS_REQUEST_CLIENT_CERT", kind: "bool", what: "ask CPEs for client certificates" },
  { key: "limits.maxSessions", default: 2000, env: "CONVERGE_MAX_SESSIONS", kind: "int", what: "concurrent sessions" },
  { key: "limits.maxRpcsPerSession", default: 64, env: "CONVERGE_MAX_RPCS_PER_SESSION", kind: "int", what: "ACS requests per session" },
  { key: "limits.maxReplanRounds", default: 32, what: "planner rounds per session" },
  { key: "limits.sessionIdleMs", default: 30_000, env: "CONVERGE_SESSION_IDLE_MS", kind: "int", what: "idle session timeout (ms)" },
  { key: "limits.maxBodyBytes", default: 8 * 1024 * 1024, env: "CONVERGE_MAX_BODY_BYTES", kind: "int", what: "HTTP body size, received and inflated" },
  {
    key: "limits.downloadTimeoutMs",
    default: 3_600_000,
    env: "CONVERGE_DOWNLOAD_TIMEOUT_MS",
    kind: "int",
    what: "wait for a Download's TransferComplete (ms)",
  },
  {
    key: "limits.firmwareApplyInforms",
    default: 2,
    env: "CONVERGE_FIRMWARE_APPLY_INFORMS",
    kind: "int",
    what: "Informs with the old firmware after success",
  },
  {
    key: "limits.firmwareApplyTimeoutMs",
    default: 3_600_000,
    env: "CONVERGE_FIRMWARE_APPLY_TIMEOUT_MS",
    kind: "int",
    what: "time for the new firmware (ms)",
  },
  { key: "limits.maxSessionsPerSource", default: 64, env: "CONVERGE_MAX_SESSIONS_PER_SOURCE", kind: "int", what: "sessions of one identity or IP" },
  {
    key: "limits.unauthenticatedIdleMs",
    default: 10_000,
    env: "CONVERGE_UNAUTHENTICATED_IDLE_MS",
    kind: "int",
    what: "idle timeout without an identity (ms)",
  },
  {
    key: "limits.maxCpeRequestsPerSession",
    default: 32,
    env: "CONVERGE_MAX_CPE_REQUESTS_PER_SESSION",
    kind: "int",
    what: "CPE requests per session",
  },
  { key: "limits.maxStoredValueChars", default: 65_536, env: "CONVERGE_MAX_STORED_VALUE_CHARS", kind: "int", what: "longest stored string" },
  { key: "limits.maxFaultStringChars", default: 1024, env: "CONVERGE_MAX_FAULT_STRING_CHARS", kind: "int", what: "fault strings cut to this length" },
  { key: "kick.onReload", default: false, env: "CONVERGE_KICK_ON_RELOAD", kind: "bool", what: "connection requests to the devices a reload changes" },
  { key: "kick.perSecond", default: 20, env: "CONVERGE_KICK_PER_SECOND", kind: "number", what: "kicks started per second" },
  { key: "kick.concurrency", default: 16, what: "kicks in flight" },
  {
    key: "connectionRequest.provisionCredentials",
    default: true,
    env: "CONVERGE_CONNREQ_PROVISION",
    kind: "bool",
    what: "provision per-device connection-request credentials",
  },
  { key: "connectionRequest.allowBasic", default: false, env: "CONVERGE_CONNREQ_ALLOW_BASIC", kind: "bool", what: "answer a Basic-only challenge" },
  { key: "connectionRequest.timeoutMs", default: 5_000, what: "connection request timeout (ms)" },
  {
    key: "connectionRequest.allowedNetworks",
    default: [],
    env: "CONVERGE_CONNREQ_ALLOWED_NETWORKS",
    kind: "list",
    what: "CIDR networks connection requests may target, comma separated",
  },
  {
    key: "connectionRequest.perTargetPerMinute",
    default: 6,
    env: "CONVERGE_CONNREQ_PER_TARGET_PER_MINUTE",
    kind: "int",
    what: "connection requests per target per minute",
  },
  { key: "files.dir", default: "./files", env: "CONVERGE_FILES_DIR", kind: "string", what: "folder served as /files/ on the CWMP port" },
  { key: "files.publicUrl", default: undefined, env: "CONVERGE_FILES_PUBLIC_URL", kind: "string", what: "base URL CPEs fetch files at" },
  { key: "files.auth", default: "open", env: "CONVERGE_FILES_AUTH", kind: "string", what: "open, or cpe (CWMP credentials)" },
  { key: "reloadDebounceMs", default: 300, what: "policy reload debounce (ms)" },
  { key: "rollout.default", default: "immediate", env: "CONVERGE_ROLLOUT_DEFAULT", kind: "json", what: "rollout strategy: immediate, staged or JSON" },
  { key: "rollout.tickMs", default: 5_000, env: "CONVERGE_ROLLOUT_TICK_MS", kind: "int", what: "how often rollout gates are judged (ms)" },
  { key: "quirks", default: [], env: "CONVERGE_QUIRKS", kind: "json", what: "per-model CPE quirk switches (JSON list in the variable)" },
  {
    key: "cluster.url",
    default: undefined,
    env: "CONVERGE_CLUSTER_URL",
    kind: "string",
    what: "PostgreSQL the nodes coordinate through (default: the store's when postgres://)",
  },
  { key: "cluster.nodeId", default: undefined, env: "CONVERGE_NODE_ID", kind: "string", what: "this node's name in the registry (default: host name + pid)" },
  {
    key: "cluster.heartbeatMs",
    default: 2_000,
    env: "CONVERGE_CLUSTER_HEARTBEAT_MS",
    kind: "int",
    what: "node heartbeat, revision record and lease renewal (ms)",
  },
  {
    key: "cluster.nodeTimeoutMs",
    default: 10_000,
    env: "CONVERGE_CLUSTER_NODE_TIMEOUT_MS",
    kind: "int",
    what: "a node silent for longer is dead: its leases are free (ms)",
  },
];

/** The settings that have an environment variable, in table order. */
export const ENV_SETTINGS: readonly (Setting & { readonly env: string; readonly kind: EnvKind })[] = SETTINGS.filter(
  (s): s is Setting & { env: string; kind: EnvKind } => s.env !== undefined && s.kind !== undefined,
);

const shown = (v: unknown): string => (v === undefined ? "-" : typeof v === "string" ? v : JSON.stringify(v));

/** The variables as `converge serve --help` lists them: one line each, aligned. */
export function envHelp(): string {
  const width = Math.max(...ENV_SETTINGS.map((s) => s.env.length));
  return ENV_SETTINGS.map((s) => `  ${s.env.padEnd(width)}  ${s.key} (default ${shown(s.default)}): ${s.what}`).join("\n");
}

/** The Markdown table of docs/operations.md (between its `settings-table` markers). */
export function settingsTable(): string {
  const rows = SETTINGS.map(
    (s) =>
      `| \`${s.key}\` | ${s.env === undefined ? "" : `\`${s.env}\``} | ${s.default === undefined ? "" : `\`${shown(s.default)}\``} | ${s.what.replace(/\|/g, "\\|")} |`,
  );
  return ["| key | environment variable | default | what |", "|---|---|---|---|", ...rows].join("\n");
}

/** Every variable, as README.md lists them (between its `settings:env` markers). */
export function envList(): string {
  return ENV_SETTINGS.map((s) => `\`${s.env}\``).join(", ");
}

/** `text` with the block between `<!-- settings:NAME -->` and `<!-- /settings:NAME -->` replaced by `body`. */
export function replaceBlock(text: string, name: string, body: string): string {
  const open = `<!-- settings:${name} -->`;
  const close = `<!-- /settings:${name} -->`;
  const a = text.indexOf(open);
  const b = text.indexOf(close);
  if (a < 0 || b < a) throw new Error(`no ${open} ... ${close} block`);
  return `${text.slice(0, a + open.length)}\n${body}\n${text.slice(b)}`;
}
