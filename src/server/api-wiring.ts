/** Builds the REST API's dependencies from the running parts. */
import { planLimitsOf, type Config } from "../config/config.js";
import type { Membership } from "./cluster-membership.js";
import type { DeviceId } from "../domain/device.js";
import { createTokenAuth } from "../auth/tokens.js";
import { createRateLimiter } from "../auth/rate-limit.js";
import { explainData } from "../plan/explain.js";
import { factsOfRecord, planDevice } from "../plan/device-plan.js";
import type { Store } from "../domain/store.js";
import type { ApiDeps, PolicySummary } from "./api/deps.js";
import type { CwmpEndpoint } from "./cwmp-route.js";
import { DEFAULT_QUIRKS } from "../reconcile/limits.js";
import type { DeviceQuirks } from "../reconcile/types.js";
import { modelSettingsFor } from "./model-selector.js";
import { createDesiredResolver, type DesiredResolver } from "./desired-resolver.js";
import { createFleetPlanJob } from "./fleet-plan-job.js";
import type { Observability } from "./observability.js";
import type { PolicySource } from "../policy/source.js";
import type { Reach } from "./reach.js";
import type { Cluster } from "../cluster/port.js";
import { randomUUID } from "node:crypto";
import type { RolloutManager } from "../rollout/manager.js";
import type { RolloutRecord, RolloutState } from "../rollout/types.js";
import { countWaves, rolloutView, type RolloutView } from "../rollout/view.js";
import type { RolloutApi } from "./api/deps.js";
import { keyedDigest, type WriteOnlyHasher } from "../reconcile/parameter-key.js";
import { safeEqual } from "../auth/safe-equal.js";
import { knownSecrets } from "../domain/mask.js";
import { readDmIndex } from "../datamodel/dm-index-file.js";
import { lookupParam, xsdTypeOf, type DmIndex } from "../datamodel/dm-index.js";
import type { XsdType } from "../domain/xsd.js";

export interface ApiWiring {
  readonly store: Store;
  readonly policies: Pick<PolicySource, "current" | "lastError" | "reload" | "folderState"> & Partial<Pick<PolicySource, "onReject">>;
  readonly resolver: DesiredResolver;
  readonly endpoint: CwmpEndpoint;
  readonly cfg: Config;
  readonly obs: Observability;
  readonly reach: Reach;
  readonly debugDevices: Set<string>;
  /** The cluster port (several nodes: a delete takes the device's lease). */
  readonly cluster?: Cluster;
  /** Converge now (default: the reach's; several nodes: one connection request across them, cluster-relay.ts). */
  readonly convergeNow?: Reach["convergeNow"];
  readonly hashWriteOnly: WriteOnlyHasher;
  /** Where the console bundle is served from (undefined: no console). */
  readonly consoleDir?: string;
  /** Registers a cleanup for server shutdown. */
  readonly onClose?: (fn: () => void) => void;
  readonly rollouts?: RolloutManager;
  readonly membership?: Membership;
}

/** The API's view of the rollout manager. */
export function rolloutApi(m: RolloutManager): RolloutApi {
  const view = async (r: RolloutRecord, detail: boolean, devices: boolean): Promise<RolloutView> => {
    const live = m.counts(r.id);
    const list = live === undefined || devices ? await m.storedAssignments(r.id) : undefined;
    const counts = live ?? countWaves(r, list ?? []);
    return rolloutView(r, counts, { ...(detail ? { events: await m.events(r.id) } : {}), ...(devices && list ? { devices: list } : {}) });
  };
  return {
    list: async (state) => Promise.all(m.list(state as RolloutState | undefined).map((r) => view(r, false, false))),
    get: async (id, devices) => {
      const r = m.get(id);
      return r === undefined ? undefined : view(r, true, devices);
    },
    control: async (id, action) => {
      const r = await m.control(id, action);
      return r.ok ? { ok: true, rollout: await view(r.rollout, true, false) } : r;
    },
    deviceVersions: (id) => m.deviceVersions(id),
  };
}

async function summary(w: ApiWiring, lastRejected: PolicySummary["lastRejected"]): Promise<PolicySummary> {
  const set = w.policies.current();
  const last = w.policies.lastError();
  // As matched at each device's last session: one query, never a scan of the fleet on the ACS's event loop.
  const counts = await w.store.countByPolicy();
  return {
    revision: set?.revision,
    loadedAt: set?.loadedAt,
    policies: (set?.policies ?? []).map((p) => {
      const r = w.rollouts?.forPolicy(p.name);
      const running = r !== undefined && (r.state === "running" || r.state === "paused");
      return {
        name: p.name,
        file: p.file,
        priority: p.priority,
        matches: counts[p.name] ?? 0,
        // A rollout in force (running, paused, aborted, rolled back) serves its stable version to (some) devices.
        stableRevision: r === undefined ? (set?.revision ?? null) : (r.stableRevision ?? null),
        canaryRevision: running ? r.canaryRevision : null,
        rollout: r === undefined ? null : { id: r.id, state: r.state, wave: r.wave, waves: r.strategy.waves.length },
      };
    }),
    errors: last?.errors ?? [],
    lastErrorAt: last?.at,
    lastRejected,
    folder: w.policies.folderState(),
  };
}

let dm: DmIndex | undefined | null = null;
/** The standard TR-098/TR-181 type of a parameter path (the data-model index, read once). */
function standardType(path: string): XsdType | undefined {
  if (dm === null) dm = readDmIndex();
  if (!dm) return undefined;
  const found = lookupParam(dm, path, () => undefined);
  return found.kind === "param" ? xsdTypeOf(found.param.t) : undefined;
}

