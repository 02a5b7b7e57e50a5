/**
 * A simulated CPE's file download (I/O), as a CPE runs a TR-069 Download: GET the URL (http or https, with the
 * Download's Username/Password answered as Basic or Digest), stream the body through SHA-256 without keeping
 * it, and when the transfer breaks off, resume with `Range: bytes=<received>-` and `If-Range: <ETag>` (a 200
 * instead of 206 restarts from zero). Bounded: at most MAX_ATTEMPTS requests, `maxBytes`, a per-request timeout.
 * The outcome names the bytes and checksum really received; a FileSize that disagrees is fault 9010.
 */
import { createHash, type Hash } from "node:crypto";
import http from "node:http";
import https from "node:https";
import { basicAuthorization, digestAuthorization, parseChallenges, randomToken } from "./digest.js";
import type { TlsClientOptions } from "./http-post.js";
import { versionFromUrl } from "./transfers.js";
import type { DownloadOutcome, DownloadRequest } from "./types.js";

export interface DownloadResult {
  readonly ok: boolean;
  readonly bytes: number;
  readonly sha256: string;
  /** Requests that resumed with Range (206). */
  readonly resumed: number;
  readonly status: number;
  /** TR-069 fault code when !ok: 9010 download failure, 9012 server authentication, 9015 server unreachable. */
  readonly faultCode?: number;
  readonly message?: string;
}

export interface DownloadOptions {
  readonly url: string;
  readonly username?: string;
  readonly password?: string;
  readonly expectedSize?: number;
  readonly tls?: TlsClientOptions;
  readonly timeoutMs: number;
  readonly maxBytes?: number;
}

const MAX_ATTEMPTS = 5;
const DEFAULT_MAX_BYTES = 512 * 1024 * 1024;

interface Attempt {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  /** Bytes of this response body that arrived. */
  readonly received: number;
  /** The body ended normally (false: the connection broke off or timed out). */
  readonly complete: boolean;
  readonly error?: string;
}

function get(
  url: URL,
  headers: Record<string, string>,
  o: DownloadOptions,
  onStart: (status: number) => void,
  onData: (b: Buffer) => boolean,
): Promise<Attempt> {
  return new Promise((resolve) => {
    let received = 0;
    let settled = false;
    const done = (a: Attempt): void => {
      if (!settled) {
        settled = true;
        resolve(a);
      }
    };
    const onResponse = (res: http.IncomingMessage): void => {
      const status = res.statusCode ?? 0;
      const ok = status === 200 || status === 206;
      onStart(status);
      res.on("data", (b: Buffer) => {
        if (!ok) return;
        received += b.length;
        if (!onData(b)) req.destroy(new Error("too large"));
      });
      res.on("end", () => done({ status, headers: res.headers, received, complete: res.complete }));
      res.on("aborted", () => done({ status, headers: res.headers, received, complete: false, error: "aborted" }));
      res.on("error", (e) => done({ status, headers: res.headers, received, complete: false, error: e.message }));
      res.on("close", () => done({ status, headers: res.headers, received, complete: res.complete }));
    };
    const opts = { method: "GET", headers, agent: false as const };
    const req = url.protocol === "https:" ? https.request(url, { ...opts, ...o.tls }, onResponse) : http.request(url, opts, onResponse);
    req.setTimeout(o.timeoutMs, () => req.destroy(new Error("timeout")));
    req.on("error", (e: NodeJS.ErrnoException) => done({ status: 0, headers: {}, received, complete: false, error: `${e.code ?? ""} ${e.message}`.trim() }));
    req.end();
  });
}

