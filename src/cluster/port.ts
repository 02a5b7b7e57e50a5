/**
 * The cluster-coordination port (issue 15, "Several nodes"): what the nodes that share one database agree on.
 *   - a lease per device: one CWMP session at a time across every node, with an expiry (a dead node's devices
 *     are free again within a bounded time), and the device's state version, bumped by every change of its state
 *     (a full session, an API task, a tag, a delete), which the converged fast path checks (server/converged-cache.ts);
 *   - the node registry: each node's heartbeat and the policy revision it serves (a node that lags says so);
 *   - claims: a connection request or a kick is sent by one node, not one per node;
 *   - a global rate limit (a token bucket shared by every node);
 *   - exclusive sections and a leader (the rollout manager: one node judges gates, starts and actions serialised);
 *   - messages to every other node (LISTEN/NOTIFY on PostgreSQL): a debug switch, a rollout change, a session a
 *     connection request on another node waits for.
 * `local.ts` implements it in process (one node, SQLite: today's behaviour), `pg.ts` over PostgreSQL.
 * This file holds the types and the pure rules only.
 */
import type { DeviceId } from "../domain/device.js";

/** The lease is this node's (for `session`): `stateVersion` is the device's state version when it was taken. */
export interface LeaseTaken {
  readonly ok: true;
  readonly stateVersion: number;
}

/** Another live node holds the device: answer 503 with Retry-After. */
export interface LeaseHeld {
  readonly ok: false;
  readonly node: string;
  readonly retryAfterSeconds: number;
}

export type LeaseResult = LeaseTaken | LeaseHeld;

/**
 * What releasing a lease tells: the device's state version after it, and whether nobody else changed the device
 * while the lease was held (`clean`): only then may the fast path remember the session's outcome.
 */
export interface Released {
  readonly stateVersion: number;
  readonly clean: boolean;
}

/** A device session this node holds, as the heartbeat renews it. */
export interface HeldLease {
  readonly deviceId: DeviceId;
  readonly session: string;
}

/** A node as the registry shows it. */
export interface NodeView {
  readonly node: string;
  readonly revision: string | null;
  /** When the node began serving that revision (ms since the epoch, the database's clock). */
  readonly revisionSince: number;
  readonly heartbeatAt: number;
  readonly startedAt: number;
}

/** What one heartbeat learnt: the live nodes, and the sessions whose lease this node no longer holds. */
export interface Heartbeat {
  readonly nodes: readonly NodeView[];
  readonly lost: readonly HeldLease[];
}

/** A message from one node to every other (bounded: PostgreSQL's NOTIFY carries at most 8,000 bytes). */
export type ClusterMessage =
  /** The API switched a device's transcript recording (`PUT /api/devices/:id/debug`) or deleted the device. */
  | { readonly topic: "debug"; readonly deviceId: string; readonly enabled: boolean }
  /** Rollouts changed in the store (a start, a gate, an operator action): reload them. */
  | { readonly topic: "rollouts" }
  /** A node waits (converge now) for the session of `deviceId`, for the next `forMs`. */
  | { readonly topic: "await"; readonly deviceId: string; readonly forMs: number }
  /** A session of an awaited device ended on the sending node. */
  | { readonly topic: "session"; readonly deviceId: string; readonly summary: Readonly<Record<string, unknown>> };

/** The longest message payload sent (PostgreSQL refuses a NOTIFY payload of 8,000 bytes or more). */
export const MAX_MESSAGE_BYTES = 7900;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** A received payload as a message, or undefined (unknown topic, bad shape, too large): pure, linear. */
export function parseClusterMessage(text: string): { readonly from: string; readonly message: ClusterMessage } | undefined {
  if (text.length > MAX_MESSAGE_BYTES) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(v) || typeof v["from"] !== "string" || !isRecord(v["m"])) return undefined;
  const m = v["m"];
  const from = v["from"];
  switch (m["topic"]) {
    case "debug":
      return typeof m["deviceId"] === "string" && typeof m["enabled"] === "boolean"
        ? { from, message: { topic: "debug", deviceId: m["deviceId"], enabled: m["enabled"] } }
        : undefined;
    case "rollouts":
      return { from, message: { topic: "rollouts" } };
    case "await":
      return typeof m["deviceId"] === "string" && typeof m["forMs"] === "number" && Number.isFinite(m["forMs"])
        ? { from, message: { topic: "await", deviceId: m["deviceId"], forMs: m["forMs"] } }
        : undefined;
    case "session":
      return typeof m["deviceId"] === "string" && isRecord(m["summary"])
        ? { from, message: { topic: "session", deviceId: m["deviceId"], summary: m["summary"] } }
        : undefined;
    default:
      return undefined;
  }
}

