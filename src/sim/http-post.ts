/** One HTTP(S) POST as a CPE sends it (I/O): body encoding, chunking, cookies, timeouts, TLS. */
import http from "node:http";
import https from "node:https";
import { Buffer } from "node:buffer";

export interface PostResponse {
  readonly status: number;
  readonly body: string;
  /** Every WWW-Authenticate header, separately. */
  readonly challenges: readonly string[];
  readonly setCookies: readonly string[];
  /** The Retry-After header, when the ACS sent one (503 on overload, TR-069 §3.2.1.1). */
  readonly retryAfter?: string;
}

/** TLS settings of a CPE (PEM text or buffers): the CAs it trusts, and its own certificate for client auth. */
export interface TlsClientOptions {
  /** Trusted CAs for the ACS certificate; default: Node's bundled roots. */
  readonly ca?: string | Buffer;
  /** Client certificate and key, presented when the ACS asks (cpeAuth.clientCert). */
  readonly cert?: string | Buffer;
  readonly key?: string | Buffer;
}

export interface PostOptions {
  readonly url: URL;
  /** For an https URL, an https.Agent (or false); an http.Agent cannot carry TLS. */
  readonly agent: http.Agent | false;
  /** Used when the URL is https (also by an agent that opens the connection). */
  readonly tls?: TlsClientOptions;
  readonly timeoutMs: number;
  readonly headers: Readonly<Record<string, string>>;
  /** undefined: the empty POST (no Content-Type, Content-Length 0). */
  readonly xml: string | undefined;
  readonly latin1: boolean;
  readonly chunked: boolean;
  /** The empty POST carries `Content-Type:` with an empty value (quirk emptyContentType). */
  readonly emptyContentType?: boolean;
}

const CHUNK = 97; // odd size: chunk boundaries land inside element names, as seen in the wild

/** Sends one POST and reads the whole response; rejects on network errors and on timeout ("timeout"). */
export function post(o: PostOptions): Promise<PostResponse> {
  return new Promise((resolve, reject) => {
    const body = o.xml === undefined ? Buffer.alloc(0) : encodeBody(o.xml, o.latin1);
    const headers: Record<string, string> = { ...o.headers };
    if (o.xml !== undefined) {
      headers["Content-Type"] = o.latin1 ? "text/xml; charset=ISO-8859-1" : 'text/xml; charset="utf-8"';
      headers.SOAPAction = "";
    } else if (o.emptyContentType === true) headers["Content-Type"] = "";
    if (!o.chunked || body.length === 0) headers["Content-Length"] = String(body.length);
    const onResponse = (res: http.IncomingMessage): void => {
      const parts: Buffer[] = [];
      res.on("data", (b: Buffer) => parts.push(b));
      res.on("error", reject);
      res.on("end", () => resolve(responseOf(res, Buffer.concat(parts))));
    };
    const req =
      o.url.protocol === "https:"
        ? https.request(o.url, { method: "POST", agent: o.agent, headers, ...o.tls }, onResponse)
        : http.request(o.url, { method: "POST", agent: o.agent, headers }, onResponse);
    req.setTimeout(o.timeoutMs, () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    if (o.chunked) for (let i = 0; i < body.length; i += CHUNK) req.write(body.subarray(i, i + CHUNK));
    req.end(o.chunked ? undefined : body);
  });
}

function encodeBody(xml: string, latin1: boolean): Buffer {
  if (!latin1) return Buffer.from(xml, "utf8");
  return Buffer.from(xml.replace(/^(<\?xml[^>]*encoding=")UTF-8(")/i, "$1ISO-8859-1$2"), "latin1");
}

function responseOf(res: http.IncomingMessage, raw: Buffer): PostResponse {
  const type = res.headers["content-type"] ?? "";
  const charset = /charset="?([^";\s]+)/i.exec(type)?.[1]?.toLowerCase();
  const body = charset === "iso-8859-1" || charset === "latin1" ? raw.toString("latin1") : raw.toString("utf8");
  const challenges: string[] = [];
  for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
    if (res.rawHeaders[i]?.toLowerCase() === "www-authenticate") challenges.push(res.rawHeaders[i + 1] ?? "");
  }
  const retryAfter = res.headers["retry-after"];
  return { status: res.statusCode ?? 0, body, challenges, setCookies: res.headers["set-cookie"] ?? [], ...(retryAfter !== undefined ? { retryAfter } : {}) };
}

/** A minimal cookie jar: name=value pairs, later Set-Cookie wins, Max-Age=0 deletes (RFC 6265 §5.2). */
export class CookieJar {
  readonly #cookies = new Map<string, string>();

  store(setCookies: readonly string[]): void {
    for (const sc of setCookies) {
      const [pair = "", ...attrs] = sc.split(";");
      const eq = pair.indexOf("=");
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const expired = attrs.some((a) => /^\s*max-age\s*=\s*(0|-\d+)\s*$/i.test(a));
      if (expired) this.#cookies.delete(name);
      else this.#cookies.set(name, pair.slice(eq + 1).trim());
    }
  }

  header(): string | undefined {
    if (this.#cookies.size === 0) return undefined;
    return [...this.#cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }
}
