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
import { factsOfRecord } from "../plan/device-plan.js";
import type { WriteOnlyHasher } from "../reconcile/parameter-key.js";
import type { DeviceRecord, Store } from "../domain/store.js";
import type { SessionSummary } from "./cwmp-deps.js";
import { connReqCredentials, type DesiredResolver } from "./desired-resolver.js";

export type ReachOutcome = ConnReqOutcome | { readonly kind: "no_url" } | { readonly kind: "udp_sent" };

export interface Reach {
  /** Sends a connection request and waits up to `waitMs` for the session; returns an HTTP status and body. */
  convergeNow(id: DeviceId, waitMs: number): Promise<{ status: number; body: unknown }>;
  /** Queues devices to kick (deduplicated); drained at `kick.perSecond` with `kick.concurrency` in flight. */
  kick(ids: AsyncIterable<DeviceId> | Iterable<DeviceId>): void;
  /** Called by the CWMP endpoint when a session ends. */
  sessionEnded(summary: SessionSummary): void;
  close(): void;
}

export interface ReachDeps {
  readonly store: Store;
  readonly cfg: Config;
  readonly log: Logger;
  readonly onOutcome?: (kind: string) => void;
  /** The desired state: credentials a policy sets (rotation) win over the generated ones once provisioned. */
  readonly resolver?: DesiredResolver;
  /** The installation's keyed hash: which password the CPE holds is found by comparing hashes. */
  readonly hashWriteOnly: WriteOnlyHasher;
}

const STATUS_FOR: Readonly<Record<string, number>> = { auth_failed: 502, unreachable: 504, timeout: 504, busy: 503, http_error: 502, no_url: 409 };

