/**
 * Every refusal at the CWMP port (authentication, admission, bad message, framework errors) gets one answer
 * shape, a counter by reason (`converge_cwmp_refusals_total{reason}`) and a log line at warn, rate-limited
 * per reason: at most one line per reason every `windowMs`, carrying how many were suppressed since the last.
 */
import type { FastifyReply } from "fastify";

/** The closed set of reasons a CWMP request is refused (the counter's label values). */
export const REFUSAL_REASONS = [
  "no_credentials",
  "wrong_credentials",
  "unknown_user",
  "stale_nonce",
  "bad_credentials",
  "basic_refused",
  "no_client_cert",
  "wrong_device",
  "identity_mismatch",
  "session_moved",
  "unknown_session",
  "ambiguous_session",
  "no_session",
  "answer_mismatch",
  "overloaded",
  "source_share",
  "already_in_session",
  "too_large",
  "bad_body",
  "bad_message",
  "value_too_large",
  "too_many_cpe_requests",
  "bad_request",
  "not_found",
  "method_not_allowed",
  "store_failed",
] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

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
  readonly status: number;
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
      status: r.status,
      ip: r.ip,
      detail: r.message,
      ...(r.device !== undefined ? { device: r.device } : {}),
      ...(seen && seen.suppressed > 0 ? { suppressed: seen.suppressed } : {}),
    };
    this.log?.warn(line, "CWMP request refused");
  }

  refuse(reply: FastifyReply, r: Refusal): FastifyReply {
    this.note(r);
    reply.code(r.status);
    for (const [k, v] of Object.entries(r.headers ?? {})) reply.header(k, v);
    if (r.empty === true) return reply.send();
    return reply.type("application/json").send({ error: { code: r.reason, message: r.message } });
  }
}