/** The payload of `message` from `from`, or undefined when it would not fit in one NOTIFY. */
export function encodeClusterMessage(from: string, message: ClusterMessage): string | undefined {
  const text = JSON.stringify({ from, m: message });
  return Buffer.byteLength(text) <= MAX_MESSAGE_BYTES ? text : undefined;
}

export interface Cluster {
  /** This node's id (`cluster.nodeId`, default host name + process id). */
  readonly nodeId: string;
  /** Whether other nodes may exist (PostgreSQL) or this process is alone (SQLite). */
  readonly shared: boolean;
  /** Takes the device's lease for `session` (a session of this node for the same device is superseded). */
  acquire(deviceId: DeviceId, session: string): LeaseResult | Promise<LeaseResult>;
  /** Gives the lease back at the session's end; `changed`: the session changed the device's state (bump its version). */
  release(deviceId: DeviceId, session: string, acquired: number, changed: boolean): Released | Promise<Released>;
  /** Something changed the device outside a session (task, tags, debug, delete): bump its state version. */
  changed(deviceId: DeviceId): Promise<void>;
  /** Records this node alive, serving `revision`; renews the leases of `held`. */
  heartbeat(revision: string | undefined, held: readonly HeldLease[]): Promise<Heartbeat>;
  /** True for exactly one caller (node) per `key` and device within `ttlMs`: that one sends. */
  claim(key: string, deviceId: DeviceId, ttlMs: number): Promise<boolean>;
  /** Takes one token of the shared bucket `name` (refilled at `perSecond`, at most `burst`): 0, or the ms to wait. */
  take(name: string, perSecond: number, burst: number): Promise<number>;
  /** Runs `fn` while no other node runs a section of the same `name` (a PostgreSQL advisory lock). */
  exclusive<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /** Whether this node leads `name` now: claims or renews it for `ttlMs`; one live leader at a time. */
  lead(name: string, ttlMs: number): Promise<boolean>;
  /** Sends `message` to every other node (not to this one); false when it was not sent (too large, no database). */
  publish(message: ClusterMessage): Promise<boolean>;
  /** `fn` receives every message other nodes publish. */
  onMessage(fn: (message: ClusterMessage, from: string) => void): void;
  close(): Promise<void>;
}

/** The cluster's revision: the one most recently taken up by a live node (ties: the larger string, deterministic). */
export function newestRevision(nodes: readonly NodeView[]): string | null {
  let best: NodeView | undefined;
  for (const n of nodes) {
    if (n.revision === null) continue;
    if (!best || n.revisionSince > best.revisionSince || (n.revisionSince === best.revisionSince && n.revision > (best.revision ?? ""))) best = n;
  }
  return best?.revision ?? null;
}

/** How a node stands against the others: what `/api/health` and `/metrics` say. */
export interface RevisionStanding {
  readonly node: string;
  readonly revision: string | null;
  readonly clusterRevision: string | null;
  /** This node serves another revision than the one most recently taken up by a live node. */
  readonly lagging: boolean;
  readonly nodes: number;
  readonly distinctRevisions: number;
}

export function revisionStanding(self: string, own: string | undefined, nodes: readonly NodeView[]): RevisionStanding {
  const cluster = newestRevision(nodes);
  const revisions = new Set(nodes.map((n) => n.revision ?? ""));
  return {
    node: self,
    revision: own ?? null,
    clusterRevision: cluster,
    lagging: cluster !== null && (own ?? null) !== cluster,
    nodes: nodes.length,
    distinctRevisions: revisions.size,
  };
}
