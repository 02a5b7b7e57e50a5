/**
 * Opening a session on an Inform: take the device's lease (cluster/port.ts: one session per device across every
 * node; its state version decides whether the fast path's entry still holds), then, in ONE transaction
 * (`Store.loadAndApply`), load what the session needs (queued tasks, reported state, inventory, secrets), run the
 * pure Inform step over it (the desired state under the current policy snapshot, kept for the whole session) and
 * record its writes.
 */
import type { Socket } from "node:net";
import type { DeviceId } from "../domain/device.js";
import { err, ok, type Result } from "../domain/result.js";
import type { DecodedEnvelope, InformRequest } from "../cwmp/types.js";
import { informStep, openSession } from "../session/machine.js";
import type { InformFacts } from "../domain/facts.js";
import { canTakeFastPath, informHash, type FastPathEntry } from "../session/fast-path.js";
import { NOTHING_DONE, NOTHING_REPORTED } from "../session/inform.js";
import type { CwmpDeps } from "./cwmp-deps.js";
import { drawConnReqCredentials } from "./desired-resolver.js";
import type { LiveSession, SessionRegistry } from "./sessions.js";
import type { Cluster, LeaseResult } from "../cluster/port.js";
import { LeaseLostError } from "../domain/store.js";

export interface OpenError {
  readonly code: "already_in_session";
  readonly message: string;
  /** Seconds the CPE should wait (503); default 30. */
  readonly retryAfterSeconds?: number;
}

/** A socket that is gone cannot carry the old session any further: a new Inform may take over. */
function isDead(s: LiveSession): boolean {
  return !s.socket || s.socket.destroyed;
}

export async function openFromInform(
  deps: CwmpDeps,
  sessions: SessionRegistry,
  env: DecodedEnvelope,
  inform: InformRequest,
  facts: InformFacts,
  socket: Socket | undefined,
  now: number,
  fastPathOf: (id: DeviceId) => FastPathEntry | undefined,
  cluster: Cluster,
): Promise<Result<LiveSession, OpenError>> {
  const busy = sessions.forDevice(facts.deviceId);
  if ((busy && !isDead(busy) && busy.socket !== socket) || sessions.isOpening(facts.deviceId)) {
    return err({ code: "already_in_session", message: `device ${facts.deviceId} is already in a session` });
  }
  const id = sessions.newId();
  // The lease: in process it is synchronous (nothing awaited on one node); over PostgreSQL one round trip, during
  // which the device is "opening" here (a second Inform gets 503).
  let leased = cluster.acquire(facts.deviceId, id);
  if (leased instanceof Promise) {
    sessions.opening(facts.deviceId, true);
    try {
      leased = await leased;
    } finally {
      sessions.opening(facts.deviceId, false);
    }
  }
  const lease: LeaseResult = leased;
  if (!lease.ok) {
    return err({
      code: "already_in_session",
      message: `device ${facts.deviceId} is in a session on node ${lease.node}`,
      retryAfterSeconds: lease.retryAfterSeconds,
    });
  }
  deps.hooks?.onInform?.(facts);
  const hash = informHash(inform, facts.ip);
  const fast =
    !deps.debugDevices?.has(facts.deviceId) &&
    canTakeFastPath({ entry: fastPathOf(facts.deviceId), revision: deps.snapshot(), inform, informHash: hash, now, stateVersion: lease.stateVersion });
  // Full path: the Inform step is one transaction (the device's facts and what the session loads). Fast path:
  // the facts are unchanged (same hash), so only the visit's time and events are written, deferred; nothing is
  // loaded. Either way the session is logged when it ends, and the live session is registered only once the
  // Inform is recorded (meanwhile the device is "opening": a second Inform gets 503).
  let opened: Result<LiveSession, OpenError>;
  try {
    if (fast) {
      deps.store.touchLater(facts.deviceId, now, facts.events);
      opened = ok(converged(deps, id, env, inform, facts, socket, now, hash, lease.stateVersion));
    } else {
      sessions.opening(facts.deviceId, true);
      try {
        opened = await load(deps, id, env, inform, facts, socket, now, hash, lease.stateVersion);
      } finally {
        sessions.opening(facts.deviceId, false);
      }
    }
  } catch (e) {
    // Another node took the lease between this node's acquisition and its Inform step (fenced: nothing written).
    if (e instanceof LeaseLostError)
      return err({ code: "already_in_session", message: `device ${facts.deviceId} moved to another node`, retryAfterSeconds: 1 });
    // Nothing of the Inform step was written (one transaction), but count it as a change: never trust a cache over it.
    await Promise.resolve(cluster.release(facts.deviceId, id, lease.stateVersion, true)).catch(() => undefined);
    throw e;
  }
  if (!opened.ok) {
    await cluster.release(facts.deviceId, id, lease.stateVersion, true);
    return opened;
  }
  const current = sessions.forDevice(facts.deviceId);
  if (current) sessions.remove(current);
  sessions.add(opened.value);
  return opened;
}

