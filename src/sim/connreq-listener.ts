/**
 * The CPE end of connection requests (I/O; cwmp-notes §6.2, §6.3). One HTTP listener on 127.0.0.1 serves a
 * whole fleet, routing `GET /cr/<serial>`; each device authenticates the ACS with HTTP Digest against its
 * ConnectionRequestUsername/Password, answers 200 before anything else, then starts a session with
 * `6 CONNECTION REQUEST`. An optional UDP socket accepts TR-111 Annex G messages signed with HMAC-SHA1.
 */
import http from "node:http";
import dgram from "node:dgram";
import type { AddressInfo } from "node:net";
import { createHmac, timingSafeEqual } from "node:crypto";
import type { SimDevice } from "./device.js";
import { randomToken, verifyDigest } from "./digest.js";

export interface ConnReqListenerOptions {
  /** Called after an accepted request, once the 200 has been sent; typically runs a session. */
  readonly onRequest: (device: SimDevice) => void;
  /** Also listen for TR-111 UDP connection requests. */
  readonly udp?: boolean;
  /** Answer 503 (TR-069 §3.2.2: the CPE may refuse, e.g. while in session). */
  readonly busy?: (device: SimDevice) => boolean;
}

const REALM = "converge-sim";

/** `Authorization: Basic base64(username:password)` with exactly these credentials. */
function basicMatches(header: string | undefined, creds: { readonly username: string; readonly password: string }): boolean {
  if (header === undefined || !/^basic /i.test(header)) return false;
  const want = Buffer.from(`${creds.username}:${creds.password}`, "utf8");
  const got = Buffer.from(header.slice(6).trim(), "base64");
  return got.length === want.length && timingSafeEqual(got, want);
}
const NONCE_TTL_MS = 60_000;
const MAX_NONCES = 10_000;

export class ConnReqListener {
  readonly #server: http.Server;
  readonly #udp: dgram.Socket | undefined;
  readonly #opts: ConnReqListenerOptions;
  readonly #devices = new Map<string, SimDevice>();
  readonly #nonces = new Map<string, number>(); // nonce -> expiry
  readonly #udpSeen = new WeakMap<SimDevice, { readonly ts: number; readonly id: string }>();
  readonly #gets = new WeakMap<SimDevice, number>();
  #base = "";

  private constructor(opts: ConnReqListenerOptions) {
    this.#opts = opts;
    this.#server = http.createServer((req, res) => this.#onHttp(req, res));
    this.#udp = opts.udp === true ? dgram.createSocket("udp4", (msg) => this.#onUdp(msg.toString("utf8"))) : undefined;
  }

