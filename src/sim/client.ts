/**
 * Drives one CWMP session of a simulated CPE against an ACS over HTTP or HTTPS (I/O; cwmp-notes §3.2): Inform,
 * the CPE's own requests, the empty POST, then ACS requests answered one by one until the ACS sends an
 * empty response. Answers 401 challenges (Basic, Digest MD5 qop=auth), keeps cookies and the connection,
 * and applies the device's wire quirks. Every session is bounded by `maxMessages` and per-request timeouts.
 */
import http from "node:http";
import https from "node:https";
import { performance } from "node:perf_hooks";
import { decodeAcsEnvelope, type DecodedAcsEnvelope } from "../cwmp/decode-acs.js";
import { encodeCpeMessage } from "../cwmp/encode-cpe.js";
import type { AcsMessage, AcsRequest, CpeMessage, CpeRequest } from "../cwmp/types.js";
import type { SimDevice } from "./device.js";
import { basicAuthorization, digestAuthorization, parseChallenges, randomToken, type Challenge, type Credentials } from "./digest.js";
import { CookieJar, post, type PostResponse, type TlsClientOptions } from "./http-post.js";

export type { TlsClientOptions };

export interface SessionOptions {
  readonly acsUrl: string;
  readonly auth?: { readonly username: string; readonly password: string; readonly scheme?: "basic" | "digest" };
  /** Shared agent for fleets (an https.Agent for an https URL); by default each session has its own keep-alive connection. */
  readonly agent?: http.Agent;
  /** For an https `acsUrl`: the CAs to trust and, for client-certificate authentication, the CPE's cert and key. */
  readonly tls?: TlsClientOptions;
  /** Per HTTP request. */
  readonly timeoutMs: number;
  /** Upper bound on POSTs in the session (a looping ACS ends it with "too_many_messages"). */
  readonly maxMessages: number;
  readonly transcript?: boolean;
  readonly now?: () => number;
}

export interface TranscriptEntry {
  readonly from: "cpe" | "acs";
  readonly status?: number;
  readonly body: string;
}

export interface SessionResult {
  readonly ok: boolean;
  /** Methods of the ACS requests received, in order. */
  readonly rpcs: string[];
  /** Status of the last HTTP response (0 if none). */
  readonly status: number;
  /** too_many_messages | timeout | auth_failed | http_<status> | bad_envelope | unexpected_message | acs_fault_<code> | network */
  readonly error?: string;
  /** What failed, for "network" and "timeout": the system error and where (e.g. "connect ECONNREFUSED 127.0.0.1:7547",
   * "TLS: self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT): pass the ACS's CA with --ca"). */
  readonly detail?: string;
  readonly durationMs: number;
  /** Seconds from the last response's Retry-After (delta-seconds form), e.g. on a 503 overload answer. */
  readonly retryAfterS?: number;
  readonly transcript?: TranscriptEntry[];
}

class SessionError extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}

const ACS_REQUESTS: ReadonlySet<string> = new Set<AcsRequest["method"]>([
  "GetParameterValues",
  "SetParameterValues",
  "GetParameterNames",
  "GetParameterAttributes",
  "SetParameterAttributes",
  "AddObject",
  "DeleteObject",
  "Reboot",
  "FactoryReset",
  "Download",
  "Upload",
  "ScheduleInform",
  "GetRPCMethods",
  "GetQueuedTransfers",
  "GetAllQueuedTransfers",
]);

function isAcsRequest(m: AcsMessage): m is AcsRequest {
  return ACS_REQUESTS.has(m.method);
}

const RESPONSE_TO: Readonly<Record<CpeRequest["method"], AcsMessage["method"] | undefined>> = {
  Inform: "InformResponse",
  TransferComplete: "TransferCompleteResponse",
  AutonomousTransferComplete: "AutonomousTransferCompleteResponse",
  GetRPCMethods: "GetRPCMethodsResponse",
  RequestDownload: "RequestDownloadResponse",
  Kicked: "KickedResponse",
};

const MAX_RETRY_REQUEST = 3; // ACS fault 8005 "retry request": re-send the same request, a bounded number of times

