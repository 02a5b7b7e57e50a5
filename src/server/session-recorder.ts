/**
 * Records what a session does: its transcript (devices with debug on), each step's writes (one transaction),
 * and its end: last writes + transcript in one transaction, the session log row, the log line, the hook.
 */
import type { DecodedEnvelope } from "../cwmp/types.js";
import { knownSecrets, maskJson, maskSoap } from "../domain/mask.js";
import { secretValuesOf } from "../plan/device-plan.js";
import type { StoreWrite } from "../domain/store.js";
import type { SessionFaultCode, SessionOutcome } from "../domain/faults.js";
import type { CwmpDeps } from "./cwmp-deps.js";
import type { ConvergedCache } from "./converged-cache.js";
import type { LiveSession, SessionRegistry } from "./sessions.js";

/** Characters of a CPE's raw SOAP kept per transcript entry (bodies are bounded by `limits.maxBodyBytes` anyway). */
export const TRANSCRIPT_RAW_MAX = 64 * 1024;

export class SessionRecorder {
  constructor(
    private readonly deps: Pick<CwmpDeps, "store" | "clock" | "log" | "hooks" | "secretValues">,
    private readonly sessions: SessionRegistry,
    private readonly cache: ConvergedCache,
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

  /** Commits one step's writes; on a store error ends the session (nothing of the step was written). */
  async commit(live: LiveSession, writes: readonly StoreWrite[]): Promise<boolean> {
    if (writes.length === 0) return true;
    noteFaults(live, writes);
    try {
      await this.deps.store.apply(live.deviceId, writes);
      return true;
    } catch {
      // One transaction per step: nothing of this step was written. End the session; the next Inform retries.
      await this.end(live, "fault:store_failed");
      return false;
    }
  }

  /** Ends the session with a named fault, recorded with it. */
  fail(live: LiveSession, code: SessionFaultCode, message: string): Promise<boolean> {
    const fault: StoreWrite = { kind: "fault", fault: { code, message, sessionId: live.id, retryable: true, at: this.deps.clock() } };
    return this.end(live, `fault:${code}`, [fault]);
  }

  /**
   * Ends a live session: removes it, records its last writes and transcript in one transaction, and logs it.
   * Safe to call twice. Returns false when the store refused (then nothing of it was written).
   */
  async end(live: LiveSession, outcome: SessionOutcome, stepWrites: readonly StoreWrite[] = []): Promise<boolean> {
    if (!this.sessions.has(live)) return true;
    this.sessions.remove(live);
    noteFaults(live, stepWrites);
    const now = this.deps.clock();
    let recorded = true;
    try {
      const transcript = live.transcript;
      const writes: readonly StoreWrite[] = [...stepWrites, ...(transcript ? [{ kind: "transcript" as const, sessionId: live.id, entries: transcript }] : [])];
      if (writes.length > 0) await this.deps.store.apply(live.deviceId, writes);
      this.deps.store.logSession({
        id: live.id,
        deviceId: live.deviceId,
        startedAt: live.startedAt,
        endedAt: now,
        outcome,
        rpcCount: live.state.rpcCount,
        events: live.events,
        revision: live.revision,
      });
    } catch {
      // Nothing of it was written; the device's next Inform starts a clean session and replans.
      recorded = false;
    }
    if (recorded) this.cache.remember(live);
    else this.cache.forget(live.deviceId);
    const final: SessionOutcome = recorded ? outcome : "fault:store_failed";
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
