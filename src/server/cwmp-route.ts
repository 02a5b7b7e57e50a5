/**
 * The CWMP endpoint: the whole adapter between HTTP and the pure session machine.
 * decode body -> decode envelope -> (Inform: open session | else: step) -> commit writes -> encode reply.
 * TR-069 §3.4: every reply carrying an envelope is HTTP 200; "nothing more" is an empty 204.
 */
import { knownSecrets, maskJson, maskSoap } from "../domain/mask.js";
import { secretValuesOf } from "../plan/device-plan.js";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Socket } from "node:net";
import { decodeBody } from "../cwmp/body.js";
import { decodeCpeEnvelope } from "../cwmp/decode.js";
import { encodeAcsMessage } from "../cwmp/encode.js";
import type { AcsMessage, DecodedEnvelope, InformRequest } from "../cwmp/types.js";
import { step } from "../session/machine.js";
import { nextVerifyAt, type FastPathEntry } from "../session/fast-path.js";
import { deviceIdOf, parseDeviceId, type DeviceId } from "../domain/device.js";
import type { SessionReply } from "../session/types.js";
import type { StoreWrite } from "../domain/store.js";
import type { CwmpDeps } from "./cwmp-deps.js";
import { openFromInform } from "./open-session.js";
import { verifiedClientCertName } from "../auth/tls.js";
import { COOKIE, SessionRegistry, type LiveSession } from "./sessions.js";

const XML = 'text/xml; charset="utf-8"';

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(", ") : v;
}

function badRequest(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply.code(status).type("application/json").send({ error: { code, message } });
}

/** Bound on remembered converged devices (about 150 bytes each): beyond it the oldest fall back to the full path. */
const FAST_PATH_ENTRIES = 1_000_000;

/** Characters of a CPE's raw SOAP kept per transcript entry (bodies are bounded by `limits.maxBodyBytes` anyway). */
export const TRANSCRIPT_RAW_MAX = 64 * 1024;

export class CwmpEndpoint {
  readonly sessions = new SessionRegistry();
  private sweeper: NodeJS.Timeout | undefined;
  /** Devices that ended converged: their next quiet visit skips loading and planning (session/fast-path.ts). */
  private readonly fastPath = new Map<DeviceId, FastPathEntry>();

  constructor(private readonly deps: CwmpDeps) {}

  /** Something about the device changed outside a session (task, tags, debug): its next visit re-plans. */
  forget(id: DeviceId): void {
    this.fastPath.delete(id);
  }

  private remember(live: LiveSession): void {
    const rec = live.state.reconcile;
    if (live.fast) return;
    if (live.converged !== true || !rec || live.state.outcome !== "ok" || live.snapshot === undefined) {
      this.fastPath.delete(live.deviceId);
      return;
    }
    this.fastPath.delete(live.deviceId); // re-insert: Map order is recency order for eviction
    this.fastPath.set(live.deviceId, { revision: live.snapshot, informHash: live.informHash, nextVerifyAt: nextVerifyAt(rec.desired, rec.reported) });
    if (this.fastPath.size > FAST_PATH_ENTRIES) {
      const oldest = this.fastPath.keys().next().value;
      if (oldest !== undefined) this.fastPath.delete(oldest);
    }
  }

