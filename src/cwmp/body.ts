/**
 * HTTP body → XML text: content-encoding, charset, size bound and the DOCTYPE/ENTITY ban (cwmp-notes §3.1, §9).
 * Chunked transfer coding is undone by the HTTP layer before this point.
 */
import { gunzipSync, inflateRawSync, inflateSync } from "node:zlib";
import { err, ok, type Result } from "../domain/result.js";

export interface BodyError {
  readonly code: "too_large" | "bad_encoding" | "bad_charset" | "doctype";
  readonly message: string;
}

export interface BodyHeaders {
  readonly contentType?: string;
  readonly contentEncoding?: string;
}

type Charset = "utf8" | "latin1";

const CHARSETS: ReadonlyMap<string, Charset> = new Map([
  ["utf-8", "utf8"],
  ["utf8", "utf8"],
  // US-ASCII is a subset of UTF-8.
  ["us-ascii", "utf8"],
  ["ascii", "utf8"],
  ["iso-8859-1", "latin1"],
  ["iso8859-1", "latin1"],
  ["iso_8859-1", "latin1"],
  ["latin1", "latin1"],
  ["latin-1", "latin1"],
  ["l1", "latin1"],
  ["cp819", "latin1"],
]);

const bodyErr = (code: BodyError["code"], message: string): Result<never, BodyError> => err({ code, message });

function isZlibTooLarge(e: unknown): boolean {
  return e instanceof RangeError || (e instanceof Error && "code" in e && e.code === "ERR_BUFFER_TOO_LARGE");
}

function inflate(raw: Buffer, encoding: string, maxBytes: number): Result<Buffer, BodyError> {
  const opts = { maxOutputLength: Math.max(1, maxBytes) };
  try {
    if (encoding === "gzip" || encoding === "x-gzip") return ok(gunzipSync(raw, opts));
    // "deflate" is meant to be zlib-wrapped (RFC 9110 §8.4.1.2); some clients send raw deflate.
    try {
      return ok(inflateSync(raw, opts));
    } catch (e) {
      if (isZlibTooLarge(e)) throw e;
      return ok(inflateRawSync(raw, opts));
    }
  } catch (e) {
    if (isZlibTooLarge(e)) return bodyErr("too_large", `inflated ${encoding} body exceeds ${maxBytes} bytes`);
    return bodyErr("bad_encoding", `invalid ${encoding} body: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function decodeContent(raw: Buffer, contentEncoding: string | undefined, maxBytes: number): Result<Buffer, BodyError> {
  const enc = (contentEncoding ?? "").trim().toLowerCase();
  if (enc === "" || enc === "identity") return ok(raw);
  if (enc === "gzip" || enc === "x-gzip" || enc === "deflate") return inflate(raw, enc, maxBytes);
  return bodyErr("bad_encoding", `unsupported Content-Encoding "${contentEncoding ?? ""}"`);
}

function headerCharset(contentType: string | undefined): string | undefined {
  if (contentType === undefined) return undefined;
  const m = /;\s*charset\s*=\s*(?:"([^"]*)"|'([^']*)'|([^;\s]+))/i.exec(contentType);
  return m === null ? undefined : (m[1] ?? m[2] ?? m[3] ?? "").trim();
}

function declaredCharset(buf: Buffer): string | undefined {
  const head = buf.subarray(0, 256).toString("latin1");
  const m = /^\s*<\?xml\s[^?]*?encoding\s*=\s*["']([^"']+)["']/.exec(head);
  return m?.[1]?.trim();
}

function pickCharset(buf: Buffer, contentType: string | undefined): Result<Charset, BodyError> {
  if (buf.length >= 2 && ((buf[0] === 0xfe && buf[1] === 0xff) || (buf[0] === 0xff && buf[1] === 0xfe))) {
    return bodyErr("bad_charset", "UTF-16 bodies are not supported");
  }
  // TR-069 §3.4 via cwmp-notes §3.1: HTTP charset first, then the XML declaration, default UTF-8.
  const name = headerCharset(contentType) ?? declaredCharset(buf);
  if (name === undefined) return ok("utf8");
  const cs = CHARSETS.get(name.toLowerCase());
  return cs === undefined ? bodyErr("bad_charset", `unsupported charset "${name}"`) : ok(cs);
}

const MARKUP_DECL = /<!(?:DOCTYPE|ENTITY)/i;

/**
 * Turns a raw CWMP HTTP body into XML text. Returns "" for an empty or whitespace-only body (the CPE's
 * "nothing more to send" empty POST, cwmp-notes §3.1). Inflation is bounded by `limits.maxBytes`
 * (a gzip bomb is `too_large`, not an OOM); documents with DOCTYPE/ENTITY declarations are refused.
 */
export function decodeBody(raw: Buffer, h: BodyHeaders, limits: { readonly maxBytes: number }): Result<string, BodyError> {
  if (raw.length > limits.maxBytes) return bodyErr("too_large", `body of ${raw.length} bytes exceeds ${limits.maxBytes}`);
  if (raw.length === 0) return ok("");
  const inflated = decodeContent(raw, h.contentEncoding, limits.maxBytes);
  if (!inflated.ok) return inflated;
  const buf = inflated.value;
  const cs = pickCharset(buf, h.contentType);
  if (!cs.ok) return cs;
  let text = buf.toString(cs.value);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (!/\S/.test(text)) return ok("");
  if (MARKUP_DECL.test(text)) return bodyErr("doctype", "DOCTYPE/ENTITY declarations are not accepted");
  return ok(text);
}
