/** Builds the REST API's dependencies from the running parts. */
import { planLimitsOf, type Config } from "../config/config.js";
import type { DeviceId } from "../domain/device.js";
import { createTokenAuth } from "../auth/tokens.js";
import { createRateLimiter } from "../auth/rate-limit.js";
import { explainDevice } from "../plan/explain.js";
import { factsOfRecord, planDevice } from "../plan/device-plan.js";
import type { Store } from "../domain/store.js";
import type { ApiDeps, PolicySummary } from "./api/deps.js";
import type { CwmpEndpoint } from "./cwmp-route.js";
import { DEFAULT_QUIRKS } from "../reconcile/limits.js";
import type { DesiredResolver } from "./desired-resolver.js";
import type { Observability } from "./observability.js";
import type { PolicySource } from "../policy/source.js";
import type { Reach } from "./reach.js";

export interface ApiWiring {
  readonly store: Store;
  readonly policies: Pick<PolicySource, "current" | "lastError" | "reload">;
  readonly resolver: DesiredResolver;
  readonly endpoint: CwmpEndpoint;
  readonly cfg: Config;
  readonly obs: Observability;
  readonly reach: Reach;
  readonly debugDevices: Set<string>;
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
  };
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
    planFor: (id: DeviceId) => planDevice({ store: w.store, desired: w.resolver, limits, quirks: DEFAULT_QUIRKS, now: Date.now() }, id),
    explain: async (id: DeviceId) => {
      const set = w.policies.current();
      const d = await w.store.getDevice(id);
      if (!set || !d) return { text: "no policy set loaded" };
      return { text: explainDevice(set, factsOfRecord(d, await w.store.loadReported(id))) };
    },
    connectionRequest: (id, waitMs) => w.reach.convergeNow(id, waitMs),
    metrics: () => w.obs.render(),
    ...(tokens ? { auth: (h: string | undefined, scope: "read" | "write") => tokens.check(h, scope) } : {}),
    rateLimit: (key) => {
      const now = Date.now();
      return limiter.take(key, now) ? { ok: true } : { ok: false, retryAfterSeconds: limiter.retryAfterSeconds(key, now) };
    },
    openMetrics: w.cfg.api.openMetrics,
    debugDevices: w.debugDevices,
    changed: (id) => w.endpoint.forget(id),
    liveSessions: () => [...w.endpoint.sessions.all()].map((s) => ({ id: s.id, deviceId: s.deviceId, startedAt: s.startedAt, rpcCount: s.state.rpcCount })),
  };
}