  /** Starts listening on 127.0.0.1 (ephemeral ports). */
  static async start(opts: ConnReqListenerOptions): Promise<ConnReqListener> {
    const l = new ConnReqListener(opts);
    await new Promise<void>((resolve) => l.#server.listen(0, "127.0.0.1", resolve));
    const { port } = l.#server.address() as AddressInfo;
    l.#base = `http://127.0.0.1:${port}`;
    const udp = l.#udp;
    if (udp !== undefined) await new Promise<void>((resolve) => udp.bind(0, "127.0.0.1", resolve));
    return l;
  }

  /** `host:port` of the UDP socket, if enabled. */
  get udpAddress(): string | undefined {
    const a = this.#udp?.address();
    return a === undefined ? undefined : `${a.address}:${a.port}`;
  }

  /** Routes `/cr/<serial>` to the device and makes that its ConnectionRequestURL (and UDP address). */
  register(device: SimDevice): string {
    const path = `/cr/${encodeURIComponent(device.deviceId.serialNumber)}`;
    this.#devices.set(path, device);
    const url = `${this.#base}${path}`;
    device.setConnectionRequestUrl(url);
    const udp = this.udpAddress;
    if (udp !== undefined) device.setLocal(`${device.model.root}ManagementServer.UDPConnectionRequestAddress`, udp);
    return url;
  }

  /** The HTTP GETs this device's URL received (a challenge and its answer are two). */
  httpRequests(device: SimDevice): number {
    return this.#gets.get(device) ?? 0;
  }

  unregister(device: SimDevice): void {
    this.#devices.delete(`/cr/${encodeURIComponent(device.deviceId.serialNumber)}`);
  }

  async close(): Promise<void> {
    this.#udp?.close();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #onHttp(req: http.IncomingMessage, res: http.ServerResponse): void {
    req.resume();
    const device = this.#devices.get(new URL(req.url ?? "/", this.#base).pathname);
    if (device === undefined) return void res.writeHead(404, { "Content-Length": "0" }).end();
    if (req.method !== "GET") return void res.writeHead(405, { Allow: "GET", "Content-Length": "0" }).end();
    this.#gets.set(device, this.httpRequests(device) + 1);
    // TR-069 §3.2.2: the CPE MUST authenticate the ACS with Digest and MUST NOT start a session otherwise. Quirk
    // connReqBasicOnly: a listener that offers and accepts Basic alone (older embedded stacks).
    if (device.quirks.connReqBasicOnly === true) {
      if (!basicMatches(req.headers.authorization, device.connectionRequestCredentials()))
        return void res.writeHead(401, { "WWW-Authenticate": `Basic realm="${REALM}"`, "Content-Length": "0" }).end();
    } else if (
      !verifyDigest(req.headers.authorization, device.connectionRequestCredentials(), { method: "GET", uri: req.url ?? "" }, this.#liveNonces(), REALM)
    ) {
      const nonce = this.#issueNonce();
      const challenge = `Digest realm="${REALM}", qop="auth", nonce="${nonce}", algorithm=MD5`;
      return void res.writeHead(401, { "WWW-Authenticate": challenge, "Content-Length": "0" }).end();
    }
    if (this.#opts.busy?.(device) === true) return void res.writeHead(503, { "Content-Length": "0" }).end();
    // The 200 goes out before the session starts (cwmp-notes §6.2: some CPEs get this wrong).
    res.writeHead(200, { "Content-Length": "0" }).end(() => this.#accept(device));
  }

  #accept(device: SimDevice): void {
    device.connectionRequested();
    this.#opts.onRequest(device);
  }

  #issueNonce(): string {
    const now = Date.now();
    if (this.#nonces.size >= MAX_NONCES) {
      for (const [n, exp] of this.#nonces) if (exp < now || this.#nonces.size >= MAX_NONCES) this.#nonces.delete(n);
    }
    const nonce = randomToken();
    this.#nonces.set(nonce, now + NONCE_TTL_MS);
    return nonce;
  }

  #liveNonces(): ReadonlySet<string> {
    const now = Date.now();
    return new Set([...this.#nonces].filter(([, exp]) => exp >= now).map(([n]) => n));
  }

  /**
   * TR-069 Annex G: `GET http://host:port?ts=&id=&un=&cn=&sig= HTTP/1.1`, sig = hex HMAC-SHA1(password,
   * ts‖id‖un‖cn). Copies with an id already accepted, or a ts older than the last accepted one, are ignored.
   */
  #onUdp(text: string): void {
    const m = /^GET\s+(\S+)\s+HTTP\/1\.1\r?\n/.exec(text);
    if (m === null) return;
    let q: URLSearchParams;
    try {
      q = new URL(m[1] ?? "").searchParams;
    } catch {
      return;
    }
    const [ts, id, un, cn, sig] = ["ts", "id", "un", "cn", "sig"].map((k) => q.get(k) ?? "");
    const device = [...this.#devices.values()].find((d) => d.connectionRequestCredentials().username === un);
    if (device === undefined || ts === undefined || id === undefined || un === undefined || cn === undefined || sig === undefined) return;
    const want = createHmac("sha1", device.connectionRequestCredentials().password)
      .update(ts + id + un + cn)
      .digest("hex");
    const got = sig.toLowerCase();
    if (got.length !== want.length || !timingSafeEqual(Buffer.from(got), Buffer.from(want))) return;
    const last = this.#udpSeen.get(device);
    if (last !== undefined && (last.id === id || Number(ts) < last.ts)) return;
    this.#udpSeen.set(device, { ts: Number(ts), id });
    this.#accept(device);
  }
}