/** A delete's hold on a device: its lease under a session id of its own, released with a state-version bump. */
function holdDevice(cluster: Cluster): NonNullable<ApiDeps["holdDevice"]> {
  return async (id) => {
    const session = `api-delete-${randomUUID()}`;
    const got = await cluster.acquire(id, session);
    if (!got.ok) return { ok: false, node: got.node };
    return { ok: true, release: async () => void (await cluster.release(id, session, got.stateVersion, true)) };
  };
}

export function createApiDeps(w: ApiWiring): ApiDeps {
  const tokens = w.cfg.api.tokens.length > 0 ? createTokenAuth(w.cfg.api.tokens) : undefined;
  const limiter = createRateLimiter({ perSecond: w.cfg.api.rateLimit.perSecond, burst: w.cfg.api.rateLimit.burst, maxKeys: 10_000 });
  const limits = planLimitsOf(w.cfg.limits);
  // The plans shown are what the device's sessions would do: its model's quirks (`quirks:`), as the sessions use.
  const perModel = modelSettingsFor(w.cfg);
  const quirksFor = (m: Parameters<typeof perModel>[0]): DeviceQuirks => perModel(m).quirks;
  let lastRejected: PolicySummary["lastRejected"];
  w.policies.onReject?.((errors) => (lastRejected = { at: Date.now(), errors }));
  const fleetPlan = createFleetPlanJob({
    clock: Date.now,
    context: () => {
      const set = w.policies.current();
      if (!set) return undefined;
      // Plans never write: credentials Converge has not generated yet are not generated for a plan.
      const desired = createDesiredResolver({
        current: () => set,
        provisionConnReq: w.cfg.connectionRequest.provisionCredentials ? "existing" : false,
        connReqUsername: (f) => perModel(f).connReqUsername,
      });
      return {
        revision: set.revision,
        ctx: { store: w.store, desired, limits, quirks: DEFAULT_QUIRKS, quirksFor, now: Date.now(), hashWriteOnly: w.hashWriteOnly },
      };
    },
  });
  w.onClose?.(() => fleetPlan.close());
  return {
    store: w.store,
    clock: Date.now,
    policies: {
      summary: () => summary(w, lastRejected),
      revision: () => w.policies.current()?.revision,
      folder: () => w.policies.folderState(),
      async reload() {
        const r = await w.policies.reload();
        return r.ok ? { ok: true, revision: r.value.revision, errors: [] } : { ok: false, revision: w.policies.current()?.revision, errors: r.error };
      },
    },
    planFor: (id: DeviceId) =>
      planDevice({ store: w.store, desired: w.resolver, limits, quirks: DEFAULT_QUIRKS, quirksFor, now: Date.now(), hashWriteOnly: w.hashWriteOnly }, id),
    paramTypes: async (id) => {
      const params = (await w.store.loadReported(id)).params;
      return (name) => {
        const reported = params.get(name)?.type;
        // A reported xsd:string may be a decoder's default for a missing xsi:type: the standard model knows better.
        if (reported !== undefined && reported !== "xsd:string") return reported;
        return standardType(name) ?? reported;
      };
    },
    compareWriteOnly: async (id, values) => {
      const stored = (await w.store.loadInventory(id)).writeOnlyHashes;
      const key = await w.store.installationKey();
      return values.map(({ path, sha256 }) => {
        const hash = stored.get(path);
        return { path, known: hash !== undefined, applied: hash !== undefined && safeEqual(hash, keyedDigest(key, sha256)) };
      });
    },
    explain: async (id: DeviceId) => {
      const set = w.policies.current();
      const d = await w.store.getDevice(id);
      if (!set || !d) return undefined;
      const facts = factsOfRecord(d, await w.store.loadReported(id));
      return explainData(set, facts, w.rollouts?.pinsFor(facts));
    },
    connectionRequest: (id, waitMs) => (w.convergeNow ?? w.reach.convergeNow)(id, waitMs),
    kick: (ids) => w.reach.kick(ids),
    metrics: () => w.obs.render(),
    ...(tokens ? { auth: (h: string | undefined, scope: "read" | "write") => tokens.check(h, scope) } : {}),
    rateLimit: (key) => {
      const now = Date.now();
      return limiter.take(key, now) ? { ok: true } : { ok: false, retryAfterSeconds: limiter.retryAfterSeconds(key, now) };
    },
    openMetrics: w.cfg.api.openMetrics,
    debugDevices: w.debugDevices,
    changed: (id) => w.endpoint.forget(id),
    ...(w.membership ? { cluster: w.membership.standing } : {}),
    ...(w.rollouts ? { rollouts: rolloutApi(w.rollouts) } : {}),
    secretValues: async (id) => {
      // The passwords Converge keeps for the device (connection-request password, its own CWMP password...).
      // Passwords only: a username (the connection-request one is the device id) is no secret to scrub.
      const own = id ? [...(await w.store.getSecrets(id))].filter(([name]) => name.endsWith("password")).map(([, v]) => v) : [];
      return knownSecrets([...(w.policies.current()?.lookups.secretValues?.() ?? []), ...own]);
    },
    fleetPlan: () => fleetPlan.view(),
    ...(w.consoleDir !== undefined ? { consoleDir: w.consoleDir } : {}),
    liveSessions: () => [...w.endpoint.sessions.all()].map((s) => ({ id: s.id, deviceId: s.deviceId, startedAt: s.startedAt, rpcCount: s.state.rpcCount })),
    ...(w.cluster?.shared ? { holdDevice: holdDevice(w.cluster) } : {}),
  };
}
