/**
 * This node in the cluster (cluster/port.ts): a heartbeat every `cluster.heartbeatMs` records it alive with the
 * policy revision it serves and renews the leases of its live sessions; a session whose lease another node took
 * (this node stalled or lost the database for longer than the lease) ends with `lease_lost`. What the last
 * heartbeat saw is what `/api/health` and `/metrics` report: the live nodes, and whether this one lags.
 */
import type { Logger } from "pino";
import type { Cluster, NodeView, RevisionStanding } from "../cluster/port.js";
import { revisionStanding } from "../cluster/port.js";
import type { Registry } from "../metrics/registry.js";
import type { CwmpEndpoint } from "./cwmp-route.js";

export interface ClusterHealth extends RevisionStanding {
  /** Several nodes may share the database (PostgreSQL); false: this process alone. */
  readonly shared: boolean;
  readonly members: readonly { readonly node: string; readonly revision: string | null }[];
  /** The last heartbeat failed (the database is unreachable): the standing is the one before. */
  readonly stale: boolean;
}

export interface Membership {
  standing(): ClusterHealth;
  /** One heartbeat now (also what the timer runs). */
  beat(): Promise<void>;
  close(): void;
}

export interface MembershipDeps {
  readonly cluster: Cluster;
  readonly endpoint: Pick<CwmpEndpoint, "sessions" | "recorder">;
  readonly revision: () => string | undefined;
  readonly heartbeatMs: number;
  readonly registry: Registry;
  readonly log: Pick<Logger, "warn" | "error">;
}

export function createMembership(d: MembershipDeps): Membership {
  let nodes: readonly NodeView[] = [];
  let stale = false;
  let running: Promise<void> | undefined;
  const lost = d.registry.counter({
    name: "converge_cluster_leases_lost_total",
    help: "Sessions ended because another node took the device's lease (this node stalled or lost the database).",
  });
  const failures = d.registry.counter({
    name: "converge_cluster_heartbeat_failures_total",
    help: "Heartbeats this node could not record (the cluster database unreachable).",
  });
  const standing = (): ClusterHealth => {
    const s = revisionStanding(d.cluster.nodeId, d.revision(), nodes);
    return { ...s, shared: d.cluster.shared, members: nodes.map((n) => ({ node: n.node, revision: n.revision })), stale };
  };
  d.registry.gauge({
    name: "converge_cluster_nodes",
    help: "Live nodes in the cluster as this node's last heartbeat saw them (1 alone).",
    collect: (g) => g.set({}, standing().nodes),
  });
  d.registry.gauge({
    name: "converge_cluster_revision_lagging",
    help: "1 when this node serves another policy revision than the one most recently taken up by a live node.",
    collect: (g) => g.set({}, standing().lagging ? 1 : 0),
  });
  d.registry.gauge({
    name: "converge_cluster_policy_revisions",
    help: "Distinct policy revisions served by the live nodes (1 when every node serves the same).",
    collect: (g) => g.set({}, standing().distinctRevisions),
  });
  async function once(): Promise<void> {
    const live = [...d.endpoint.sessions.all()];
    try {
      const beat = await d.cluster.heartbeat(
        d.revision(),
        live.map((s) => ({ deviceId: s.deviceId, session: s.id })),
      );
      nodes = beat.nodes;
      stale = false;
      for (const h of beat.lost) {
        const s = live.find((x) => x.id === h.session);
        if (!s || !d.endpoint.sessions.has(s)) continue;
        lost.inc();
        d.log.warn({ device: s.deviceId, session: s.id }, "session lost its lease to another node");
        await d.endpoint.recorder.fail(s, "lease_lost", "another node took the device's lease (this node stalled or lost the database)");
      }
    } catch (e) {
      stale = true;
      failures.inc();
      d.log.error({ err: e }, "cluster heartbeat failed");
    }
  }
  const beat = (): Promise<void> => (running ??= once().finally(() => (running = undefined)));
  const timer = setInterval(() => void beat(), d.heartbeatMs);
  timer.unref();
  return {
    standing,
    beat,
    close: () => clearInterval(timer),
  };
}
