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
import { CONNREQ_PUBLIC, type ConnReqOutcomeKind, type ConnReqPublicOutcome } from "../domain/connreq-outcomes.js";
import { connReqCredentials, type DesiredResolver } from "./desired-resolver.js";
import { createConnReqGuard, type ConnReqGuard } from "./connreq-guard.js";
import { createKickPacer } from "./kick-pacer.js";
import { SYSTEM_TIMERS, type Timers } from "../domain/clock.js";
import { modelSettingsFor } from "./model-selector.js";

export type ReachOutcome =
  | ConnReqOutcome
  | { readonly kind: "no_url" }
  | { readonly kind: "udp_sent" }
  /** The target is one a connection request never goes to (connreq/targets.ts, connectionRequest.allowedNetworks). */
  | { readonly kind: "target_refused"; readonly message: string }
  | { readonly kind: "rate_limited"; readonly message: string };

/**
 * What the API and the device's fault say: a refused target, a network error, a timeout and an HTTP error
 * all read "unreachable" with one message, so the outcome never tells what the target is (the server log has
 * the detail). Busy and auth_failed are answers of a CPE and stay.
 */
export function publicOutcome(out: Exclude<ReachOutcome, { readonly kind: "ok" | "udp_sent" }>): {
  readonly kind: ConnReqPublicOutcome;
  readonly message: string;
} {
  switch (out.kind) {
    case "unreachable":
    case "timeout":
    case "http_error":
    case "target_refused":
      return { kind: "unreachable", message: "the connection request did not reach the device" };
    case "auth_failed":
      return { kind: out.kind, message: "the device refused the connection request credentials" };
    case "busy":
      return { kind: out.kind, message: "the device is busy (503)" };
    case "rate_limited":
      return { kind: out.kind, message: out.message };
    case "no_url":
      return { kind: out.kind, message: "no_url" };
  }
}

export interface Reach {
  /** Sends a connection request and waits up to `waitMs` for the session; returns an HTTP status and body. */
  convergeNow(id: DeviceId, waitMs: number): Promise<{ status: number; body: unknown }>;
  /** Waits up to `waitMs` for the device's next session without sending anything (another node sends it). */
  awaitSession(id: DeviceId, waitMs: number): Promise<{ status: number; body: unknown }>;
  /**
   * Queues devices to kick (deduplicated); drained at `kick.perSecond` with `kick.concurrency` in flight.
   * `label` names the run in its two log lines (started; done with the counts of its outcomes).
   */
  kick(ids: AsyncIterable<DeviceId> | Iterable<DeviceId>, label?: string): void;
  /** The kick pacer's backlog and sends in flight (tests step a fake clock until it is idle). */
  kicking(): { readonly queued: number; readonly inFlight: number; readonly sources: number };
  /** Called by the CWMP endpoint when a session ends. */
  sessionEnded(summary: SessionSummary): void;
  close(): void;
}

export interface ReachDeps {
  readonly store: Store;
  readonly cfg: Config;
  readonly log: Logger;
  readonly onOutcome?: (kind: ConnReqOutcomeKind) => void;
  /** The desired state: credentials a policy sets (rotation) win over the generated ones once provisioned. */
  readonly resolver?: DesiredResolver;
  /** The ACS's own listening ports (never a connection-request target), known once it listens. */
  readonly ownPorts?: () => readonly number[];
  /** Default: from cfg.connectionRequest (allowedNetworks, perTargetPerMinute) and the system resolver. */
  readonly guard?: ConnReqGuard;
  /** The installation's keyed hash: which password the CPE holds is found by comparing hashes. */
  readonly hashWriteOnly: WriteOnlyHasher;
  /**
   * Several nodes: resolves when the cluster-wide rate limit allows one more connection request (a token of the
   * bucket every node shares, cluster/port.ts `take`). Absent on one node: the pacer alone paces.
   */
  readonly globalRate?: () => Promise<void>;
  /** The clock and timers of the kick pacer and of converge-now's wait. Default: the system's. */
  readonly timers?: Timers;
}

