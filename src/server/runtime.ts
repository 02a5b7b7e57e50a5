/**
 * The composition root of `converge serve`: Config -> Store -> PolicySource -> CWMP endpoint + REST API.
 * Everything with I/O is created here and handed to the factories; nothing below reads process.env.
 */
import { fileURLToPath } from "node:url";
import type { FastifyBaseLogger, FastifyInstance } from "fastify";
import type { Logger } from "pino";
import { createMaskedLogger, type MaskedLogger } from "./logging.js";
import { planLimitsOf, type Config } from "../config/config.js";
import { openStore } from "../store/open.js";
import type { Store } from "../domain/store.js";
import { createPolicySource, type PolicySource } from "../policy/source.js";
import type { CwmpEndpoint } from "./cwmp-route.js";
import { buildCwmpApp } from "./cwmp-app.js";
import { modelSettingsFor } from "./model-selector.js";
import type { CwmpDeps, SessionSummary } from "./cwmp-deps.js";
import { keyedHasher } from "../reconcile/parameter-key.js";
import { changedDevices } from "./kick.js";
import { buildApiApp } from "./api/app.js";
import { loadTlsOptions, type TlsServerOptions } from "../auth/tls.js";
import { createDesiredResolver } from "./desired-resolver.js";
import { createApiDeps } from "./api-wiring.js";
import { CPE_PASSWORD_SECRET, createCpeAuthenticator, sharedNonceSecret } from "./cpe-auth-wiring.js";
import { parseDeviceId } from "../domain/device.js";
import { createObservability, type Observability } from "./observability.js";
import { createReach, type Reach } from "./reach.js";
import { RolloutManager, type FleetDevice } from "../rollout/manager.js";
import { maskUrl } from "../store/target.js";
import type { RolloutStore } from "../rollout/store-port.js";
import { compileStoredVersion } from "../rollout/versions.js";
import { parseStrategy } from "../rollout/strategy.js";
import { IMMEDIATE, type Strategy } from "../rollout/types.js";
import { factsOfRecord } from "../plan/device-plan.js";
import { registerRolloutMetrics } from "./rollout-metrics.js";
import { allowedNetworksProblem } from "./connreq-guard.js";
import { registerFilesRoute } from "./files-route.js";
import type { HostedFiles } from "./desired-resolver.js";
import type { DeviceId } from "../domain/device.js";
import { SYSTEM_TIMERS, type Timers } from "../domain/clock.js";
import { hostname } from "node:os";
import type { Cluster } from "../cluster/port.js";
import { localCluster } from "../cluster/local.js";
import { openPgCluster } from "../cluster/pg.js";
import { createMembership, type Membership } from "./cluster-membership.js";
import { createClusterRelay } from "./cluster-relay.js";
import type { RolloutCoordination } from "../rollout/manager.js";