/** Runs one complete session; never throws. The device learns the outcome through `sessionEnded`. */
export async function runSession(device: SimDevice, opts: SessionOptions): Promise<SessionResult> {
  const start = performance.now();
  const s = new ClientSession(device, opts);
  let error: string | undefined;
  let detail: string | undefined;
  try {
    await s.run();
  } catch (e) {
    error = e instanceof SessionError ? e.code : e instanceof Error && e.message === "timeout" ? "timeout" : "network";
    if (error === "network" || error === "timeout") detail = networkDetail(e, opts.acsUrl);
  } finally {
    s.close();
  }
  device.sessionEnded(error === undefined);
  // A real CPE downloads between sessions: the next session starts once the file is in (bounded by its timeout).
  await device.settled();
  const result: SessionResult = { ok: error === undefined, rpcs: s.rpcs, status: s.status, durationMs: performance.now() - start };
  const retry = s.retryAfter !== undefined && /^\d+$/.test(s.retryAfter.trim()) ? { retryAfterS: Number(s.retryAfter) } : {};
  return {
    ...result,
    ...retry,
    ...(error === undefined ? {} : { error }),
    ...(detail === undefined ? {} : { detail }),
    ...(opts.transcript === true ? { transcript: s.transcript } : {}),
  };
}

const TLS_CODES = /CERT|SELF_SIGNED|ISSUER|ERR_TLS|ERR_SSL|HOSTNAME|ALTNAME/;

/** A network failure in words: the system error code and message, the URL, and for TLS what to do. */
export function networkDetail(e: unknown, url: string): string {
  const err = e as NodeJS.ErrnoException & { reason?: string };
  const code = typeof err.code === "string" ? err.code : "";
  const message = e instanceof Error ? e.message : String(e);
  if (message === "timeout") return `no answer from ${url} within the request timeout`;
  if (TLS_CODES.test(code) || TLS_CODES.test(message)) return `TLS to ${url}: ${message}${code ? ` (${code})` : ""}; trust the ACS's CA with --ca <file>`;
  return `${code ? `${code} ` : ""}${message} (${url})`;
}

class ClientSession {
  readonly rpcs: string[] = [];
  readonly transcript: TranscriptEntry[] = [];
  status = 0;
  retryAfter: string | undefined;
  readonly #device: SimDevice;
  readonly #opts: SessionOptions;
  readonly #url: URL;
  readonly #agent: http.Agent | false;
  readonly #ownAgent: http.Agent | undefined;
  readonly #jar = new CookieJar();
  #challenge: Challenge | undefined;
  #nc = 0;
  #messages = 0;