export function createReach(deps: ReachDeps): Reach {
  const guard =
    deps.guard ??
    createConnReqGuard({
      allowedNetworks: deps.cfg.connectionRequest.allowedNetworks,
      perTargetPerMinute: deps.cfg.connectionRequest.perTargetPerMinute,
      ownPorts: deps.ownPorts ?? (() => []),
    });
  /** One connection request in flight per device: concurrent callers share it. */
  const inFlightByDevice = new Map<DeviceId, Promise<ReachOutcome>>();
  const waiters = new Map<DeviceId, ((s: SessionSummary) => void)[]>();
  const timers = deps.timers ?? SYSTEM_TIMERS;
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
   * ConnectionRequestUsername and keeps its own): after a refusal, that is the one it checks against; a model
   * configured `connReqUsername: reported` (`quirks:`) is asked with it from the first request.
   */
  async function reportedUsername(id: DeviceId, dev: DeviceRecord, creds: { username: string }): Promise<string | undefined> {
    const root = dev.dataModel === "tr098" ? "InternetGatewayDevice." : dev.dataModel === "tr181" ? "Device." : undefined;
    if (!root) return undefined;
    const u = (await deps.store.loadReported(id)).params.get(`${root}ManagementServer.ConnectionRequestUsername`)?.value;
    return u !== undefined && u !== "" && u !== creds.username ? u : undefined;
  }
  const perModel = modelSettingsFor(deps.cfg);

  function send(id: DeviceId): Promise<ReachOutcome> {
    const running = inFlightByDevice.get(id);
    if (running) return running;
    const p = (deps.globalRate ? deps.globalRate().then(() => sendOnce(id)) : sendOnce(id)).finally(() => inFlightByDevice.delete(id));
    inFlightByDevice.set(id, p);
    return p;
  }

  async function sendOnce(id: DeviceId): Promise<ReachOutcome> {
    const dev = await deps.store.getDevice(id);
    if (!dev) return { kind: "no_url" };
    let creds = await credentialsFor(id, dev);
    if (perModel(dev).connReqUsername === "reported") {
      const theirs = await reportedUsername(id, dev, creds);
      if (theirs !== undefined) creds = { ...creds, username: theirs };
    }
    let refused: ReachOutcome | undefined;
    if (dev.connectionRequestUrl !== "") {
      const target = await guard.http(dev.connectionRequestUrl, timers.now());
      if (target.ok) {
        // Basic is answered only where configured: globally, or for the models that need it (`quirks:` connReqAllowBasic).
        const opts = { timeoutMs: deps.cfg.connectionRequest.timeoutMs, allowBasic: perModel(dev).connReqAllowBasic, host: target.value.host };
        let out = await sendHttpConnectionRequest(target.value.url, creds, opts);
        const theirs = out.kind === "auth_failed" ? await reportedUsername(id, dev, creds) : undefined;
        if (theirs !== undefined) {
          creds = { ...creds, username: theirs };
          out = await sendHttpConnectionRequest(target.value.url, creds, opts);
        }
        // TR-111 Part 2: UDP is for a CPE the ACS cannot reach over HTTP (behind NAT). A CPE that answered and
        // refused (401: wrong credentials, 503: busy) would refuse the UDP message too: report that, not "sent".
        if (out.kind === "ok" || out.kind === "auth_failed" || out.kind === "busy" || dev.udpConnectionRequestAddress === "") return out;
      } else {
        const no: ReachOutcome = { kind: target.kind, message: target.reason };
        if (dev.udpConnectionRequestAddress === "") return no;
        refused = no;
      }
    }
    if (dev.udpConnectionRequestAddress !== "") {
      const target = await guard.udp(dev.udpConnectionRequestAddress, timers.now());
      if (!target.ok) return refused ?? { kind: target.kind, message: target.reason };
      const udp = await sendUdpConnectionRequest(target.value, creds, { repeats: 3, intervalMs: 200 });
      return udp.kind === "sent" ? { kind: "udp_sent" } : udp;
    }
    return { kind: "no_url" };
  }

  async function record(id: DeviceId, out: ReachOutcome): Promise<void> {
    deps.onOutcome?.(out.kind);
    if (out.kind === "ok" || out.kind === "udp_sent") return;
    const detail = "message" in out ? out.message : "status" in out ? `HTTP ${out.status}` : "detail" in out ? (out.detail ?? out.kind) : out.kind;
    // The detail (what the target answered or why it was refused) is for the operator's log only.
    deps.log.info({ device: id, outcome: out.kind, detail }, "connection request not delivered");
    const shown = publicOutcome(out);
    await deps.store.apply(id, [
      { kind: "fault", fault: { code: `connection_request:${shown.kind}`, message: shown.message, retryable: true, at: timers.now() } },
    ]);
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
        timers.clearTimeout(timer);
        resolve(s);
      };
      cancel = () => {
        timers.clearTimeout(timer);
        dropWaiter(id, done);
        resolve(undefined);
      };
      const timer = timers.setTimeout(cancel, waitMs);
      waiters.set(id, [...(waiters.get(id) ?? []), done]);
    });
    return { session, cancel };
  }

  const pacer = createKickPacer({
    perSecond: deps.cfg.kick.perSecond,
    concurrency: deps.cfg.kick.concurrency,
    timers,
    log: deps.log,
    send: async (id) => {
      const out = await send(id);
      await record(id, out);
      return out.kind;
    },
  });

  return {
    async convergeNow(id, waitMs) {
      const { session, cancel } = waitForSession(id, waitMs);
      const out = await send(id);
      await record(id, out);
      if (out.kind !== "ok" && out.kind !== "udp_sent") {
        cancel();
        const shown = publicOutcome(out);
        return {
          status: CONNREQ_PUBLIC[shown.kind].status,
          body: { error: { code: `connection_request_${shown.kind}`, message: shown.message }, outcome: shown.kind },
        };
      }
      const s = await session;
      if (!s) return { status: 202, body: { outcome: out.kind, session: null, message: `device did not open a session within ${waitMs} ms` } };
      return { status: 200, body: { outcome: out.kind, session: s } };
    },
    async awaitSession(id, waitMs) {
      const s = await waitForSession(id, waitMs).session;
      if (!s) return { status: 202, body: { outcome: "sent_by_another", session: null, message: `device did not open a session within ${waitMs} ms` } };
      return { status: 200, body: { outcome: "sent_by_another", session: s } };
    },
    kick(ids, label = "kick") {
      pacer.kick(ids, label);
    },
    kicking: () => pacer.state(),
    sessionEnded(summary) {
      const list = waiters.get(summary.deviceId);
      if (!list) return;
      waiters.delete(summary.deviceId);
      for (const w of list) w(summary);
    },
    close() {
      pacer.close();
    },
  };
}