export function createReach(deps: ReachDeps): Reach {
  const waiters = new Map<DeviceId, ((s: SessionSummary) => void)[]>();
  const queue = new Set<DeviceId>();
  // Kicks arrive as lazy sequences (a reload's changed devices are found one by one): pulled a little at a time
  // so that a reload of a large fleet never blocks the event loop.
  const sources: (AsyncIterator<DeviceId> | Iterator<DeviceId>)[] = [];
  let inFlight = 0;
  // A token bucket refilled at kick.perSecond while a backlog waits (empty when idle, so a kick starts without
  // a burst), banking at most 50 ms of sends to make up for a late timer: rates above 100/s (the old one send
  // per 10 ms tick) are honoured too.
  const { perSecond, concurrency } = deps.cfg.kick;
  const tickMs = Math.max(10, Math.floor(1000 / perSecond));
  const maxCredit = Math.max(1, perSecond * 0.05);
  let credit = 0;
  let lastRefill = Date.now();
  const drain = setInterval(() => pump(), tickMs).unref();

  /**
   * The credentials the CPE holds: a policy's (rotation) or the generated ones, whichever password the
   * reconciler last set on it (its write-only hash); the policy's while none is known to be applied.
   */
  async function credentialsFor(id: DeviceId, dev: DeviceRecord): Promise<{ username: string; password: string }> {
    const own = await connReqCredentials(deps.store, id);
    const root = dev.dataModel === "tr098" ? "InternetGatewayDevice." : dev.dataModel === "tr181" ? "Device." : undefined;
    if (!deps.resolver || !root) return own;
    const desired = deps.resolver(factsOfRecord(dev, await deps.store.loadReported(id)), await deps.store.getSecrets(id));
    const value = (leaf: string): string | undefined => desired?.values.find((v) => v.path === `${root}ManagementServer.${leaf}`)?.value;
    const wanted = { username: value("ConnectionRequestUsername") ?? own.username, password: value("ConnectionRequestPassword") ?? own.password };
    const applied = (await deps.store.loadInventory(id)).writeOnlyHashes.get(`${root}ManagementServer.ConnectionRequestPassword`);
    return [wanted, own].find((c) => applied === deps.hashWriteOnly(c.password)) ?? wanted;
  }

  /**
   * The username the CPE itself reports, when it differs from `creds` (issue 9.10: a CPE that accepts our
   * ConnectionRequestUsername and keeps its own): after a refusal, that is the one it checks against.
   */
  async function reportedUsername(id: DeviceId, dev: DeviceRecord, creds: { username: string }): Promise<string | undefined> {
    const root = dev.dataModel === "tr098" ? "InternetGatewayDevice." : dev.dataModel === "tr181" ? "Device." : undefined;
    if (!root) return undefined;
    const u = (await deps.store.loadReported(id)).params.get(`${root}ManagementServer.ConnectionRequestUsername`)?.value;
    return u !== undefined && u !== "" && u !== creds.username ? u : undefined;
  }

  async function send(id: DeviceId): Promise<ReachOutcome> {
    const dev = await deps.store.getDevice(id);
    if (!dev) return { kind: "no_url" };
    let creds = await credentialsFor(id, dev);
    if (dev.connectionRequestUrl !== "") {
      const opts = { timeoutMs: deps.cfg.connectionRequest.timeoutMs, allowBasic: deps.cfg.connectionRequest.allowBasic };
      let out = await sendHttpConnectionRequest(dev.connectionRequestUrl, creds, opts);
      const theirs = out.kind === "auth_failed" ? await reportedUsername(id, dev, creds) : undefined;
      if (theirs !== undefined) {
        creds = { ...creds, username: theirs };
        out = await sendHttpConnectionRequest(dev.connectionRequestUrl, creds, opts);
      }
      // TR-111 Part 2: UDP is for a CPE the ACS cannot reach over HTTP (behind NAT). A CPE that answered and
      // refused (401: wrong credentials, 503: busy) would refuse the UDP message too: report that, not "sent".
      if (out.kind === "ok" || out.kind === "auth_failed" || out.kind === "busy" || dev.udpConnectionRequestAddress === "") return out;
    }
    if (dev.udpConnectionRequestAddress !== "") {
      const udp = await sendUdpConnectionRequest(dev.udpConnectionRequestAddress, creds, { repeats: 3, intervalMs: 200 });
      return udp.kind === "sent" ? { kind: "udp_sent" } : udp;
    }
    return { kind: "no_url" };
  }

  async function record(id: DeviceId, out: ReachOutcome): Promise<void> {
    deps.onOutcome?.(out.kind);
    if (out.kind === "ok" || out.kind === "udp_sent") return;
    const message = "message" in out ? out.message : "status" in out ? `HTTP ${out.status}` : out.kind;
    await deps.store.apply(id, [{ kind: "fault", fault: { code: `connection_request:${out.kind}`, message, retryable: true, at: Date.now() } }]);
  }

  /** Removes one waiter only: a concurrent converge-now on the same device keeps waiting. */
  function dropWaiter(id: DeviceId, w: (s: SessionSummary) => void): void {
    const rest = (waiters.get(id) ?? []).filter((x) => x !== w);
    if (rest.length > 0) waiters.set(id, rest);
    else waiters.delete(id);
  }

  function waitForSession(id: DeviceId, waitMs: number): { session: Promise<SessionSummary | undefined>; cancel: () => void } {
    let cancel = (): void => undefined;
    const session = new Promise<SessionSummary | undefined>((resolve) => {
      const done = (s: SessionSummary): void => {
        clearTimeout(timer);
        resolve(s);
      };
      cancel = () => {
        clearTimeout(timer);
        dropWaiter(id, done);
        resolve(undefined);
      };
      const timer = setTimeout(cancel, waitMs);
      waiters.set(id, [...(waiters.get(id) ?? []), done]);
    });
    return { session, cancel };
  }

  /** Tops the queue up from pending kick sources, spending at most ~10 ms of this tick; one refill at a time. */
  let refilling = false;
  async function refill(): Promise<void> {
    if (refilling) return;
    refilling = true;
    try {
      const until = Date.now() + 10;
      const want = Math.max(concurrency, Math.ceil(perSecond));
      while (sources.length > 0 && queue.size < want && Date.now() < until) {
        const source = sources[0] as AsyncIterator<DeviceId> | Iterator<DeviceId>;
        const next = await source.next();
        if (next.done) sources.shift();
        else queue.add(next.value);
      }
    } finally {
      refilling = false;
    }
  }

  function pump(): void {
    void refill()
      .then(sendSome)
      .catch((e: unknown) => deps.log.error({ err: e }, "kick refill failed"));
  }

  function sendSome(): void {
    const now = Date.now();
    credit = queue.size === 0 ? 0 : Math.min(maxCredit, credit + ((now - lastRefill) * perSecond) / 1000);
    lastRefill = now;
    while (credit >= 1 && inFlight < concurrency) {
      const next = queue.values().next();
      if (next.done) return;
      const id = next.value;
      queue.delete(id);
      credit--;
      inFlight++;
      void send(id)
        .then(async (out) => record(id, out))
        .catch((e: unknown) => deps.log.error({ err: e, device: id }, "kick failed"))
        .finally(() => inFlight--);
    }
  }

  return {
    async convergeNow(id, waitMs) {
      const { session, cancel } = waitForSession(id, waitMs);
      const out = await send(id);
      await record(id, out);
      if (out.kind !== "ok" && out.kind !== "udp_sent") {
        cancel();
        return { status: STATUS_FOR[out.kind] ?? 502, body: { error: { code: `connection_request_${out.kind}`, message: `connection request: ${out.kind}` }, outcome: out } };
      }
      const s = await session;
      if (!s) return { status: 202, body: { outcome: out.kind, session: null, message: `device did not open a session within ${waitMs} ms` } };
      return { status: 200, body: { outcome: out.kind, session: s } };
    },
    kick(ids) {
      sources.push(Symbol.asyncIterator in ids ? ids[Symbol.asyncIterator]() : ids[Symbol.iterator]());
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
      sources.length = 0;
    },
  };
}
