/**
 * The CWMP route: a thin pipeline between HTTP and the pure session machine, with small collaborators.
 *   find the session (sessions.ts: bound to its client) -> authenticate (once per session by default)
 *   -> decode body and envelope -> bound the message -> Inform: admit + open | else: step -> commit -> encode.
 * Collaborators: SessionRegistry, ConvergedCache (fast path), SessionRecorder (transcripts, commits, ends),
 * IdleSweeper, Refusals (every refusal answered, counted and logged). TR-069 §3.4: every reply carrying an
 * envelope is HTTP 200; "nothing more" is an empty 204.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Socket } from "node:net";
import { decodeBody } from "../cwmp/body.js";
import { decodeCpeEnvelope } from "../cwmp/decode.js";
import { encodeAcsMessage } from "../cwmp/encode.js";
import type { AcsMessage, CpeMessage, DecodedEnvelope, InformRequest } from "../cwmp/types.js";
import { step } from "../session/machine.js";
import { boundMessage } from "../session/message-bounds.js";
import { informFacts } from "../session/inform-facts.js";
import { deviceIdOf, parseDeviceId, type DeviceId } from "../domain/device.js";
import type { SessionReply } from "../session/types.js";
import type { CwmpDeps } from "./cwmp-deps.js";
import { openFromInform } from "./open-session.js";
import { verifiedClientCertName } from "../auth/tls.js";
import { COOKIE, SessionRegistry, type LiveSession, type Lookup } from "./sessions.js";
import { ConvergedCache } from "./converged-cache.js";
import { SessionRecorder, type Recorded } from "./session-recorder.js";
import { IdleSweeper } from "./idle-sweeper.js";
import { authReason, Refusals, type Refusal, type RefusalReason } from "./refusals.js";
import type { SessionOutcome } from "../domain/faults.js";
import type { StoreWrite } from "../domain/store.js";
import type {} from "./cwmp-request.js";
import type { Cluster } from "../cluster/port.js";
import { localCluster } from "../cluster/local.js";

const XML = 'text/xml; charset="utf-8"';
const OUR_ID = /^acs-\d{1,12}$/;

/** Methods a CPE sends on its own (answered by the ACS, counted against `maxCpeRequestsPerSession`). */
const CPE_REQUESTS = new Set(["TransferComplete", "AutonomousTransferComplete", "GetRPCMethods", "RequestDownload", "Kicked"]);

/** Keeps the faults a step records on the live session (the session summary carries them to rollouts). */
function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(", ") : v;
}

/** The request's original Content-Type (cwmp-app.ts hides it from fastify's parsers). */
function contentTypeOf(req: FastifyRequest): string | undefined {
  return req.cwmpContentType ?? header(req, "content-type");
}

/** Who authenticated this request: nobody (open mode), a trusted session, or a verified identity. */
type Who = { readonly kind: "open" } | { readonly kind: "trusted" } | { readonly kind: "verified"; readonly identity: string | undefined };

export { TRANSCRIPT_RAW_MAX } from "./session-recorder.js";

export class CwmpEndpoint {
  readonly sessions = new SessionRegistry();
  readonly cache = new ConvergedCache();
  readonly recorder: SessionRecorder;
  readonly refusals: Refusals;
  readonly sweeper: IdleSweeper;
  /** Leases across nodes (cluster/port.ts); this process alone unless the deps bring one. */
  readonly cluster: Cluster;

  constructor(private readonly deps: CwmpDeps) {
    this.cluster = deps.cluster ?? localCluster();
    this.recorder = new SessionRecorder(deps, this.sessions, this.cache, this.cluster);
    this.refusals = new Refusals(deps.log, deps.hooks?.onRefusal, deps.clock);
    this.sweeper = new IdleSweeper(
      this.sessions,
      { sessionIdleMs: deps.limits.sessionIdleMs, unauthenticatedIdleMs: deps.limits.unauthenticatedIdleMs ?? deps.limits.sessionIdleMs },
      deps.clock,
      (s, idle) => this.recorder.fail(s, "session_timeout", `no message for ${idle} ms`),
    );
  }

