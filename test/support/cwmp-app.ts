/**
 * A CWMP app built by buildCwmpApp from real parts (SQLite in memory, the real metrics wiring, the real CPE
 * authenticator when asked), for HTTP-level tests through fastify's inject() or a real 127.0.0.1 port.
 * Log lines the endpoint writes are kept in `lines`.
 */
import type { FastifyInstance } from "fastify";
import { buildConfig, planLimitsOf, type Config } from "../../src/config/config.js";
import { openSqliteStore } from "../../src/store/sqlite-store.js";
import type { Store } from "../../src/domain/store.js";
import { buildCwmpApp } from "../../src/server/cwmp-app.js";
import type { CwmpEndpoint } from "../../src/server/cwmp-route.js";
import type { CwmpDeps } from "../../src/server/cwmp-deps.js";
import { createObservability, type Observability } from "../../src/server/observability.js";
import { createCpeAuthenticator } from "../../src/server/cpe-auth-wiring.js";
import { modelSettingsFor } from "../../src/server/model-selector.js";
import { keyedHasher } from "../../src/reconcile/parameter-key.js";

export interface LogLine {
  readonly level: "info" | "debug" | "warn";
  readonly obj: Record<string, unknown>;
  readonly msg: string;
}

export interface TestCwmpApp {
  readonly app: FastifyInstance;
  readonly endpoint: CwmpEndpoint;
  readonly store: Store;
  readonly obs: Observability;
  readonly cfg: Config;
  readonly lines: LogLine[];
  /** The test clock (ms); advance it to expire sessions or open rate-limit windows. */
  readonly clock: { now: number };
  close(): Promise<void>;
}

export async function buildTestCwmpApp(env: Readonly<Record<string, string>> = {}, over: Partial<CwmpDeps> = {}): Promise<TestCwmpApp> {
  const built = buildConfig(env, undefined);
  if (!built.ok) throw new Error(built.error.join("\n"));
  const cfg = built.value;
  const store = openSqliteStore(":memory:");
  const obs = createObservability(store, { current: () => undefined });
  const lines: LogLine[] = [];
  const log = {
    info: (obj: object, msg: string) => void lines.push({ level: "info", obj: obj as Record<string, unknown>, msg }),
    debug: (obj: object, msg: string) => void lines.push({ level: "debug", obj: obj as Record<string, unknown>, msg }),
    warn: (obj: object, msg: string) => void lines.push({ level: "warn", obj: obj as Record<string, unknown>, msg }),
  };
  const clock = { now: 1_700_000_000_000 };
  const hashWriteOnly = keyedHasher(await store.installationKey());
  const perModel = modelSettingsFor(cfg);
  const deps: CwmpDeps = {
    log,
    hashWriteOnly,
    store,
    desired: () => undefined,
    revision: () => undefined,
    snapshot: () => undefined,
    quirks: (f) => perModel(f).quirks,
    clock: () => clock.now,
    limits: { ...cfg.limits, ...planLimitsOf(cfg.limits) },
    holdRequests: false,
    ...(cfg.cpeAuth.mode !== "open" ? { authenticate: createCpeAuthenticator(cfg, false) } : {}),
    ...(cfg.cpeAuth.username !== undefined ? { sharedCpeUsername: cfg.cpeAuth.username } : {}),
    authPerRequest: (f) => perModel(f).authPerRequest,
    xmlDeclaration: (f) => perModel(f).xmlDeclaration,
    hooks: obs.hooks,
    ...over,
  };
  const { app, endpoint } = buildCwmpApp(deps, { logger: false, path: cfg.cwmp.path });
  await app.ready();
  return {
    app,
    endpoint,
    store,
    obs,
    cfg,
    lines,
    clock,
    async close() {
      await endpoint.close();
      await app.close();
      await store.close();
    },
  };
}