  constructor(device: SimDevice, opts: SessionOptions) {
    this.#device = device;
    this.#opts = opts;
    this.#url = new URL(opts.acsUrl);
    if (device.quirks.newConnectionPerRequest === true) this.#agent = false;
    else if (opts.agent !== undefined) this.#agent = opts.agent;
    else if (this.#url.protocol === "https:") this.#agent = this.#ownAgent = new https.Agent({ keepAlive: true, maxSockets: 1, ...opts.tls });
    else this.#agent = this.#ownAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  }

  close(): void {
    this.#ownAgent?.destroy();
  }

  async run(): Promise<void> {
    const now = this.#opts.now ?? Date.now;
    const informed = await this.#request(this.#device.inform(now()));
    if (!informed.holdRequests) {
      for (const req of this.#device.pendingCpeRequests()) await this.#request(req);
    }
    let res = await this.#exchange(undefined);
    for (;;) {
      if (res.status === 204 || (res.status === 200 && res.body.trim() === "")) return;
      const msg = this.#decode(res);
      if (!isAcsRequest(msg.message)) throw new SessionError("unexpected_message");
      this.rpcs.push(msg.message.method);
      const answer = this.#device.handle(msg.message);
      res = await this.#exchange(this.#encode(answer, msg.id ?? randomToken(4)));
    }
  }

  /** Sends a CPE request and waits for its response, re-sending on ACS fault 8005. */
  async #request(req: CpeRequest): Promise<DecodedAcsEnvelope> {
    const id = randomToken(4);
    for (let attempt = 1; ; attempt++) {
      const msg = this.#decode(await this.#exchange(this.#encode(req, id)));
      const m = msg.message;
      if (m.method === RESPONSE_TO[req.method]) {
        this.#device.cpeRequestAnswered(req);
        return msg;
      }
      if (m.method !== "Fault") throw new SessionError("unexpected_message");
      if (m.code !== 8005 || req.method === "Inform" || attempt >= MAX_RETRY_REQUEST) throw new SessionError(`acs_fault_${m.code}`);
    }
  }

  #decode(res: PostResponse): DecodedAcsEnvelope {
    if (res.status !== 200) throw new SessionError(`http_${res.status}`);
    if (this.#device.quirks.noXmlDeclaration === true && res.body.trimStart().startsWith("<?xml")) throw new SessionError("xml_declaration");
    const decoded = decodeAcsEnvelope(res.body);
    if (!decoded.ok) throw new SessionError("bad_envelope");
    return decoded.value;
  }

  #encode(msg: CpeMessage, id: string): string {
    const q = this.#device.quirks;
    let xml = encodeCpeMessage(msg, {
      version: this.#device.cwmpVersion,
      id,
      booleanAsDigit: q.booleanAsDigit === true,
      faultDetailInFaultstring: q.faultDetailInFaultstring === true,
    });
    if (q.noSoapHeader === true) xml = xml.replace(/<soap-env:Header>[\s\S]*?<\/soap-env:Header>/, "");
    if (q.lyingArrayCounts === true) xml = xml.replace(/(arrayType="[^"[]*\[)(\d+)(\])/g, (_m, a: string, n: string, b: string) => `${a}${Number(n) + 1}${b}`);
    return xml;
  }

  /** One POST (and at most one authenticated re-send after a 401). */
  async #exchange(xml: string | undefined): Promise<PostResponse> {
    if (this.#messages >= this.#opts.maxMessages) throw new SessionError("too_many_messages");
    this.#messages++;
    this.#log({ from: "cpe", body: xml ?? "" });
    const q = this.#device.quirks;
    let res = await this.#post(xml);
    if (res.status === 401) {
      // An embedded stack that authenticates only requests with a body cannot answer a 401 to its empty POST.
      if (xml === undefined && q.authOnlyWithBody === true) throw new SessionError("auth_failed");
      const answered = this.#challenge !== undefined;
      const next = this.#pickChallenge(res.challenges);
      // A CPE that re-sends its nonce count re-authenticates only when told its nonce is stale.
      if (answered && q.reusedNonceCount === true && next.params.stale?.toLowerCase() !== "true") throw new SessionError("auth_failed");
      this.#challenge = next;
      res = await this.#post(xml);
      if (res.status === 401) throw new SessionError("auth_failed");
    }
    return res;
  }

  async #post(xml: string | undefined): Promise<PostResponse> {
    const q = this.#device.quirks;
    const headers: Record<string, string> = {};
    const cookie = q.noCookies === true ? undefined : this.#jar.header();
    if (cookie !== undefined) headers.Cookie = cookie;
    const authorization = xml === undefined && q.authOnlyWithBody === true ? undefined : this.#authorization();
    if (authorization !== undefined) headers.Authorization = authorization;
    if (q.newConnectionPerRequest === true) headers.Connection = "close";
    const res = await post({
      url: this.#url,
      agent: this.#agent,
      timeoutMs: this.#opts.timeoutMs,
      headers,
      xml,
      ...(this.#opts.tls ? { tls: this.#opts.tls } : {}),
      latin1: q.latin1 === true,
      chunked: q.chunked === true,
      emptyContentType: q.emptyContentType === true,
    });
    this.status = res.status;
    this.retryAfter = res.retryAfter;
    if (q.noCookies !== true) this.#jar.store(res.setCookies);
    this.#log({ from: "acs", status: res.status, body: res.body });
    return res;
  }

  #pickChallenge(offered: readonly string[]): Challenge {
    const auth = this.#opts.auth;
    if (auth === undefined) throw new SessionError("auth_failed");
    const challenges = parseChallenges(offered).map((c) => this.#stored(c));
    const wanted = auth.scheme;
    const pick = wanted === undefined ? (challenges.find((c) => c.scheme === "digest") ?? challenges[0]) : challenges.find((c) => c.scheme === wanted);
    if (pick === undefined) throw new SessionError("auth_failed");
    return pick;
  }

  /** TR-069 §3.4.4: credentials for the current challenge; Digest re-uses its nonce with a growing nc. */
  #authorization(): string | undefined {
    const ch = this.#challenge;
    const auth = this.#opts.auth;
    if (ch === undefined || auth === undefined) return undefined;
    const creds: Credentials = { username: auth.username, password: auth.password };
    if (ch.scheme === "basic") return basicAuthorization(creds);
    const q = this.#device.quirks;
    this.#nc = q.reusedNonceCount === true ? 1 : this.#nc + 1;
    const uri = q.emptyDigestUri === true ? "" : `${this.#url.pathname}${this.#url.search}`;
    return digestAuthorization(creds, ch, "POST", uri, this.#nc, randomToken(8));
  }

  /** The challenge as the device keeps it: a fixed 32-byte nonce buffer cuts a longer nonce. */
  #stored(c: Challenge): Challenge {
    const nonce = c.params.nonce;
    if (this.#device.quirks.shortNonceBuffer !== true || nonce === undefined || nonce.length <= 32) return c;
    return { ...c, params: { ...c.params, nonce: nonce.slice(0, 32) } };
  }

  #log(entry: TranscriptEntry): void {
    if (this.#opts.transcript === true) this.transcript.push(entry);
  }
}