  /**
   * Something about the device changed outside a session (task, tags, debug, delete): its next visit re-plans, on
   * this node (the entry goes) and on every other (its state version is bumped; a session holding it ends unclean).
   */
  forget(id: DeviceId): Promise<void> {
    this.cache.forget(id);
    return this.cluster.changed(id);
  }

  /** Registers the route on `path` (and `/`); buildCwmpApp (cwmp-app.ts) prepares the app around it. */
  register(app: FastifyInstance, path: string): void {
    const handler = (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => this.handle(req, reply);
    // Per-request access logs at 2,000 sessions/s would cost more than the sessions: log at warn and above.
    app.post(path, { logLevel: "warn" }, handler);
    if (path !== "/") app.post("/", { logLevel: "warn" }, handler);
    this.sweeper.start();
  }

  async close(): Promise<void> {
    this.sweeper.stop();
    await Promise.all([...this.sessions.all()].map((s) => this.end(s, "fault:server_shutdown")));
  }

  /** Ends a live session (see SessionRecorder.end). */
  end(live: LiveSession, outcome: SessionOutcome, writes: readonly StoreWrite[] = []): Promise<Recorded> {
    return this.recorder.end(live, outcome, writes);
  }

  /** A step or an end the store did not record: 500, or 503 + Retry-After when another node took the lease. */
  private notRecorded(req: FastifyRequest, reply: FastifyReply, why: Exclude<Recorded, "ok">, live: LiveSession, what: string): FastifyReply {
    if (why === "store_failed") return this.refuse(req, reply, "store_failed", `could not record ${what}`, { device: live.deviceId });
    return this.refuse(req, reply, "lease_lost", `${what} not written: another node took the device's lease`, {
      headers: { "retry-after": "1" },
      device: live.deviceId,
    });
  }

  /** Refuses with the catalog's status of `reason` (server/refusals.ts). */
  private refuse(req: FastifyRequest, reply: FastifyReply, reason: RefusalReason, message: string, extra: Partial<Refusal> = {}): FastifyReply {
    return this.refusals.refuse(reply, { reason, message, ip: req.ip, ...extra });
  }

  private async handle(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const socket: Socket | undefined = req.raw.socket;
    const found = this.sessions.lookup(header(req, "cookie"), socket);
    const who = await this.authenticate(req, reply, found);
    // undefined: the request was refused (and answered) by authenticate.
    if (who === undefined) return reply;
    const body = decodeBody(
      raw,
      { contentType: contentTypeOf(req), contentEncoding: header(req, "content-encoding") },
      { maxBytes: this.deps.limits.maxBodyBytes },
    );
    if (!body.ok) return this.refuse(req, reply, body.error.code === "too_large" ? "too_large" : "bad_body", body.error.message);
    if (body.value.trim() === "") return this.inSession(req, reply, found, who, undefined, "");
    const decoded = decodeCpeEnvelope(body.value);
    if (!decoded.ok) {
      if (found.kind === "found") await this.recorder.fail(found.live, "bad_message", decoded.error.message);
      return this.refuse(req, reply, "bad_message", `${decoded.error.code}: ${decoded.error.message}`);
    }
    const bounded = boundMessage(decoded.value.message, this.deps.limits);
    if (!bounded.ok) {
      const what = `${decoded.value.message.method}: ${bounded.field}${bounded.parameter !== undefined ? ` (${bounded.parameter})` : ""} is ${bounded.length} characters, above limits.maxStoredValueChars (${this.deps.limits.maxStoredValueChars})`;
      if (found.kind === "found") await this.recorder.fail(found.live, "value_too_large", what);
      return this.refuse(req, reply, "value_too_large", what);
    }
    const env: DecodedEnvelope = bounded.truncated > 0 ? { ...decoded.value, message: bounded.message } : decoded.value;
    if (env.message.method === "Inform") {
      // The Inform itself is always authenticated (a trusted session does not vouch for a new one).
      if (who.kind === "trusted") return this.challenge(req, reply);
      return this.inform(req, reply, found, who, env, env.message, body.value);
    }
    return this.inSession(req, reply, found, who, env, body.value);
  }

  /**
   * TR-069 §3.4.4. By default a session is authenticated once, by its Inform, and its later requests are
   * trusted on its cookie and connection (embedded stacks send the empty POST without Authorization); with
   * `authPerRequest` every request authenticates. A request that does carry credentials is always checked.
   */
  /** Who sent `req`, or undefined once the refusal has been sent. */
  private async authenticate(req: FastifyRequest, reply: FastifyReply, found: Lookup): Promise<Who | undefined> {
    if (!this.deps.authenticate) return { kind: "open" };
    const authorization = header(req, "authorization");
    const cert = verifiedClientCertName(req.raw.socket);
    const trusted = found.kind === "found" && found.live.client?.identity !== undefined && found.live.client.authPerRequest !== true;
    if (trusted && (authorization === undefined || authorization.trim() === "") && (cert === undefined || cert === found.live.client?.identity))
      return { kind: "trusted" };
    const out = await this.deps.authenticate({
      method: req.method,
      authorization,
      tls: "encrypted" in req.raw.socket && req.raw.socket.encrypted === true,
      url: req.url,
      ...(cert !== undefined ? { clientCertName: cert } : {}),
    });
    if (!out.ok) {
      const headers: Record<string, string[]> = out.wwwAuthenticate.length > 0 ? { "www-authenticate": [...out.wwwAuthenticate] } : {};
      this.refuse(req, reply, authReason(out.reason, out.status), out.reason, { headers, empty: true });
      return undefined;
    }
    // The certificate's CN, once per session (its first request carries no cookie).
    if (out.clientCert !== undefined && header(req, "cookie") === undefined)
      req.server.log.info({ clientCert: out.clientCert, ip: req.ip }, "CPE authenticated by TLS client certificate");
    return { kind: "verified", identity: out.username ?? out.clientCert };
  }

  private async challenge(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const out = await this.deps.authenticate?.({
      method: req.method,
      authorization: undefined,
      tls: "encrypted" in req.raw.socket && req.raw.socket.encrypted === true,
      url: req.url,
    });
    const headers: Record<string, string[]> = out && !out.ok && out.wwwAuthenticate.length > 0 ? { "www-authenticate": [...out.wwwAuthenticate] } : {};
    return this.refuse(req, reply, "no_credentials", "an Inform must authenticate", { headers, empty: true });
  }

  /** The session a non-Inform request belongs to, or the refusal that says why there is none. */
  private sessionFor(req: FastifyRequest, reply: FastifyReply, found: Lookup, who: Who, what: string): LiveSession | FastifyReply {
    switch (found.kind) {
      case "none":
        return this.refuse(req, reply, "no_session", `${what} outside a session: the first message must be an Inform`);
      case "unknown_cookie":
        return this.refuse(req, reply, "unknown_session", `${what} with a session cookie that names no live session`);
      case "ambiguous":
        return this.refuse(req, reply, "ambiguous_session", `${what} without a cookie on a connection that carries several sessions`);
      case "moved": {
        // The cookie's session is alive on another connection: only its own, re-authenticated client may move it.
        const identity = found.live.client?.identity;
        if (who.kind === "verified" && identity !== undefined && who.identity === identity) return found.live;
        if (who.kind === "open") return found.live;
        return this.refuse(req, reply, "session_moved", `${what} for session ${found.live.id} on another connection than its own`, {
          device: found.live.deviceId,
        });
      }
      case "found": {
        const identity = found.live.client?.identity;
        if (who.kind === "verified" && identity !== undefined && who.identity !== identity) {
          return this.refuse(req, reply, "identity_mismatch", `credentials of ${who.identity ?? "(none)"} posted into the session of ${found.live.deviceId}`, {
            device: found.live.deviceId,
          });
        }
        if (found.by === "cookie" && found.live.client) found.live.client.cookieEchoed = true;
        return found.live;
      }
    }
  }

  private async inform(
    req: FastifyRequest,
    reply: FastifyReply,
    found: Lookup,
    who: Who,
    env: DecodedEnvelope,
    inform: InformRequest,
    raw: string,
  ): Promise<FastifyReply> {
    const deviceId = deviceIdOf(inform.deviceId);
    const identity = who.kind === "verified" ? who.identity : undefined;
    // Per-device credentials (username = a device id) are good for that device only.
    const claimed = identity !== undefined ? parseDeviceId(identity) : undefined;
    if (claimed && claimed !== deviceId && identity !== this.deps.sharedCpeUsername) {
      return this.refuse(req, reply, "wrong_device", "these credentials belong to another device", { device: deviceId });
    }
    const now = this.deps.clock();
    // TR-069 §3.7.1: an Inform on the device's own session means the CPE started over: drop the old context.
    // Another device's session on the same connection (a proxy) is left alone.
    const previous = found.kind === "found" || found.kind === "moved" ? found.live : undefined;
    if (previous && previous.deviceId === deviceId) await this.end(previous, "fault:superseded");
    const source = this.admissionSource(identity, req.ip);
    const refused = this.admit(source, deviceId);
    if (refused) {
      if (refused === "overloaded") this.deps.hooks?.onShed?.();
      // Overload: 503 + Retry-After; the CPE backs off and retries (TR-069 §3.2.1.1, cwmp-notes §3.1).
      const message =
        refused === "overloaded"
          ? `${this.sessions.size} sessions open (limits.maxSessions)`
          : `source ${source} holds ${this.sessions.sourceCount(source)} sessions (limits.maxSessionsPerSource)`;
      return this.refuse(req, reply, refused, message, { headers: { "retry-after": "30" }, empty: true, device: deviceId });
    }
    this.sessions.reserve(source);
    // Computed once: the session's opening and the client's per-model settings both read them.
    const facts = informFacts(inform, req.ip);
    let opened: Awaited<ReturnType<typeof openFromInform>>;
    try {
      opened = await openFromInform(this.deps, this.sessions, env, inform, facts, req.raw.socket, now, (id) => this.cache.get(id), this.cluster);
    } catch (e) {
      this.sessions.release(source);
      throw e;
    }
    if (!opened.ok) {
      this.sessions.release(source);
      const retryAfter = String(opened.error.retryAfterSeconds ?? 30);
      return this.refuse(req, reply, opened.error.code, opened.error.message, { headers: { "retry-after": retryAfter }, device: deviceId });
    }
    const s = opened.value;
    const perRequest = this.deps.authPerRequest;
    this.sessions.bind(s, {
      identity,
      source,
      cookieEchoed: false,
      xmlDeclaration: this.deps.xmlDeclaration?.(facts) ?? true,
      authPerRequest: typeof perRequest === "function" ? perRequest(facts) : perRequest === true,
      cpeRequests: 0,
    });
    this.recorder.received(s, env, raw);
    const xml = this.encode(s, { method: "InformResponse", maxEnvelopes: 1 }, env.header.id ?? "1", false);
    this.recorder.sent(s, 200, xml);
    return reply.code(200).type(XML).header("set-cookie", `${COOKIE}=${s.id}; Path=/; HttpOnly`).send(xml);
  }

  /** Per authenticated device identity when there is one, else per source address. */
  private admissionSource(identity: string | undefined, ip: string): string {
    if (identity !== undefined && identity !== this.deps.sharedCpeUsername) return `id:${identity}`;
    return `ip:${ip}`;
  }

  /** Issue 10 point 8: a global bound and a per-source share, so one client cannot take every slot. */
  private admit(source: string, deviceId: DeviceId): "overloaded" | "source_share" | undefined {
    const own = this.sessions.forDevice(deviceId) ? 1 : 0; // a superseding Inform takes its own slot back
    if (this.sessions.load - own >= this.deps.limits.maxSessions) return "overloaded";
    const share = this.deps.limits.maxSessionsPerSource ?? this.deps.limits.maxSessions;
    if (this.sessions.sourceCount(source) - own >= share) return "source_share";
    return undefined;
  }

  private async inSession(
    req: FastifyRequest,
    reply: FastifyReply,
    found: Lookup,
    who: Who,
    env: DecodedEnvelope | undefined,
    raw: string,
  ): Promise<FastifyReply> {
    const what = env ? env.message.method : "empty POST";
    const live = this.sessionFor(req, reply, found, who, what);
    if (!("state" in live)) return live;
    const now = this.deps.clock();
    const misfit = env ? this.misfit(live, env) : undefined;
    if (misfit) return this.refuse(req, reply, "answer_mismatch", misfit, { device: live.deviceId });
    this.sessions.touch(live, req.raw.socket, now);
    this.recorder.received(live, env, raw);
    if (env && CPE_REQUESTS.has(env.message.method) && live.client && ++live.client.cpeRequests > this.deps.limits.maxCpeRequestsPerSession) {
      await this.recorder.fail(
        live,
        "too_many_cpe_requests",
        `more than ${this.deps.limits.maxCpeRequestsPerSession} CPE requests in one session (limits.maxCpeRequestsPerSession)`,
      );
      this.refusals.note({ status: 204, reason: "too_many_cpe_requests", message: `session ${live.id} ended`, ip: req.ip, device: live.deviceId });
      return reply.code(204).send();
    }
    const input = env ? { kind: "message" as const, id: env.header.id, message: env.message } : { kind: "empty" as const };
    if (env?.message.method === "Fault") this.deps.hooks?.onCpeFault?.(String(env.message.fault.code));
    const out = step(live.state, input, live.cfg, now);
    if (out.reply.kind === "end") {
      // The last step's writes and the session record commit together: one transaction ends the session.
      live.state = out.state;
      if (out.state.converged !== undefined) live.converged = out.state.converged;
      this.recorder.sent(live, 204, "");
      const ended = await this.end(live, out.state.outcome ?? "ok", out.writes);
      if (ended !== "ok") return this.notRecorded(req, reply, ended, live, "the session's end");
      return reply.code(204).send();
    }
    const committed = await this.recorder.commit(live, out.writes);
    if (committed !== "ok") return this.notRecorded(req, reply, committed, live, "the session step");
    live.state = out.state;
    return this.send(live, out.reply, reply);
  }

  /**
   * An answer that does not fit the session is refused, never folded into it: a response whose cwmp:ID is one
   * of ours (`acs-N`) but not the outstanding request's. CPEs that send no ID, or a constant one of their own
   * (cwmp-notes: "tolerate a missing/unchanged ID"), are matched by the one outstanding request instead.
   */
  private misfit(live: LiveSession, env: DecodedEnvelope): string | undefined {
    const m: CpeMessage = env.message;
    if (CPE_REQUESTS.has(m.method) || m.method === "Inform") return undefined;
    const outstanding = live.state.outstanding;
    if (outstanding && env.header.id !== undefined && OUR_ID.test(env.header.id) && env.header.id !== outstanding.id) {
      return `${m.method} with cwmp:ID ${JSON.stringify(env.header.id.slice(0, 64))} does not answer the outstanding ${outstanding.request.method} (ID ${outstanding.id})`;
    }
    return undefined;
  }

  private encode(live: LiveSession, message: AcsMessage, id: string, holdRequests: boolean): string {
    return encodeAcsMessage(message, {
      version: live.version,
      id,
      holdRequests,
      booleanAsDigit: live.cfg.quirks.booleanAsDigit,
      xmlDeclaration: live.client?.xmlDeclaration ?? true,
    });
  }

  private send(live: LiveSession, r: Extract<SessionReply, { kind: "message" }>, reply: FastifyReply): FastifyReply {
    this.countRpc(live, r.message);
    const xml = this.encode(live, r.message, r.id, r.holdRequests);
    this.recorder.sent(live, 200, xml);
    return reply.code(200).type(XML).send(xml);
  }

  private countRpc(live: LiveSession, m: AcsMessage): void {
    if (m.method.endsWith("Response") || m.method === "Fault") return;
    live.rpcs.push(m.method);
    this.deps.hooks?.onRpc?.(m.method);
  }
}
