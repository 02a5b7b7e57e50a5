/**
 * What one node tells the others (cluster/port.ts messages), on top of what the store shares:
 *   - the debug switch of a device (transcripts are recorded by whichever node carries its next session);
 *   - converge now: the node whose API received it says it waits for the device's session, and the node where
 *     that session ends sends back its summary; a second node asked at the same time does not send a second
 *     connection request (a claim per device for the connection-request timeout) and waits for the same session.
 * On one node (the in-process cluster) nothing is published and this is today's behaviour.
 */
import type { Cluster, ClusterMessage } from "../cluster/port.js";
import { parseDeviceId, type DeviceId } from "../domain/device.js";
import type { SessionOutcome } from "../domain/faults.js";
import type { SessionSummary } from "./cwmp-deps.js";
import type { Reach } from "./reach.js";

/** The debug switches of this node, kept in step with the other nodes' (an add or delete here is published). */
export class RelayedDebugSet extends Set<string> {
  #relay: ((id: string, enabled: boolean) => void) | undefined;

  /** `relay` tells the other nodes (undefined: one node). */
  constructor(relay?: (id: string, enabled: boolean) => void) {
    super();
    this.#relay = relay;
  }

  override add(id: string): this {
    super.add(id);
    this.#relay?.(id, true);
    return this;
  }

  override delete(id: string): boolean {
    const had = super.delete(id);
    this.#relay?.(id, false);
    return had;
  }

  /** Another node switched it: taken up here without publishing it again. */
  received(id: string, enabled: boolean): void {
    if (enabled) super.add(id);
    else super.delete(id);
  }
}

/** Awaited devices remembered at most (a converge-now storm on other nodes cannot grow this node's memory). */
const MAX_AWAITED = 10_000;

/** A session summary as a message carries it (no faults: their messages may be long; the device page has them). */
export function compactSummary(s: SessionSummary): Readonly<Record<string, unknown>> {
  return {
    sessionId: s.sessionId,
    outcome: s.outcome,
    rpcCount: s.rpcCount,
    rpcs: s.rpcs.slice(0, 64),
    events: s.events.slice(0, 16),
    durationMs: s.durationMs,
    converged: s.converged ?? null,
    fast: s.fast,
  };
}

const strings = (v: unknown): readonly string[] | undefined => (Array.isArray(v) && v.every((x) => typeof x === "string") ? (v as string[]) : undefined);

/** The summary another node sent, checked field by field (undefined when it is not one). */
export function summaryOf(deviceId: string, v: Readonly<Record<string, unknown>>): SessionSummary | undefined {
  const id = parseDeviceId(deviceId);
  const rpcs = strings(v["rpcs"]);
  const events = strings(v["events"]);
  const { sessionId, outcome, rpcCount, durationMs, converged, fast } = v;
  if (!id || rpcs === undefined || events === undefined || typeof sessionId !== "string" || typeof outcome !== "string") return undefined;
  if (typeof rpcCount !== "number" || typeof durationMs !== "number" || typeof fast !== "boolean") return undefined;
  if (converged !== null && typeof converged !== "boolean") return undefined;
  return { sessionId, deviceId: id, outcome: outcome as SessionOutcome, rpcCount, rpcs, events, durationMs, converged: converged ?? undefined, fast };
}

export interface ClusterRelay {
  /** The debug switches to give the CWMP endpoint and the API. */
  readonly debugDevices: RelayedDebugSet;
  /** Converge now across nodes: one connection request, the session awaited wherever it lands. */
  convergeNow(id: DeviceId, waitMs: number): Promise<{ status: number; body: unknown }>;
  /** Every session end of this node: a session another node waits for is sent to it. */
  sessionEnded(s: SessionSummary): void;
}

export interface ClusterRelayDeps {
  readonly cluster: Cluster;
  readonly reach: () => Reach | undefined;
  readonly connReqTimeoutMs: number;
  readonly now: () => number;
  readonly log: { warn(obj: object, msg: string): void };
}

export function createClusterRelay(d: ClusterRelayDeps): ClusterRelay {
  const { cluster } = d;
  const publish = (m: ClusterMessage): void => {
    if (!cluster.shared) return;
    cluster.publish(m).catch((e: unknown) => d.log.warn({ err: e, topic: m.topic }, "cluster message not sent"));
  };
  const debugDevices = new RelayedDebugSet(cluster.shared ? (deviceId, enabled) => publish({ topic: "debug", deviceId, enabled }) : undefined);
  /** Devices whose session another node waits for, until when (this node's clock). */
  const awaited = new Map<string, number>();
  cluster.onMessage((m) => {
    switch (m.topic) {
      case "debug":
        debugDevices.received(m.deviceId, m.enabled);
        break;
      case "await":
        if (awaited.size >= MAX_AWAITED) for (const [id, until] of awaited) if (until < d.now()) awaited.delete(id);
        if (awaited.size < MAX_AWAITED) awaited.set(m.deviceId, d.now() + Math.min(m.forMs, 120_000));
        break;
      case "session": {
        const s = summaryOf(m.deviceId, m.summary);
        if (s) d.reach()?.sessionEnded(s);
        break;
      }
      case "rollouts":
        break;
    }
  });
  return {
    debugDevices,
    async convergeNow(id, waitMs) {
      const reach = d.reach();
      if (!reach) return { status: 503, body: { error: { code: "unavailable", message: "starting" } } };
      if (!cluster.shared) return reach.convergeNow(id, waitMs);
      // Said before the request leaves: the session it triggers may land on another node at once.
      publish({ topic: "await", deviceId: id, forMs: waitMs });
      if (await cluster.claim("connection-request", id, d.connReqTimeoutMs)) return reach.convergeNow(id, waitMs);
      // Another node (or this one) is sending this device's connection request now: wait for the same session.
      return reach.awaitSession(id, waitMs);
    },
    sessionEnded(s) {
      if (awaited.size === 0) return;
      const until = awaited.get(s.deviceId);
      if (until === undefined) return;
      awaited.delete(s.deviceId);
      if (until >= d.now()) publish({ topic: "session", deviceId: s.deviceId, summary: compactSummary(s) });
    },
  };
}
