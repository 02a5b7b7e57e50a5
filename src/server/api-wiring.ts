/** Builds the REST API's dependencies from the running parts. */
import { planLimitsOf, type Config } from "../config/config.js";
import type { DeviceId } from "../domain/device.js";
import { createTokenAuth } from "../auth/tokens.js";
import { createRateLimiter } from "../auth/rate-limit.js";
import { explainData } from "../plan/explain.js";
import { factsOfRecord, planDevice } from "../plan/device-plan.js";
import type { Store } from "../domain/store.js";
import type { ApiDeps, PolicySummary } from "./api/deps.js";
import type { CwmpEndpoint } from "./cwmp-route.js";
import { DEFAULT_QUIRKS } from "../reconcile/limits.js";
import type { DesiredResolver } from "./desired-resolver.js";
import type { Observability } from "./observability.js";
import type { PolicySource } from "../policy/source.js";
import type { Reach } from "./reach.js";
import { keyedDigest, type WriteOnlyHasher } from "../reconcile/parameter-key.js";
import { safeEqual } from "../auth/safe-equal.js";
import { knownSecrets } from "../domain/mask.js";
import { readDmIndex } from "../datamodel/dm-index-file.js";
import { lookupParam, xsdTypeOf, type DmIndex } from "../datamodel/dm-index.js";
import type { XsdType } from "../domain/xsd.js";

export interface ApiWiring {
  readonly store: Store;
  readonly policies: Pick<PolicySource, "current" | "lastError" | "reload" | "folderState">;
  readonly resolver: DesiredResolver;
  readonly endpoint: CwmpEndpoint;
  readonly cfg: Config;
  readonly obs: Observability;
  readonly reach: Reach;
  readonly debugDevices: Set<string>;
  readonly hashWriteOnly: WriteOnlyHasher;
}

async function summary(w: ApiWiring): Promise<PolicySummary> {
  const set = w.policies.current();
  const last = w.policies.lastError();
  // As matched at each device's last session: one query, never a scan of the fleet on the ACS's event loop.
  const counts = await w.store.countByPolicy();
  return {
    revision: set?.revision,
    loadedAt: set?.loadedAt,
    policies: (set?.policies ?? []).map((p) => ({ name: p.name, file: p.file, priority: p.priority, matches: counts[p.name] ?? 0 })),
    errors: last?.errors ?? [],
    lastErrorAt: last?.at,
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

export function createApiDeps(w: ApiWiring): ApiDeps {
  const tokens = w.cfg.api.tokens.length > 0 ? createTokenAuth(w.cfg.api.tokens) : undefined;
  const limiter = createRateLimiter({ perSecond: w.cfg.api.rateLimit.perSecond, burst: w.cfg.api.rateLimit.burst, maxKeys: 10_000 });
  const limits = planLimitsOf(w.cfg.limits);
  return {
    store: w.store,
    clock: Date.now,
    policies: {
      summary: () => summary(w),
      async reload() {
        const r = await w.policies.reload();
        return r.ok ? { ok: true, revision: r.value.revision, errors: [] } : { ok: false, revision: w.policies.current()?.revision, errors: r.error };
      },
    },
    planFor: (id: DeviceId) => planDevice({ store: w.store, desired: w.resolver, limits, quirks: DEFAULT_QUIRKS, now: Date.now(), hashWriteOnly: w.hashWriteOnly }, id),
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
      return explainData(set, factsOfRecord(d, await w.store.loadReported(id)));
    },
    connectionRequest: (id, waitMs) => w.reach.convergeNow(id, waitMs),
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
    secretValues: async (id) => {
      // The passwords Converge keeps for the device (connection-request password, its own CWMP password...).
      // Passwords only: a username (the connection-request one is the device id) is no secret to scrub.
      const own = id ? [...(await w.store.getSecrets(id))].filter(([name]) => name.endsWith("password")).map(([, v]) => v) : [];
      return knownSecrets([...(w.policies.current()?.lookups.secretValues?.() ?? []), ...own]);
    },
    liveSessions: () => [...w.endpoint.sessions.all()].map((s) => ({ id: s.id, deviceId: s.deviceId, startedAt: s.startedAt, rpcCount: s.state.rpcCount })),
  };
}
