/**
 * Records what a session does: its transcript (devices with debug on), each step's writes (one transaction),
 * and its end: last writes + transcript in one transaction, the session log row, the log line, the hook.
 */
import type { DecodedEnvelope } from "../cwmp/types.js";
import { knownSecrets, maskJson, maskSoap } from "../domain/mask.js";
import { secretValuesOf } from "../plan/device-plan.js";
import { LeaseLostError, type LeaseFence, type StoreWrite } from "../domain/store.js";
import type { SessionFaultCode, SessionOutcome } from "../domain/faults.js";
import type { CwmpDeps } from "./cwmp-deps.js";
import type { ConvergedCache } from "./converged-cache.js";
import type { LiveSession, SessionRegistry } from "./sessions.js";
import type { Cluster, Released } from "../cluster/port.js";

/** Characters of a CPE's raw SOAP kept per transcript entry (bodies are bounded by `limits.maxBodyBytes` anyway). */
export const TRANSCRIPT_RAW_MAX = 64 * 1024;

/** How a step or a session's end was recorded: all of it, nothing (the store refused), or nothing (the lease is gone). */
export type Recorded = "ok" | "store_failed" | "lease_lost";

export class SessionRecorder {
  constructor(
    private readonly deps: Pick<CwmpDeps, "store" | "clock" | "log" | "hooks" | "secretValues" | "fence">,
    private readonly sessions: SessionRegistry,
    private readonly cache: ConvergedCache,
    private readonly cluster: Cluster,
  ) {}

  /**
   * Transcript entries keep the decoded message and the raw SOAP the CPE sent (at most `TRANSCRIPT_RAW_MAX`
   * characters, `truncated` beyond), both masked by the one rule (domain/mask.ts) with the session's secrets.
   */
  received(s: LiveSession, env: DecodedEnvelope | undefined, raw: string): void {
    if (!s.transcript) return;
    if (!env) {
      s.transcript.push({ at: this.deps.clock(), direction: "in", body: "" });
      return;
    }
    const secrets = this.secretsOf(s);
    const clipped = raw.length > TRANSCRIPT_RAW_MAX ? raw.slice(0, TRANSCRIPT_RAW_MAX) : raw;
    s.transcript.push({
      at: this.deps.clock(),
      direction: "in",
      body: JSON.stringify(maskJson(env.message, secrets)),
      raw: maskSoap(clipped, secrets),
      rawLength: raw.length,
      ...(clipped.length < raw.length ? { truncated: true } : {}),
    });
  }

  sent(s: LiveSession, status: number, body: string): void {
    if (!s.transcript) return;
    s.transcript.push({ at: this.deps.clock(), direction: "out", status, body: body === "" ? "" : maskSoap(body, this.secretsOf(s)) });
  }

  /** The clear secrets a transcript of this session could carry: its desired secrets and the policy secrets. */
  private secretsOf(s: LiveSession): readonly string[] {
    return knownSecrets([...secretValuesOf(s.state.reconcile?.desired), ...(this.deps.secretValues?.() ?? [])]);
  }

  /** The fence of a step of `live` (several nodes sharing the store's database), or none. */
  private fenceOf(live: LiveSession, release = false): LeaseFence | undefined {
    const f = this.deps.fence;
    return f ? { node: f.node, session: live.id, leaseMs: f.leaseMs, ...(release ? { release } : {}) } : undefined;
  }

  /**
   * Commits one step's writes; on a store error ends the session (nothing of the step was written), and so when
   * the step's fence finds the device's lease taken by another node (`lease_lost`).
   */
  async commit(live: LiveSession, writes: readonly StoreWrite[]): Promise<Recorded> {
    if (writes.length === 0) return "ok";
    noteFaults(live, writes);
    try {
      await this.deps.store.apply(live.deviceId, writes, this.fenceOf(live));
      return "ok";
    } catch (e) {
      // One transaction per step: nothing of this step was written. End the session; the next Inform retries.
      const lost = e instanceof LeaseLostError;
      await this.end(live, lost ? "fault:lease_lost" : "fault:store_failed");
      return lost ? "lease_lost" : "store_failed";
    }
  }

