/**
 * The in-process Cluster (one node on SQLite): today's behaviour. The session registry already keeps one
 * session per device; the lease here only tracks whether the device was changed (an API task, tags) while a
 * session held it, so that session's end is not remembered by the fast path. State versions stay 0: on one
 * node the API forgets the fast-path entry directly. Bounded by the live sessions.
 */
import { sectionQueue } from "./sections.js";
import type { DeviceId } from "../domain/device.js";
import type { Cluster, Heartbeat, HeldLease, LeaseResult, Released } from "./port.js";
import { hostname } from "node:os";

const TAKEN: LeaseResult = { ok: true, stateVersion: 0 };

export function localCluster(nodeId = `${hostname()}-${process.pid}`): Cluster {
  const held = new Map<DeviceId, { session: string; dirty: boolean }>();
  /** The tail of each exclusive section's queue (sections of one name run one after another). */
  const sections = sectionQueue();
  let startedAt = Date.now();
  let revisionSince = startedAt;
  let lastRevision: string | undefined;
  return {
    nodeId,
    shared: false,
    acquire(deviceId, session) {
      held.set(deviceId, { session, dirty: false });
      return TAKEN;
    },
    release(deviceId, session, acquired): Released {
      const h = held.get(deviceId);
      if (!h || h.session !== session) return { stateVersion: acquired, clean: false };
      held.delete(deviceId);
      return { stateVersion: acquired, clean: !h.dirty };
    },
    changed(deviceId) {
      const h = held.get(deviceId);
      if (h) h.dirty = true;
      return Promise.resolve();
    },
    heartbeat(revision: string | undefined, _held: readonly HeldLease[]): Promise<Heartbeat> {
      const now = Date.now();
      if (revision !== lastRevision) {
        lastRevision = revision;
        revisionSince = now;
      }
      return Promise.resolve({ nodes: [{ node: nodeId, revision: revision ?? null, revisionSince, heartbeatAt: now, startedAt }], lost: [] });
    },
    // One node: every kick it starts is the only one.
    claim: () => Promise.resolve(true),
    // One node: its kick pacer (server/kick-pacer.ts) is the only rate there is; the runtime asks for a shared
    // bucket only when the cluster is shared, so nothing here keeps a bucket of its own.
    take: () => Promise.resolve(0),
    // One node: no other node leads anything or listens.
    exclusive: (name, fn) => sections(name, fn),
    lead: () => Promise.resolve(true),
    publish: () => Promise.resolve(false),
    onMessage: () => undefined,
    close() {
      held.clear();
      startedAt = 0;
      return Promise.resolve();
    },
  };
}
