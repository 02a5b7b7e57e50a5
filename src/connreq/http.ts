import { randomBytes } from "node:crypto";
import { request, type IncomingMessage } from "node:http";
import { parseAuthHeader, type AuthChallenge } from "../auth/auth-params.js";
import { basicAuthorization } from "../auth/basic.js";
import { digestAlgorithm, digestAuthorization } from "../auth/digest-core.js";
import { SYSTEM_TIMERS, type Timers } from "../domain/clock.js";

export type ConnReqOutcome =
  | { readonly kind: "ok" }
  | { readonly kind: "auth_failed"; readonly detail?: string }
  | { readonly kind: "unreachable"; readonly message: string }
  | { readonly kind: "timeout" }
  | { readonly kind: "busy" }
  | { readonly kind: "http_error"; readonly status: number };

export interface ConnReqCredentials {
  readonly username: string;
  readonly password: string;
}

export interface HttpConnReqOptions {
  /** Budget for the whole exchange (challenge and authenticated GET). */
  readonly timeoutMs: number;
  /** Answer a Basic-only challenge; off by default in configuration (TR-069 §3.2.2: Digest). */
  readonly allowBasic: boolean;
  /** The Host header when the URL names a pinned address instead of the CPE's host (server/connreq-guard.ts). */
  readonly host?: string;
  /** The timer of the budget (tests pass a fake clock). Default: the system's. */
  readonly timers?: Timers;
}

type Attempt = { readonly status: number; readonly challenges: AuthChallenge[] } | { readonly error: ConnReqOutcome };

const MAX_DRAIN_BYTES = 64 * 1024;

function networkOutcome(e: unknown): ConnReqOutcome {
  const code = e instanceof Error && "code" in e ? String(e.code) : "";
  const message = e instanceof Error ? e.message : String(e);
  return { kind: "unreachable", message: code !== "" && !message.includes(code) ? `${code}: ${message}` : message };
}

/** One GET; resolves with the status and parsed challenges, or a network outcome. Never rejects. */
function get(url: URL, authorization: string | undefined, signal: AbortSignal, host: string | undefined): Promise<Attempt> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = authorization === undefined ? {} : { authorization };
    if (host !== undefined) headers.host = host;
    // agent: false gives each attempt its own connection: CPEs often close after the 401.
    const req = request(url, { method: "GET", headers, agent: false, signal }, (res: IncomingMessage) => {
      let seen = 0;
      res.on("data", (chunk: Buffer) => {
        seen += chunk.length;
        if (seen > MAX_DRAIN_BYTES) res.destroy();
      });
      res.on("error", () => undefined);
      res.on("close", () => undefined);
      res.resume();
      const www = res.headersDistinct["www-authenticate"] ?? [];
      resolve({ status: res.statusCode ?? 0, challenges: parseAuthHeader(www) });
    });
    req.on("error", (e) => resolve({ error: signal.aborted ? { kind: "timeout" } : networkOutcome(e) }));
    req.end();
  });
}

/** Picks how to answer a 401: Digest (MD5 preferred, qop=auth when offered), else Basic if allowed. */
function answerChallenge(challenges: readonly AuthChallenge[], url: URL, creds: ConnReqCredentials, allowBasic: boolean): string | undefined {
  const digests = challenges.filter((c) => c.scheme === "digest" && digestAlgorithm(c.params.get("algorithm")) !== undefined);
  const digest = digests.find((c) => digestAlgorithm(c.params.get("algorithm")) === "MD5") ?? digests[0];
  if (digest !== undefined) {
    const algorithm = digestAlgorithm(digest.params.get("algorithm")) ?? "MD5";
    const qops = (digest.params.get("qop") ?? "").split(",").map((q) => q.trim().toLowerCase());
    const qop = qops.includes("auth") ? { nc: "00000001", cnonce: randomBytes(12).toString("hex") } : undefined;
    const input = {
      algorithm,
      username: creds.username,
      password: creds.password,
      realm: digest.params.get("realm") ?? "",
      nonce: digest.params.get("nonce") ?? "",
      method: "GET",
      uri: `${url.pathname}${url.search}`,
      ...(qop ? { qop } : {}),
    };
    return digestAuthorization(input, digest.params.get("opaque"));
  }
  if (allowBasic && challenges.some((c) => c.scheme === "basic")) return basicAuthorization(creds.username, creds.password);
  return undefined;
}

function statusOutcome(status: number): ConnReqOutcome {
  // TR-069 §3.2.2: success is 200 or 204 with an empty body; 503 when the CPE rate-limits or is busy.
  if (status === 200 || status === 204) return { kind: "ok" };
  if (status === 503) return { kind: "busy" };
  if (status === 401) return { kind: "auth_failed" };
  return { kind: "http_error", status };
}

async function exchange(url: URL, creds: ConnReqCredentials, opts: HttpConnReqOptions, signal: AbortSignal): Promise<ConnReqOutcome> {
  const first = await get(url, undefined, signal, opts.host);
  if ("error" in first) return first.error;
  if (first.status !== 401) return statusOutcome(first.status);
  const authorization = answerChallenge(first.challenges, url, creds, opts.allowBasic);
  if (authorization === undefined) {
    const offered = first.challenges.map((c) => c.scheme).join(", ") || "none";
    return { kind: "auth_failed", detail: `no usable challenge (offered: ${offered})` };
  }
  let second = await get(url, authorization, signal, opts.host);
  // Some CPEs drop the connection right after the 401 and the retry races it: try once more.
  if ("error" in second && second.error.kind === "unreachable") second = await get(url, authorization, signal, opts.host);
  if ("error" in second) return second.error;
  const outcome = statusOutcome(second.status);
  return outcome.kind === "auth_failed" ? { kind: "auth_failed", detail: "credentials rejected" } : outcome;
}

/**
 * Sends a TR-069 HTTP connection request: GET the CPE's ConnectionRequestURL, answer its Digest
 * challenge (MD5, qop=auth or RFC 2069), Basic only with `allowBasic`. IPv6 literals in brackets work
 * (`http://[2001:db8::1]:7547/path`). Never rejects: every result is a {@link ConnReqOutcome}.
 */
export async function sendHttpConnectionRequest(url: string, creds: ConnReqCredentials, opts: HttpConnReqOptions): Promise<ConnReqOutcome> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return { kind: "unreachable", message: `invalid connection request URL ${JSON.stringify(url)}` };
  }
  if (target.protocol !== "http:") return { kind: "unreachable", message: `unsupported URL scheme ${target.protocol}` };
  // Userinfo in a CPE-reported URL is never used: node would send it as Basic credentials (issue 10 point 10).
  target.username = "";
  target.password = "";
  const controller = new AbortController();
  const timers = opts.timers ?? SYSTEM_TIMERS;
  const timer = timers.setTimeout(() => controller.abort(), opts.timeoutMs);
  try {
    return await exchange(target, creds, opts, controller.signal);
  } finally {
    timers.clearTimeout(timer);
  }
}