type Facts = InformFacts;

function live(deps: CwmpDeps, id: string, env: DecodedEnvelope, inform: InformRequest, facts: Facts, socket: Socket | undefined, now: number, hash: string) {
  return {
    id,
    deviceId: facts.deviceId,
    version: env.version,
    cfg: { limits: deps.limits, quirks: deps.quirks(facts), holdRequests: deps.holdRequests, hashWriteOnly: deps.hashWriteOnly },
    startedAt: now,
    events: inform.events.map((e) => e.code),
    socket,
    lastSeen: now,
    transcript: deps.debugDevices?.has(facts.deviceId) ? [] : undefined,
    rpcs: [],
    informHash: hash,
    snapshot: deps.snapshot(),
  };
}

/** The fast path's session: nothing loaded, nothing to plan; the empty POST ends it with a 204. */
function converged(
  deps: CwmpDeps,
  id: string,
  env: DecodedEnvelope,
  inform: InformRequest,
  facts: Facts,
  socket: Socket | undefined,
  now: number,
  hash: string,
  stateVersion: number,
): LiveSession {
  // Object.assign into live()'s fresh object: a spread followed by keys it lacks costs V8 ~1 µs per key (Node 20).
  return Object.assign(live(deps, id, env, inform, facts, socket, now, hash), {
    stateVersion,
    revision: deps.revision(),
    fast: true,
    converged: true,
    state: openSession({
      id,
      deviceId: facts.deviceId,
      version: env.version,
      tasks: [],
      desired: undefined,
      reported: NOTHING_REPORTED,
      inventory: NOTHING_DONE,
      previousStatus: undefined,
    }),
  });
}

async function load(
  deps: CwmpDeps,
  id: string,
  env: DecodedEnvelope,
  inform: InformRequest,
  facts: Facts,
  socket: Socket | undefined,
  now: number,
  hash: string,
  stateVersion: number,
): Promise<Result<LiveSession, OpenError>> {
  // The Inform step: ONE store call (the load, the pure step over it, its writes), nothing read back. Fenced
  // (several nodes on the store's database), it checks and renews the lease and raises the device's state version
  // with its writes: a crash after it leaves no node's fast-path entry trusting the old state.
  const fence = deps.fence ? { node: deps.fence.node, session: id, leaseMs: deps.fence.leaseMs, bump: true } : undefined;
  const parameterKey = deps.quirks(facts).parameterKey ?? "learn";
  const out = await deps.store.loadAndApply(
    facts.deviceId,
    (known) => {
      // Credentials Converge provisions are drawn here (randomness is the adapter's); the step keeps them if new.
      const dataModel = facts.dataModel ?? known.record?.dataModel;
      const newSecrets = deps.provisionConnReq && dataModel !== undefined ? drawConnReqCredentials(known.secrets, facts.deviceId) : undefined;
      const step = informStep(
        {
          id,
          version: env.version,
          envelopeId: env.header.id,
          facts,
          known,
          resolve: deps.desired,
          ...(newSecrets ? { newSecrets } : {}),
          limits: deps.limits,
          parameterKey,
        },
        now,
      );
      return { writes: step.writes, result: step };
    },
    fence,
  );
  const session: LiveSession = Object.assign(live(deps, id, env, inform, facts, socket, now, hash), {
    revision: out.desired?.revision,
    fast: false,
    stateVersion: fence ? stateVersion + 1 : stateVersion,
    state: out.state,
  });
  return ok(session);
}