  /** Ends the session with a named fault, recorded with it. */
  fail(live: LiveSession, code: SessionFaultCode, message: string): Promise<Recorded> {
    const fault: StoreWrite = { kind: "fault", fault: { code, message, sessionId: live.id, retryable: true, at: this.deps.clock() } };
    return this.end(live, `fault:${code}`, [fault]);
  }

  /**
   * Ends a live session: removes it, records its last writes and transcript in one transaction, and logs it.
   * With a fence, that transaction also gives the device's lease back (else a release follows it). A session whose
   * lease another node took writes nothing more: it is logged as `fault:lease_lost` and releases nothing.
   * Safe to call twice.
   */
  async end(live: LiveSession, outcome: SessionOutcome, stepWrites: readonly StoreWrite[] = []): Promise<Recorded> {
    if (!this.sessions.has(live)) return "ok";
    this.sessions.remove(live);
    noteFaults(live, stepWrites);
    const now = this.deps.clock();
    let recorded: Recorded = outcome === "fault:lease_lost" ? "lease_lost" : "ok";
    let releasedWithWrites = false;
    const transcript = live.transcript;
    const writes: readonly StoreWrite[] = [...stepWrites, ...(transcript ? [{ kind: "transcript" as const, sessionId: live.id, entries: transcript }] : [])];
    try {
      if (writes.length > 0) {
        const fence = this.fenceOf(live, true);
        await this.deps.store.apply(live.deviceId, writes, fence);
        releasedWithWrites = fence !== undefined;
      }
    } catch (e) {
      // Nothing of it was written; the device's next Inform starts a clean session and replans.
      recorded = e instanceof LeaseLostError ? "lease_lost" : "store_failed";
    }
    const final: SessionOutcome = recorded === "ok" ? outcome : `fault:${recorded}`;
    if (recorded !== "store_failed")
      this.deps.store.logSession({
        id: live.id,
        deviceId: live.deviceId,
        startedAt: live.startedAt,
        endedAt: now,
        outcome: final,
        rpcCount: live.state.rpcCount,
        events: live.events,
        revision: live.revision,
      });
    // The lease goes back after the last writes (with them when fenced): another node's session of the device sees
    // all of them. A full session raises the device's state version (fenced: its Inform step did); only a clean
    // release (nobody changed it meanwhile) is remembered. A lost lease is not ours to release.
    let released: Released = { stateVersion: live.stateVersion, clean: releasedWithWrites };
    if (!releasedWithWrites && recorded !== "lease_lost")
      try {
        released = await this.cluster.release(live.deviceId, live.id, live.stateVersion, !live.fast && this.deps.fence === undefined);
      } catch {
        // The lease expires on its own (cluster.leaseMs); the device is not remembered.
      }
    if (recorded === "ok" && released.clean) this.cache.remember(live, released.stateVersion);
    else this.cache.forget(live.deviceId);
    const line = {
      device: live.deviceId,
      session: live.id,
      outcome: final,
      rpcs: live.rpcs,
      events: live.events,
      ms: now - live.startedAt,
      converged: live.converged,
      revision: live.revision,
    };
    if (live.fast) this.deps.log?.debug(line, "session ended (fast path)");
    else if (recorded === "lease_lost") this.deps.log?.warn(line, "session ended: another node took the device's lease, nothing more written");
    else this.deps.log?.info(line, "session ended");
    this.deps.hooks?.onSessionEnd?.({
      sessionId: live.id,
      deviceId: live.deviceId,
      outcome: final,
      rpcCount: live.state.rpcCount,
      rpcs: live.rpcs,
      events: live.events,
      durationMs: now - live.startedAt,
      converged: live.converged,
      fast: live.fast,
      ...(live.faults ? { faults: live.faults } : {}),
    });
    return recorded;
  }
}

/** Faults a session recorded, kept on it for the session-end hook (a rollout counts them against their policy). */
function noteFaults(live: LiveSession, writes: readonly StoreWrite[]): void {
  for (const w of writes) {
    if (w.kind !== "fault") continue;
    (live.faults ??= []).push({ code: w.fault.code, path: w.fault.path, policy: w.fault.policy, message: w.fault.message });
  }
}
