/**
 * Every refusal at the CWMP port (authentication, admission, bad message, framework errors) gets one answer
 * shape, a counter by reason (`converge_cwmp_refusals_total{reason}`) and a log line at warn, rate-limited
 * per reason: at most one line per reason every `windowMs`, carrying how many were suppressed since the last.
 */
import type { FastifyReply } from "fastify";

/**
 * The catalog of reasons a CWMP request is refused (the counter's label values and the JSON body's `code`), each
 * with its HTTP status and meaning. docs/codes.md lists them; `test/unit/code-catalogs.test.ts` holds both true.
 */
export const REFUSALS = {
  no_credentials: { status: 401, meaning: "no Authorization header (or an Inform on a trusted session): a challenge follows" },
  wrong_credentials: { status: 401, meaning: "the password (Digest response) does not match" },
  unknown_user: { status: 401, meaning: "no such CPE username" },
  stale_nonce: { status: 401, meaning: "the Digest nonce expired, was replayed or is no longer tracked: the CPE retries with a new one" },
  bad_credentials: { status: 401, meaning: "an Authorization header that does not parse or fit the challenge" },
  basic_refused: { status: 401, meaning: "Basic authentication where it is not allowed (cpeAuth.mode, or without TLS)" },
  no_client_cert: { status: 403, meaning: "cpeAuth.clientCert: require and no verified TLS client certificate" },
  wrong_device: { status: 403, meaning: "per-device credentials of another device than the Inform's" },
  identity_mismatch: { status: 403, meaning: "credentials of another identity posted into a session" },
  session_moved: { status: 403, meaning: "a session's cookie on another connection without the session's own credentials" },
  unknown_session: { status: 400, meaning: "a session cookie that names no live session" },
  ambiguous_session: { status: 400, meaning: "no cookie, on a connection that carries several sessions (a proxy)" },
  no_session: { status: 400, meaning: "a message other than an Inform outside a session" },
  answer_mismatch: { status: 409, meaning: "an answer whose cwmp:ID is ours but not the outstanding request's" },
  overloaded: { status: 503, meaning: "limits.maxSessions sessions open (Retry-After)" },
  source_share: { status: 503, meaning: "one source holds limits.maxSessionsPerSource sessions (Retry-After)" },
  already_in_session: { status: 503, meaning: "the device's session is alive on another connection (Retry-After)" },
  too_large: { status: 413, meaning: "a body above limits.maxBodyBytes (compressed or inflated)" },
  bad_body: { status: 400, meaning: "a body that does not decode: encoding, charset, DOCTYPE" },
  bad_message: { status: 400, meaning: "a SOAP envelope that does not decode as a CWMP message (recorded as the session fault bad_message)" },
  value_too_large: { status: 413, meaning: "a string above limits.maxStoredValueChars (recorded as the session fault value_too_large)" },
  too_many_cpe_requests: { status: 204, meaning: "more CPE requests than limits.maxCpeRequestsPerSession: the session ends with that fault" },
  bad_request: { status: 400, meaning: "a request the HTTP framework refused before the route" },
  not_found: { status: 404, meaning: "anything but a POST to the CWMP path or a GET/HEAD of a hosted file" },
  lease_lost: { status: 503, meaning: "another node took the device's lease during the session: the step was not written, the session ends (Retry-After)" },
  store_failed: { status: 500, meaning: "the store refused a step's writes, or an internal error: nothing of the step was written" },
} as const satisfies Readonly<Record<string, { readonly status: number; readonly meaning: string }>>;
export type RefusalReason = keyof typeof REFUSALS;

/** Maps a Digest/Basic verifier's reason text to a counter label (the text itself goes in the log line). */
export function authReason(verifierReason: string, status: 401 | 403): RefusalReason {
  if (status === 403) return "no_client_cert";
  if (verifierReason === "no credentials") return "no_credentials";
  if (verifierReason === "wrong credentials") return "wrong_credentials";
  if (verifierReason === "unknown user") return "unknown_user";
  if (verifierReason === "nonce expired" || verifierReason === "nonce count replayed" || verifierReason === "nonce no longer tracked") return "stale_nonce";
  if (verifierReason.startsWith("Basic refused")) return "basic_refused";
  return "bad_credentials";
}

export interface RefusalLog {
  warn(obj: object, msg: string): void;
}

export interface Refusal {
  /** The catalog's status of `reason` unless given (a framework error keeps its own 4xx). */
  readonly status?: number;
  readonly reason: RefusalReason;
  /** For the log line and the JSON body. */
  readonly message: string;
  readonly ip: string;
  readonly headers?: Readonly<Record<string, string | readonly string[]>>;
  /** An empty answer (401 challenges, 503): no JSON body. */
  readonly empty?: boolean;
  readonly device?: string;
}

export class Refusals {
  private readonly last = new Map<RefusalReason, { at: number; suppressed: number }>();

  constructor(
    private readonly log: RefusalLog | undefined,
    private readonly count: ((reason: RefusalReason) => void) | undefined,
    private readonly clock: () => number,
    private readonly windowMs = 10_000,
  ) {}

  /** Counts and (rate-limited) logs a refusal, without answering (framework error paths answer themselves). */
  note(r: Omit<Refusal, "headers" | "empty">): void {
    this.count?.(r.reason);
    const now = this.clock();
    const seen = this.last.get(r.reason);
    if (seen && now - seen.at < this.windowMs) {
      seen.suppressed++;
      return;
    }
    this.last.set(r.reason, { at: now, suppressed: 0 });
    const line = {
      reason: r.reason,
      status: r.status ?? REFUSALS[r.reason].status,
      ip: r.ip,
      detail: r.message,
      ...(r.device !== undefined ? { device: r.device } : {}),
      ...(seen && seen.suppressed > 0 ? { suppressed: seen.suppressed } : {}),
    };
    this.log?.warn(line, "CWMP request refused");
  }

  refuse(reply: FastifyReply, r: Refusal): FastifyReply {
    this.note(r);
    reply.code(r.status ?? REFUSALS[r.reason].status);
    for (const [k, v] of Object.entries(r.headers ?? {})) reply.header(k, v);
    if (r.empty === true) return reply.send();
    return reply.type("application/json").send({ error: { code: r.reason, message: r.message } });
  }
}
