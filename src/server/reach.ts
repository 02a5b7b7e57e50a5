/**
 * Reaching devices on demand (TR-069 §3.2.2 connection requests; TR-111 Annex G over UDP) and "converge now":
 * send the request, then wait (bounded) for the session it triggers. Kicking on policy reload reuses it, rate
 * limited and with a concurrency cap.
 */
import type { Logger } from "pino";
import type { Config } from "../config/config.js";
import type { DeviceId } from "../domain/device.js";
import { sendHttpConnectionRequest, type ConnReqOutcome } from "../connreq/http.js";
import { sendUdpConnectionRequest } from "../connreq/udp.js";
import type { Store } from "../store/types.js";
import type { SessionSummary } from "./cwmp-deps.js";
import { connReqCredentials } from "./desired-resolver.js";

export type ReachOutcome = ConnReqOutcome | { readonly kind: "no_url" } | { readonly kind: "udp_sent" };

export interface Reach {
  /** Sends a connection request and waits up to `waitMs` for the session; returns an HTTP status and body. */
  convergeNow(id: DeviceId, waitMs: number): Promise<{ status: number; body: unknown }>;
  /** Queues devices to kick (deduplicated); drained at `kick.perSecond` with `kick.concurrency` in flight. */
  kick(ids: Iterable<DeviceId>): void;
  /** Called by the CWMP endpoint when a session ends. */
  sessionEnded(summary: SessionSummary): void;
  close(): void;
}

export interface ReachDeps {
  readonly store: Store;
  readonly cfg: Config;
  readonly log: Logger;
  readonly onOutcome?: (kind: string) => void;
}

const STATUS_FOR: Readonly<Record<string, number>> = { auth_failed: 502, unreachable: 504, timeout: 504, busy: 503, http_error: 502, no_url: 409 };

export function createReach(deps: ReachDeps): Reach {
  const waiters = new Map<DeviceId, ((s: SessionSummary) => void)[]>();
  const queue = new Set<DeviceId>();
  let inFlight = 0;
  const drain = setInterval(() => pump(), Math.max(10, Math.floor(1000 / deps.cfg.kick.perSecond))).unref();

  async function send(id: DeviceId): Promise<ReachOutcome> {
    const dev = deps.store.getDevice(id);
    if (!dev) return { kind: "no_url" };
    const creds = connReqCredentials(deps.store, id);
    if (dev.connectionRequestUrl !== "") {
      const out = await sendHttpConnectionRequest(dev.connectionRequestUrl, creds, { timeoutMs: deps.cfg.connectionRequest.timeoutMs, allowBasic: deps.cfg.connectionRequest.allowBasic });
      if (out.kind === "ok" || dev.udpConnectionRequestAddress === "") return out;
    }
    if (dev.udpConnectionRequestAddress !== "") {
      const udp = await sendUdpConnectionRequest(dev.udpConnectionRequestAddress, creds, { repeats: 3, intervalMs: 200 });
      return udp.kind === "sent" ? { kind: "udp_sent" } : udp;
    }
    return { kind: "no_url" };
  }

  function record(id: DeviceId, out: ReachOutcome): void {
    deps.onOutcome?.(out.kind);
    if (out.kind === "ok" || out.kind === "udp_sent") return;
    const message = "message" in out ? out.message : "status" in out ? `HTTP ${out.status}` : out.kind;
    deps.store.apply(id, [{ kind: "fault", fault: { code: `connection_request:${out.kind}`, message, path: undefined, policy: undefined, sessionId: undefined, retryable: true, at: Date.now() } }]);
  }

  function waitForSession(id: DeviceId, waitMs: number): Promise<SessionSummary | undefined> {
    return new Promise((resolve) => {
      const list = waiters.get(id) ?? [];
      const timer = setTimeout(() => {
        const l = waiters.get(id);
        if (l) waiters.set(id, l.filter((w) => w !== done));
        resolve(undefined);
      }, waitMs);
      const done = (s: SessionSummary): void => {
        clearTimeout(timer);
        resolve(s);
      };
      list.push(done);
      waiters.set(id, list);
    });
  }

  function pump(): void {
    if (inFlight >= deps.cfg.kick.concurrency) return;
    const next = queue.values().next();
    if (next.done) return;
    queue.delete(next.value);
    inFlight++;
    void send(next.value)
      .then((out) => record(next.value, out))
      .catch((e: unknown) => deps.log.error({ err: e, device: next.value }, "kick failed"))
      .finally(() => inFlight--);
  }

  return {
    async convergeNow(id, waitMs) {
      const session = waitForSession(id, waitMs);
      const out = await send(id);
      record(id, out);
      if (out.kind !== "ok" && out.kind !== "udp_sent") {
        waiters.delete(id);
        return { status: STATUS_FOR[out.kind] ?? 502, body: { error: { code: `connection_request_${out.kind}`, message: `connection request: ${out.kind}` }, outcome: out } };
      }
      const s = await session;
      if (!s) return { status: 202, body: { outcome: out.kind, session: null, message: `device did not open a session within ${waitMs} ms` } };
      return { status: 200, body: { outcome: out.kind, session: s } };
    },
    kick(ids) {
      for (const id of ids) queue.add(id);
    },
    sessionEnded(summary) {
      const list = waiters.get(summary.deviceId);
      if (!list) return;
      waiters.delete(summary.deviceId);
      for (const w of list) w(summary);
    },
    close() {
      clearInterval(drain);
      queue.clear();
    },
  };
}