export async function downloadFile(o: DownloadOptions): Promise<DownloadResult> {
  let url: URL;
  try {
    url = new URL(o.url);
  } catch {
    return { ok: false, bytes: 0, sha256: "", resumed: 0, status: 0, faultCode: 9013, message: `not a URL: ${o.url}` };
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    return { ok: false, bytes: 0, sha256: "", resumed: 0, status: 0, faultCode: 9013, message: `unsupported protocol ${url.protocol}` };
  const max = o.maxBytes ?? DEFAULT_MAX_BYTES;
  let hash: Hash = createHash("sha256");
  let bytes = 0;
  let resumed = 0;
  let etag: string | undefined;
  let authorization: string | undefined;
  let nc = 0;
  let status = 0;
  const creds = o.username ? { username: o.username, password: o.password ?? "" } : undefined;
  let finished = false;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const headers: Record<string, string> = { "user-agent": "converge-sim" };
    if (authorization) headers["authorization"] = authorization;
    if (bytes > 0) {
      headers["range"] = `bytes=${bytes}-`;
      if (etag) headers["if-range"] = etag;
    }
    const ranged = bytes > 0;
    const onStart = (st: number): void => {
      // A 200 to a ranged request is the whole file again: what came before it does not count.
      if (st === 200 && ranged) {
        hash = createHash("sha256");
        bytes = 0;
      }
    };
    const r = await get(url, headers, o, onStart, (b) => {
      hash.update(b);
      bytes += b.length;
      return bytes <= max;
    });
    status = r.status;
    if (r.status === 401 && creds) {
      const ch = parseChallenges(([] as string[]).concat(r.headers["www-authenticate"] ?? []));
      const digest = ch.find((c) => c.scheme === "digest");
      if (authorization !== undefined && !(digest && /stale=true/i.test(String(r.headers["www-authenticate"]))))
        return fail(9012, "the file server refused the credentials");
      authorization = digest ? digestAuthorization(creds, digest, "GET", url.pathname + url.search, ++nc, randomToken()) : basicAuthorization(creds);
      continue;
    }
    if (r.status === 416 && bytes > 0 && o.expectedSize === bytes) {
      finished = true; // we already had it all
      break;
    }
    if (r.status === 0 && bytes === 0) return fail(9015, `cannot reach the file server: ${r.error ?? "no answer"}`);
    if (r.status !== 0 && r.status !== 200 && r.status !== 206)
      return fail(r.status === 401 || r.status === 403 ? 9012 : 9010, `file server answered HTTP ${r.status}`);
    if (r.status === 206) resumed++;
    const tag = r.headers.etag;
    if (typeof tag === "string" && !tag.startsWith("W/")) etag = tag;
    if (bytes > max) return fail(9010, `file larger than ${max} bytes`);
    if (r.complete && r.status !== 0) {
      const total = contentTotal(r.headers);
      if (total === undefined || bytes >= total) {
        finished = true;
        break;
      }
    }
  }
  if (!finished) return fail(9010, `the transfer broke off ${MAX_ATTEMPTS} times (${bytes} bytes received)`);
  const sha256 = hash.digest("hex");
  if (o.expectedSize !== undefined && o.expectedSize > 0 && bytes !== o.expectedSize)
    return { ...fail(9010, `FileSize ${o.expectedSize} but ${bytes} bytes received`), sha256 };
  return { ok: true, bytes, sha256, resumed, status };

  function fail(code: number, message: string): DownloadResult {
    return { ok: false, bytes, sha256: "", resumed, status, faultCode: code, message };
  }
}

/** The full size a 200 (Content-Length) or 206 (Content-Range: bytes a-b/total) announces. */
function contentTotal(h: http.IncomingHttpHeaders): number | undefined {
  const range = /\/(\d+)$/.exec(String(h["content-range"] ?? ""));
  if (range) return Number(range[1]);
  const len = h["content-length"];
  return len === undefined ? undefined : Number(len);
}

/** A SimDevice `downloader` that fetches for real; the new SoftwareVersion is the one the URL's file names. */
export function httpDownloader(o: { readonly tls?: TlsClientOptions; readonly timeoutMs: number }): (req: DownloadRequest) => Promise<DownloadOutcome> {
  return async (req) => {
    const r = await downloadFile({
      url: req.url,
      username: req.username,
      password: req.password,
      expectedSize: req.fileSize,
      timeoutMs: o.timeoutMs,
      ...(o.tls ? { tls: o.tls } : {}),
    });
    if (!r.ok) return { faultCode: r.faultCode ?? 9010, faultString: r.message ?? "download failed" };
    return { version: versionFromUrl(req.url), bytes: r.bytes, sha256: r.sha256, resumed: r.resumed };
  };
}
