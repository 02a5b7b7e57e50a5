import { createHmac } from "node:crypto";
import { safeEqual } from "../auth/safe-equal.js";

/**
 * TR-111 Part 2 / TR-069 Annex G UDP connection request messages: one datagram holding an HTTP/1.1
 * GET with an absolute Request-URI and the query `ts`, `id`, `un`, `cn`, `sig`, no body.
 */

export interface UdpConnReqFields {
  readonly host: string;
  readonly port: number;
  /** Seconds since the Unix epoch. */
  readonly ts: number;
  /** Message id: identical in every copy of one request, different between requests. */
  readonly id: number;
  readonly username: string;
  readonly cnonce: string;
  readonly password: string;
}

export interface UdpConnReqMessage {
  readonly ts: number;
  readonly id: number;
  readonly username: string;
  readonly cnonce: string;
}

export type UdpConnReqParse = ({ readonly ok: true } & UdpConnReqMessage) | { readonly ok: false; readonly reason: string };

export interface UdpParseOptions {
  /** The receiver's clock, seconds; with `maxSkewSeconds`, messages whose ts is further off are ignored. */
  readonly nowSeconds?: number;
  readonly maxSkewSeconds?: number;
  /** The last message this CPE accepted: older ts or the same id are ignored (copies, replays). */
  readonly lastAccepted?: { readonly ts: number; readonly id: number };
}

/** TR-069 Annex G: sig = hex(HMAC-SHA1(key = ConnectionRequestPassword, text = ts | id | un | cn)). */
export function udpSignature(password: string, ts: number, id: number, username: string, cnonce: string): string {
  return createHmac("sha1", password).update(`${ts}${id}${username}${cnonce}`, "utf8").digest("hex");
}

function hostPort(host: string, port: number): string {
  return host.includes(":") && !host.startsWith("[") ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Builds the datagram text (CRLF line ends, empty path, form-urlencoded query). */
export function buildUdpConnectionRequest(f: UdpConnReqFields): string {
  const sig = udpSignature(f.password, f.ts, f.id, f.username, f.cnonce);
  const query = new URLSearchParams({ ts: String(f.ts), id: String(f.id), un: f.username, cn: f.cnonce, sig });
  const addr = hostPort(f.host, f.port);
  return `GET http://${addr}?${query.toString()} HTTP/1.1\r\nHost: ${addr}\r\n\r\n`;
}

function readRequestLine(msg: string): URLSearchParams | string {
  const line = msg.split("\r\n", 1)[0] ?? "";
  const m = /^GET (http:\/\/\S+) HTTP\/1\.1$/.exec(line);
  if (m?.[1] === undefined) return "not an HTTP/1.1 GET with an absolute URI";
  try {
    return new URL(m[1]).searchParams;
  } catch {
    return "bad Request-URI";
  }
}

function checkReplay(ts: number, id: number, opts: UdpParseOptions): string | undefined {
  if (opts.nowSeconds !== undefined && opts.maxSkewSeconds !== undefined && Math.abs(opts.nowSeconds - ts) > opts.maxSkewSeconds) {
    return "ts outside the accepted window";
  }
  const last = opts.lastAccepted;
  if (last !== undefined && ts < last.ts) return "ts older than the last accepted request";
  if (last !== undefined && id === last.id) return "duplicate id";
  return undefined;
}

/**
 * The CPE side (simulated CPE): parses and authenticates one datagram. `lookup` maps `un` to the
 * ConnectionRequestPassword (undefined: unknown user). TR-069 Annex G: the CPE ignores messages that
 * are malformed, mis-signed, stale or repeated (exact ts/id rules from memory of Annex G, see
 * cwmp-notes §10): here, ts older than the last accepted one or the same id as it, and optionally a ts
 * outside a clock window.
 */
export function parseUdpConnectionRequest(msg: string | Buffer, lookup: (username: string) => string | undefined, opts: UdpParseOptions = {}): UdpConnReqParse {
  const q = readRequestLine(typeof msg === "string" ? msg : msg.toString("utf8"));
  if (typeof q === "string") return { ok: false, reason: q };
  const [tsText, idText, username, cnonce, sig] = ["ts", "id", "un", "cn", "sig"].map((k) => q.get(k) ?? undefined);
  if (tsText === undefined || idText === undefined || username === undefined || cnonce === undefined || sig === undefined) {
    return { ok: false, reason: "missing ts, id, un, cn or sig" };
  }
  if (!/^\d{1,12}$/.test(tsText) || !/^\d{1,10}$/.test(idText)) return { ok: false, reason: "ts or id not an unsigned integer" };
  const ts = Number(tsText);
  const id = Number(idText);
  const password = lookup(username);
  const expected = udpSignature(password ?? "\u0000", ts, id, username, cnonce);
  const signed = safeEqual(expected, sig.toLowerCase());
  if (password === undefined) return { ok: false, reason: "unknown username" };
  if (!signed) return { ok: false, reason: "bad signature" };
  const replay = checkReplay(ts, id, opts);
  return replay === undefined ? { ok: true, ts, id, username, cnonce } : { ok: false, reason: replay };
}