  register(app: FastifyInstance, path: string): void {
    app.addContentTypeParser("*", { parseAs: "buffer", bodyLimit: this.deps.limits.maxBodyBytes }, (_req, body, done) => done(null, body));
    const handler = (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => this.handle(req, reply);
    // Per-request access logs at 2,000 sessions/s would cost more than the sessions: log at warn and above.
    app.post(path, { logLevel: "warn" }, handler);
    if (path !== "/") app.post("/", { logLevel: "warn" }, handler);
    this.sweeper = setInterval(() => this.expireIdle(), Math.min(1000, this.deps.limits.sessionIdleMs)).unref();
  }

  async close(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    await Promise.all([...this.sessions.all()].map((s) => this.end(s, "fault:server_shutdown")));
  }

  private async handle(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const socket: Socket | undefined = req.raw.socket;
    const auth = await this.authenticate(req);
    if (auth.deny) return auth.deny(reply);
    const body = decodeBody(raw, { contentType: header(req, "content-type"), contentEncoding: header(req, "content-encoding") }, { maxBytes: this.deps.limits.maxBodyBytes });
    if (!body.ok) return badRequest(reply, body.error.code === "too_large" ? 413 : 400, body.error.code, body.error.message);
    const live = this.sessions.find(header(req, "cookie"), socket);
    if (body.value.trim() === "") return this.inSession(live, undefined, reply, socket);
    const decoded = decodeCpeEnvelope(body.value);
    if (!decoded.ok) {
      if (live) await this.failSession(live, "bad_message", decoded.error.message);
      return badRequest(reply, 400, decoded.error.code, decoded.error.message);
    }
    if (decoded.value.message.method === "Inform") {
      // Per-device credentials (username = a device id) are good for that device only.
      const claimed = auth.username !== undefined ? parseDeviceId(auth.username) : undefined;
      if (claimed && claimed !== deviceIdOf(decoded.value.message.deviceId) && auth.username !== this.deps.sharedCpeUsername) {
        return badRequest(reply, 403, "wrong_device", "these credentials belong to another device");
      }
      return this.inform(decoded.value, decoded.value.message, req, reply, live, socket, body.value);
    }
    return this.inSession(live, decoded.value, reply, socket, body.value);
  }

  private async authenticate(req: FastifyRequest): Promise<{ readonly deny?: (reply: FastifyReply) => FastifyReply; readonly username?: string }> {
    if (!this.deps.authenticate) return {};
    const cert = verifiedClientCertName(req.raw.socket);
    const out = await this.deps.authenticate({
      method: req.method,
      authorization: header(req, "authorization"),
      tls: "encrypted" in req.raw.socket && req.raw.socket.encrypted === true,
      url: req.url,
      ...(cert !== undefined ? { clientCertName: cert } : {}),
    });
    // The certificate's CN, once per session (its first request carries no cookie).
    if (out.ok && out.clientCert !== undefined && header(req, "cookie") === undefined) req.server.log.info({ clientCert: out.clientCert, ip: req.ip }, "CPE authenticated by TLS client certificate");
    if (out.ok) return out.username !== undefined ? { username: out.username } : {};
    if (out.wwwAuthenticate.length === 0) return { deny: (reply) => reply.code(out.status).send() };
    return { deny: (reply) => reply.code(out.status).header("www-authenticate", [...out.wwwAuthenticate]).send() };
  }

  private async inform(env: DecodedEnvelope, inform: InformRequest, req: FastifyRequest, reply: FastifyReply, live: LiveSession | undefined, socket: Socket | undefined, raw: string): Promise<FastifyReply> {
    const now = this.deps.clock();
    // TR-069 §3.7.1: an Inform on an existing session means the CPE started over: drop the old context.
    if (live) await this.end(live, "fault:superseded");
    if (this.sessions.load >= this.deps.limits.maxSessions) {
      this.deps.hooks?.onShed?.();
      // Overload: 503 + Retry-After; the CPE backs off and retries (TR-069 §3.2.1.1, cwmp-notes §3.1).
      return reply.code(503).header("retry-after", "30").send();
    }
    const opened = await openFromInform(this.deps, this.sessions, env, inform, req.ip, socket, now, (id) => this.fastPath.get(id));
    if (!opened.ok) return reply.code(opened.error.status).header("retry-after", "30").send({ error: { code: opened.error.code, message: opened.error.message } });
    const s = opened.value;
    this.record(s, "in", env, raw);
    const xml = encodeAcsMessage({ method: "InformResponse", maxEnvelopes: 1 }, { version: s.version, id: env.header.id ?? "1" });
    this.recordOut(s, 200, xml);
    return reply.code(200).type(XML).header("set-cookie", `${COOKIE}=${s.id}; Path=/; HttpOnly`).send(xml);
  }

  private async inSession(live: LiveSession | undefined, env: DecodedEnvelope | undefined, reply: FastifyReply, socket: Socket | undefined, raw = ""): Promise<FastifyReply> {
    if (!live) return badRequest(reply, 400, "no_session", env ? `${env.message.method} outside a session: the first message must be an Inform` : "empty POST outside a session");
    const now = this.deps.clock();
    this.sessions.touch(live, socket, now);
    if (env) this.record(live, "in", env, raw);
    else live.transcript?.push({ at: now, direction: "in", body: "" });
    const input = env ? { kind: "message" as const, id: env.header.id, message: env.message } : { kind: "empty" as const };
    if (env?.message.method === "Fault") this.deps.hooks?.onCpeFault?.(String(env.message.fault.code));
    const out = step(live.state, input, live.cfg, now);
    if (out.reply.kind === "end") {
      // The last step's writes and the session record commit together: one transaction ends the session.
      live.state = out.state;
      if (out.state.converged !== undefined) live.converged = out.state.converged;
      live.transcript?.push({ at: now, direction: "out", status: 204, body: "" });
      if (!(await this.end(live, out.state.outcome ?? "ok", out.writes))) return badRequest(reply, 500, "store_failed", "could not record the session's end");
      return reply.code(204).send();
    }
    if (!(await this.commit(live, out.writes))) return badRequest(reply, 500, "store_failed", "could not record the session step");
    live.state = out.state;
    return this.send(live, out.reply, reply);
  }

  private async commit(live: LiveSession, stepWrites: readonly StoreWrite[]): Promise<boolean> {
    const writes = live.pendingWrites.length > 0 ? [...live.pendingWrites, ...stepWrites] : stepWrites;
    if (writes.length === 0) return true;
    try {
      await this.deps.store.apply(live.deviceId, writes);
      live.pendingWrites = [];
      return true;
    } catch {
      // One transaction per step: nothing of this step was written. End the session; the next Inform retries.
      live.pendingWrites = [];
      await this.end(live, "fault:store_failed");
      return false;
    }
  }

  private send(live: LiveSession, r: Extract<SessionReply, { kind: "message" }>, reply: FastifyReply): FastifyReply {
    this.countRpc(live, r.message);
    const xml = encodeAcsMessage(r.message, { version: live.version, id: r.id, holdRequests: r.holdRequests, booleanAsDigit: live.cfg.quirks.booleanAsDigit });
    this.recordOut(live, 200, xml);
    return reply.code(200).type(XML).send(xml);
  }

  private countRpc(live: LiveSession, m: AcsMessage): void {
    if (m.method.endsWith("Response") || m.method === "Fault") return;
    live.rpcs.push(m.method);
    this.deps.hooks?.onRpc?.(m.method);
  }

  /**
   * Transcript entries keep the decoded message and the raw SOAP the CPE sent (at most `TRANSCRIPT_RAW_MAX`
   * characters, `truncated` beyond), both masked by the one rule (domain/mask.ts) with the session's secrets.
   */
  private record(s: LiveSession, direction: "in" | "out", env: DecodedEnvelope, raw: string): void {
    if (!s.transcript) return;
    const secrets = this.secretsOf(s);
    const clipped = raw.length > TRANSCRIPT_RAW_MAX ? raw.slice(0, TRANSCRIPT_RAW_MAX) : raw;
    s.transcript.push({
      at: this.deps.clock(),
      direction,
      body: JSON.stringify(maskJson(env.message, secrets)),
      raw: maskSoap(clipped, secrets),
      rawLength: raw.length,
      ...(clipped.length < raw.length ? { truncated: true } : {}),
    });
  }

  private recordOut(s: LiveSession, status: number, xml: string): void {
    if (!s.transcript) return;
    s.transcript.push({ at: this.deps.clock(), direction: "out", status, body: maskSoap(xml, this.secretsOf(s)) });
  }

  /** The clear secrets a transcript of this session could carry: its desired secrets and the policy secrets. */
  private secretsOf(s: LiveSession): readonly string[] {
    return knownSecrets([...secretValuesOf(s.state.reconcile?.desired), ...(this.deps.secretValues?.() ?? [])]);
  }

  private failSession(live: LiveSession, code: "bad_message" | "session_timeout", message: string): Promise<boolean> {
    const fault: StoreWrite = { kind: "fault", fault: { code, message, sessionId: live.id, retryable: true, at: this.deps.clock() } };
    return this.end(live, `fault:${code}`, [fault]);
  }

  /**
   * Ends a live session: removes it, records its last writes and transcript in one transaction, and logs it.
   * Safe to call twice. Returns false when the store refused (then nothing of it was written).
   */
  async end(live: LiveSession, outcome: string, stepWrites: readonly StoreWrite[] = []): Promise<boolean> {
    if (!this.sessions.has(live)) return true;
    this.sessions.remove(live);
    const now = this.deps.clock();
    let recorded = true;
    try {
      const transcript = live.transcript;
      const writes: readonly StoreWrite[] = [
        ...live.pendingWrites,
        ...stepWrites,
        ...(transcript ? [{ kind: "transcript" as const, sessionId: live.id, entries: transcript }] : []),
      ];
      live.pendingWrites = [];
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
    if (recorded) this.remember(live);
    else this.forget(live.deviceId);
    const line = { device: live.deviceId, session: live.id, outcome: recorded ? outcome : "fault:store_failed", rpcs: live.rpcs, events: live.events, ms: now - live.startedAt, converged: live.converged, revision: live.revision };
    if (live.fast) this.deps.log?.debug(line, "session ended (fast path)");
    else this.deps.log?.info(line, "session ended");
    this.deps.hooks?.onSessionEnd?.({
      sessionId: live.id,
      deviceId: live.deviceId,
      outcome: recorded ? outcome : "fault:store_failed",
      rpcCount: live.state.rpcCount,
      rpcs: live.rpcs,
      events: live.events,
      durationMs: now - live.startedAt,
      converged: live.converged,
      fast: live.fast,
    });
    return recorded;
  }

  private expireIdle(): void {
    const now = this.deps.clock();
    for (const s of this.sessions.expired(now, this.deps.limits.sessionIdleMs)) {
      void this.failSession(s, "session_timeout", `no message for ${this.deps.limits.sessionIdleMs} ms`);
    }
  }
}