/** Where the nodes coordinate: `cluster.url`, else the store's URL when it is PostgreSQL, else nowhere (one node). */
export function clusterUrlOf(cfg: Config): string | undefined {
  return cfg.cluster.url ?? (/^postgres(ql)?:\/\//i.test(cfg.db) ? cfg.db : undefined);
}

/** A lease outlives a quiet session (the idle sweeper ends it first) and several missed heartbeats. */
function leaseMsOf(cfg: Config): number {
  return Math.max(cfg.limits.sessionIdleMs + cfg.cluster.heartbeatMs, 3 * cfg.cluster.heartbeatMs);
}

async function openCluster(cfg: Config): Promise<Cluster> {
  const nodeId = cfg.cluster.nodeId ?? `${hostname()}-${process.pid}`;
  const url = clusterUrlOf(cfg);
  if (url === undefined) return localCluster(nodeId);
  return openPgCluster({ url, nodeId, leaseMs: leaseMsOf(cfg), nodeTimeoutMs: cfg.cluster.nodeTimeoutMs });
}

/**
 * When the leases live in the store's own database (PostgreSQL, no other `cluster.url`), every session step is
 * fenced by the device's lease in its own transaction (store/pg/fence.ts). A `cluster.url` of another database
 * cannot be: docs/operations.md §15.
 */
function storeFence(cfg: Config, cluster: Cluster): CwmpDeps["fence"] {
  return cluster.shared && /^postgres(ql)?:\/\//i.test(cfg.db) && clusterUrlOf(cfg) === cfg.db ? { node: cluster.nodeId, leaseMs: leaseMsOf(cfg) } : undefined;
}

/** A kick from every node's reload or rollout is sent by one node: the one that claims each device first. */
async function* claimedBy(cluster: Cluster, key: string, ttlMs: number, ids: AsyncIterable<DeviceId> | Iterable<DeviceId>): AsyncGenerator<DeviceId> {
  for await (const id of ids) if (await cluster.claim(key, id, ttlMs)) yield id;
}

/** Claims outlive a kick run (minutes) but not the next change to the same revisions. */
const KICK_CLAIM_MS = 10 * 60_000;

/** The CWMP listener's URL as a CPE can use it: a wildcard bind address becomes this host's name. */
function publicBase(listenUrl: string): string {
  const u = new URL(listenUrl);
  if (u.hostname === "0.0.0.0" || u.hostname === "[::]") u.hostname = hostname();
  return u.origin;
}

/** files.auth: cpe: the device's own CWMP credentials when it has them, else the shared ones. */
function hostedFileCredentials(cfg: Config, secrets: ReadonlyMap<string, string>, id: DeviceId): { username: string; password: string } | undefined {
  const own = secrets.get(CPE_PASSWORD_SECRET);
  if (own !== undefined) return { username: id, password: own };
  const { username, password } = cfg.cpeAuth;
  return username !== undefined && password !== undefined ? { username, password } : undefined;
}

/** The console bundle (npm run build:console): dist/console/ at the package root, from src/server or dist/server. */
const CONSOLE_DIR = fileURLToPath(new URL("../../dist/console/", import.meta.url));

export interface Running {
  readonly cwmpUrl: string;
  readonly apiUrl: string;
  readonly store: Store;
  readonly endpoint: CwmpEndpoint;
  readonly log: Logger;
  readonly rollouts: RolloutManager;
  /** The REST API app (its routes: api/app.ts apiRoutes). */
  readonly api: FastifyInstance;
  close(): Promise<void>;
}

/**
 * What tests (and embedders) may inject: the rollouts' clock (soak, gates, windows), and the timers of the kick
 * pacer, of converge-now's wait for the session and of the policy reload debounce (a fake clock the test
 * advances; default the system's).
 */
export interface StartOptions {
  readonly clock?: () => number;
  readonly timers?: Timers;
}

/** The configured default strategy, or the problems with it (config key rollout.default). */
export function defaultStrategyOf(cfg: Config): { readonly strategy: Strategy; readonly problems: readonly string[] } {
  const r = parseStrategy(cfg.rollout.default, "");
  const problems = r.issues.filter((i) => i.severity === "error").map((i) => `config key rollout.default${i.pointer.replace(/\//g, ".")}: ${i.message}`);
  return { strategy: r.strategy ?? IMMEDIATE, problems };
}

function listenUrl(app: FastifyInstance, tls: boolean): string {
  const addr = app.server.address();
  if (addr === null || typeof addr === "string") return String(addr);
  const host = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
  return `${tls ? "https" : "http"}://${host}:${addr.port}`;
}

/** Refuses configurations that would expose the API or CPE credentials carelessly. */
export function configProblems(cfg: Config): string[] {
  const out: string[] = [];
  const loopback = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/.test(cfg.api.bind);
  if (!loopback && cfg.api.tokens.length === 0) {
    out.push(
      `api.bind is ${cfg.api.bind} but no API tokens are configured: refusing to expose an unauthenticated API (set CONVERGE_API_TOKENS, see docs/operations.md)`,
    );
  }
  if (cfg.files.auth === "cpe" && cfg.cpeAuth.mode === "open") {
    out.push("files.auth is cpe but cpeAuth.mode is open: there are no CPE credentials to ask for (set cpeAuth.mode, or files.auth: open)");
  }
  if (cfg.cpeAuth.mode !== "open" && Boolean(cfg.cpeAuth.username) !== Boolean(cfg.cpeAuth.password)) {
    out.push(`cpeAuth.username and cpeAuth.password go together (shared credentials); leave both out for per-device credentials only`);
  }
  const tlsOn = cfg.tls.cert !== undefined && cfg.tls.key !== undefined;
  if (cfg.tls.requestClientCert && (!tlsOn || cfg.tls.ca === undefined)) {
    out.push("tls.requestClientCert needs tls.cert, tls.key and tls.ca (the CA that signs CPE certificates)");
  }
  out.push(...defaultStrategyOf(cfg).problems);
  const networks = allowedNetworksProblem(cfg.connectionRequest.allowedNetworks);
  if (networks) out.push(networks);
  const cert = cfg.cpeAuth.clientCert;
  if (cert !== "off") {
    if (!tlsOn || cfg.tls.ca === undefined || !cfg.tls.requestClientCert) {
      out.push(`cpeAuth.clientCert is ${cert} but TLS does not ask CPEs for certificates: set tls.cert, tls.key, tls.ca and tls.requestClientCert: true`);
    }
    // startServer builds the CPE authenticator only for modes other than "open".
    if (cfg.cpeAuth.mode === "open")
      out.push(`cpeAuth.clientCert is ${cert} but cpeAuth.mode is open (every CPE is accepted): set mode to digest, basic or any`);
  }
  return out;
}

/**
 * `logger`: the masked logger (server/logging.ts) to use, default one at `cfg.logLevel` on stdout. A plain pino
 * Logger is accepted too (its lines are masked structurally only where the caller configured it).
 */
export async function startServer(cfg: Config, logger: Logger | MaskedLogger = createMaskedLogger(cfg.logLevel), options: StartOptions = {}): Promise<Running> {
  const masked: MaskedLogger | undefined = "setSecrets" in logger ? logger : undefined;
  const log: Logger = "setSecrets" in logger ? logger.log : logger;
  const problems = configProblems(cfg);
  if (problems.length > 0) throw new Error(problems.join("\n"));
  // Everything that can refuse the configuration runs before anything is opened: a refusal leaks nothing.
  const tls = loadTlsOptions(cfg.tls);
  let opened: Store | undefined;
  const perDevice = async (u: string): Promise<string | undefined> => {
    const id = parseDeviceId(u);
    return id ? opened?.getSecret(id, CPE_PASSWORD_SECRET) : undefined;
  };
  const checked = cfg.cpeAuth.mode !== "open" ? createCpeAuthenticator(cfg, tls !== undefined, perDevice) : undefined;
  const target = await openStore(cfg.db, { poolSize: cfg.store.poolSize, groupCommit: cfg.store.groupCommit });
  const store = target.store;
  opened = store;
  const policies = createPolicySource({
    dir: cfg.policies,
    secretsFile: cfg.secretsFile,
    debounceMs: cfg.reloadDebounceMs,
    log,
    offThread: true,
    filesDir: cfg.files.dir,
    ...(options.timers ? { timers: options.timers } : {}),
  });
  const rolloutStore = target.rollouts();
  let cluster: Cluster | undefined;
  try {
    cluster = await openCluster(cfg);
    // Several nodes sign Digest nonces with one key (derived from the installation's): any node checks any nonce.
    const authenticate =
      checked && cluster.shared ? createCpeAuthenticator(cfg, tls !== undefined, perDevice, sharedNonceSecret(await store.installationKey())) : checked;
    masked?.setSecrets(() => {
      const set = policies.current();
      return set?.lookups.secretValues?.() ?? [];
    });
    return await assemble(cfg, log, {
      tls,
      authenticate,
      store,
      policies,
      rolloutStore,
      cluster,
      clock: options.clock ?? Date.now,
      timers: options.timers ?? SYSTEM_TIMERS,
    });
  } catch (e) {
    await cluster?.close().catch(() => undefined);
    await policies.close();
    await rolloutStore.close();
    await store.close();
    throw e;
  }
}

interface Parts {
  readonly tls: TlsServerOptions | undefined;
  readonly authenticate: CwmpDeps["authenticate"];
  readonly store: Store;
  readonly policies: PolicySource;
  readonly rolloutStore: RolloutStore;
  readonly cluster: Cluster;
  readonly clock: () => number;
  readonly timers: Timers;
}

async function* fleetOf(store: Store): AsyncGenerator<FleetDevice> {
  for await (const id of store.eachDeviceId()) {
    const d = await store.getDevice(id);
    if (d) yield { facts: factsOfRecord(d, await store.loadReported(id)) };
  }
}

/** Several nodes: rollout sections under one advisory lock, gates judged by one leader, changes announced. */
function rolloutCoordination(cluster: Cluster, cfg: Config, log: Logger): RolloutCoordination | undefined {
  if (!cluster.shared) return undefined;
  // The leader renews its claim at every tick; another node takes over after three missed ticks (or its death).
  const ttlMs = Math.max(3 * cfg.rollout.tickMs, cfg.cluster.nodeTimeoutMs);
  return {
    exclusive: (fn) => cluster.exclusive("rollouts", fn),
    leads: () => cluster.lead("rollout-gates", ttlMs),
    announce: () => void cluster.publish({ topic: "rollouts" }).catch((e: unknown) => log.warn({ err: e }, "rollout change not announced")),
  };
}

async function assemble(cfg: Config, log: Logger, { tls, authenticate, store, policies, rolloutStore, cluster, clock, timers }: Parts): Promise<Running> {
  let endpointRef: CwmpEndpoint | undefined;
  let reachRef: Reach | undefined;
  const coordination = rolloutCoordination(cluster, cfg, log);
  const rollouts = await RolloutManager.open({
    store: rolloutStore,
    fleet: () => fleetOf(store),
    clock,
    defaultStrategy: defaultStrategyOf(cfg).strategy,
    log: log.child({ part: "rollout" }),
    compile: (revision, sources) => compileStoredVersion({ revision, sources }, cfg.secretsFile === undefined ? {} : { secretsFile: cfg.secretsFile }),
    // Several nodes: only the node that starts a rollout or advances its wave (in the cluster's rollout section) kicks.
    kick: (ids) => reachRef?.kick(ids),
    ...(coordination ? { coordination } : {}),
  });
  cluster.onMessage((m) => {
    if (m.topic === "rollouts") rollouts.reload().catch((e: unknown) => log.warn({ err: e }, "rollouts not reloaded"));
  });
  policies.beforeChange((set, previous) => rollouts.changed(set, previous));
  const first = await policies.reload();
  if (!first.ok) log.error({ errors: first.error }, "policies rejected at start-up: serving without policies until a valid change arrives");
  policies.watch();
  const obs: Observability = createObservability(store, policies, () => endpointRef?.sessions.size ?? 0);
  policies.onReject(() => obs.reloadFailed());
  registerRolloutMetrics(obs.metrics.registry, rollouts);
  const relay = createClusterRelay({ cluster, reach: () => reachRef, connReqTimeoutMs: cfg.connectionRequest.timeoutMs, now: Date.now, log });
  const debugDevices = relay.debugDevices;
  // Write-only values are fingerprinted with the installation's own key (created by the store on first use).
  const hashWriteOnly = keyedHasher(await store.installationKey());
  // Hosted files are served on the CWMP listener; their URL is known once it listens (or is configured).
  let filesBase: string | undefined = cfg.files.publicUrl;
  const hosted: HostedFiles = {
    base: () => filesBase,
    ...(cfg.files.auth === "cpe" ? { credentials: (id: DeviceId, secrets: ReadonlyMap<string, string>) => hostedFileCredentials(cfg, secrets, id) } : {}),
  };
  const perModel = modelSettingsFor(cfg);
  const resolver = createDesiredResolver({
    current: () => policies.current(),
    provisionConnReq: cfg.connectionRequest.provisionCredentials,
    hosted,
    pins: (f) => rollouts.pinsFor(f),
    connReqUsername: (f) => perModel(f).connReqUsername,
  });
  // Never a connection-request target: the ports this process listens on (known once it listens).
  const ownPorts: number[] = [cfg.cwmp.port, cfg.api.port].filter((p) => p > 0);
  // Several nodes: every connection request of the cluster takes a token of one shared bucket (kick.perSecond).
  const perSecond = cfg.kick.perSecond;
  const globalRate = cluster.shared
    ? async (): Promise<void> => {
        for (let wait = await cluster.take("connection-requests", perSecond, Math.max(1, perSecond)); wait > 0;) {
          await new Promise<void>((resolve) => timers.setTimeout(resolve, wait));
          wait = await cluster.take("connection-requests", perSecond, Math.max(1, perSecond));
        }
      }
    : undefined;
  const reach: Reach = createReach({
    store,
    cfg,
    log,
    resolver,
    hashWriteOnly,
    timers,
    onOutcome: (kind) => obs.connectionRequest(kind),
    ownPorts: () => ownPorts,
    ...(globalRate ? { globalRate } : {}),
  });
  reachRef = reach;
  const hooks = {
    ...obs.hooks,
    onSessionEnd: (s: SessionSummary) => {
      obs.hooks.onSessionEnd?.(s);
      reach.sessionEnded(s);
      relay.sessionEnded(s);
      rollouts.sessionEnded({ deviceId: s.deviceId, converged: s.converged, rpcs: s.rpcs, faults: s.faults ?? [] });
    },
  };
  let ticking = false;
  const ticker = setInterval(() => {
    if (ticking) return;
    ticking = true;
    rollouts
      .tick()
      .catch((e: unknown) => log.error({ err: e }, "rollout tick failed"))
      .finally(() => (ticking = false));
  }, cfg.rollout.tickMs);
  ticker.unref();
  if (cfg.kick.onReload)
    policies.onChange((set, previous) => {
      const label = `reload ${previous?.revision ?? "(none)"} -> ${set.revision}`;
      const changed = changedDevices(store, resolver, set, previous);
      // Every node reloads the same commit: each device of the change is kicked by the first node to claim it.
      reach.kick(cluster.shared ? claimedBy(cluster, label, KICK_CLAIM_MS, changed) : changed, label);
    });
  const fence = storeFence(cfg, cluster);
  const deps: CwmpDeps = {
    log: log.child({ part: "session" }),
    store,
    desired: resolver,
    provisionConnReq: cfg.connectionRequest.provisionCredentials,
    revision: () => policies.current()?.revision,
    snapshot: () => {
      const s = policies.current();
      // The rollout epoch changes whenever some device's pinned version may have changed (a wave started).
      return s ? `${s.revision}#${s.secretsDigest}#${rollouts.epoch()}` : undefined;
    },
    quirks: (f) => perModel(f).quirks,
    clock: Date.now,
    limits: { ...cfg.limits, ...planLimitsOf(cfg.limits) },
    holdRequests: cfg.cwmp.holdRequests,
    hashWriteOnly,
    secretValues: () => policies.current()?.lookups.secretValues?.() ?? [],
    ...(authenticate ? { authenticate } : {}),
    authPerRequest: (f) => perModel(f).authPerRequest,
    xmlDeclaration: (f) => perModel(f).xmlDeclaration,
    ...(cfg.cpeAuth.username !== undefined ? { sharedCpeUsername: cfg.cpeAuth.username } : {}),
    hooks,
    debugDevices,
    cluster,
    ...(fence ? { fence } : {}),
  };
  const cwmpLog: FastifyBaseLogger = log.child({ part: "cwmp" });
  const { app: cwmp, endpoint } = buildCwmpApp(deps, { logger: cwmpLog, path: cfg.cwmp.path, ...(tls ? { tls } : {}) });
  endpointRef = endpoint;
  const membership: Membership = createMembership({
    cluster,
    endpoint,
    revision: () => policies.current()?.revision,
    heartbeatMs: cfg.cluster.heartbeatMs,
    registry: obs.metrics.registry,
    log: log.child({ part: "cluster" }),
  });
  await membership.beat();
  registerFilesRoute(cwmp, { dir: cfg.files.dir, ...(cfg.files.auth === "cpe" && authenticate ? { authenticate } : {}) });
  const apiLog: FastifyBaseLogger = log.child({ part: "api" });
  const cleanups: (() => void)[] = [];
  const api = await buildApiApp(
    createApiDeps({
      store,
      policies,
      resolver,
      endpoint,
      cfg,
      obs,
      reach,
      debugDevices,
      convergeNow: relay.convergeNow,
      cluster,
      hashWriteOnly,
      rollouts,
      membership,
      consoleDir: CONSOLE_DIR,
      onClose: (fn) => cleanups.push(fn),
    }),
    {
      logger: apiLog,
      bodyLimit: 1024 * 1024,
      ...(tls ? { tls } : {}),
    },
  );
  const close = async (): Promise<void> => {
    for (const fn of cleanups) fn();
    clearInterval(ticker);
    reach.close();
    membership.close();
    await endpoint.close();
    await cluster.close().catch((e: unknown) => log.warn({ err: e }, "cluster close failed"));
    await policies.close();
    await Promise.allSettled([cwmp.close(), api.close()]);
    await rollouts.flushed();
    await rolloutStore.close();
    await store.close();
  };
  try {
    await cwmp.listen({ port: cfg.cwmp.port, host: cfg.cwmp.bind });
    await api.listen({ port: cfg.api.port, host: cfg.api.bind });
  } catch (e) {
    clearInterval(ticker);
    reach.close();
    membership.close();
    await endpoint.close();
    await Promise.allSettled([cwmp.close(), api.close()]);
    throw e;
  }
  for (const app of [cwmp, api]) {
    const addr = app.server.address();
    if (addr !== null && typeof addr !== "string") ownPorts.push(addr.port);
  }
  const cwmpUrl = listenUrl(cwmp, tls !== undefined);
  filesBase ??= publicBase(cwmpUrl);
  const apiUrl = listenUrl(api, tls !== undefined);
  if (cfg.api.tokens.length === 0) log.warn(`REST API on ${apiUrl} has no tokens: listening on loopback only`);
  if (cfg.cpeAuth.mode === "open") log.warn("CPE authentication is open (lab mode): any device may inform");
  log.info({ cwmpUrl, apiUrl, db: maskUrl(cfg.db), policies: cfg.policies, revision: policies.current()?.revision }, "converge serving");
  return { cwmpUrl, apiUrl, store, endpoint, log, api, rollouts, close };
}
