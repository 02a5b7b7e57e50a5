/**
 * Live CWMP sessions, in memory, each bound to its client (issue 10 point 2). Found by cookie first; by TCP
 * connection only for a CPE that never echoes our cookie (cwmp-notes §3.1) and only when that connection
 * carries no other such session (two CPEs behind one keep-alive proxy share a socket). A cookie on another
 * connection than its session's live one is a move the route accepts only from the session's own identity.
 * One session per device at a time; idle sessions expire.
 */
import { randomBytes } from "node:crypto";
import type { Socket } from "node:net";
import type { DeviceId } from "../domain/device.js";
import type { CwmpVersion } from "../cwmp/types.js";
import type { SessionConfig, SessionState } from "../session/types.js";
import type { TranscriptEntry } from "../domain/store.js";

export const COOKIE = "converge_session";

/** Who the session's client is: set by the route when the session opens (see cwmp-route.ts). */
export interface ClientBinding {
  /** The identity the Inform authenticated with (username or certificate CN); undefined in open mode. */
  readonly identity: string | undefined;
  /** The admission source this session counts against (`id:<identity>` or `ip:<address>`). */
  readonly source: string;
  /** Whether the client has echoed our cookie: from then on, only the cookie finds the session. */
  cookieEchoed: boolean;
  /** Per model: send the `<?xml ...?>` declaration (cwmp.omitXmlDeclaration). */
  readonly xmlDeclaration: boolean;
  /** Per model: every request authenticates, not only the Inform (cpeAuth.perRequest, `quirks:`). Default false. */
  readonly authPerRequest?: boolean;
  /** CPE-initiated requests (TransferComplete, GetRPCMethods, ...) seen in this session. */
  cpeRequests: number;
}

export interface LiveSession {
  state: SessionState;
  readonly id: string;
  readonly deviceId: DeviceId;
  readonly version: CwmpVersion;
  readonly cfg: SessionConfig;
  readonly startedAt: number;
  readonly events: readonly string[];
  readonly revision: string | undefined;
  socket: Socket | undefined;
  lastSeen: number;
  /** Full SOAP transcript, kept only for devices with debug on. */
  transcript: TranscriptEntry[] | undefined;
  /** ACS request methods sent in this session, in order. */
  readonly rpcs: string[];
  /** Known once the session ends with a status. */
  converged?: boolean;
  /** Hash of the opening Inform (see session/fast-path.ts). */
  readonly informHash: string;
  /** The policy snapshot (revision and secrets) the session started under. */
  readonly snapshot: string | undefined;
  /** Opened on the converged fast path: no state loaded, nothing planned. */
  readonly fast: boolean;
  /** Faults this session recorded (what a rollout counts against the policy they came from). */
  faults?: SessionFault[];
  /** Set by the route right after the session opens. */
  client?: ClientBinding;
}

export interface SessionFault {
  readonly code: string;
  readonly path: string | undefined;
  readonly policy: string | undefined;
  readonly message: string;
}

const COOKIE_RE = new RegExp(`(?:^|[;,]\\s*)\\$?${COOKIE}="?([A-Za-z0-9_-]{8,64})"?`);

/** Reads our cookie from any of the shapes CPEs echo (RFC 6265, RFC 2109 `$Version`, comma separated). */
export function sessionIdFromCookie(header: string | undefined): string | undefined {
  if (!header) return undefined;
  // Bounded before the regex: a cookie header of ours is short; CPE input never costs more than linear time.
  return COOKIE_RE.exec(header.length > 8192 ? header.slice(0, 8192) : header)?.[1];
}

/** How a request found (or did not find) its session. */
export type Lookup =
  | { readonly kind: "found"; readonly live: LiveSession; readonly by: "cookie" | "socket" }
  /** Our cookie, but the session's own connection is alive and this is another one. */
  | { readonly kind: "moved"; readonly live: LiveSession }
  /** Our cookie, naming no live session (ended, expired, or never issued). */
  | { readonly kind: "unknown_cookie" }
  /** No cookie, and the connection carries more than one session: never guess. */
  | { readonly kind: "ambiguous" }
  | { readonly kind: "none" };

function isDead(s: LiveSession): boolean {
  return !s.socket || s.socket.destroyed;
}

export class SessionRegistry {
  private readonly byId = new Map<string, LiveSession>();
  private readonly byDevice = new Map<DeviceId, LiveSession>();
  private readonly bySocket = new WeakMap<Socket, Set<LiveSession>>();
  private readonly perSource = new Map<string, number>();
  /** Devices whose Inform is being recorded (awaiting the store): not yet sessions, already taken. */
  private readonly openingDevices = new Set<DeviceId>();
  private pool = Buffer.alloc(0);
  private poolAt = 0;

  get size(): number {
    return this.byId.size;
  }

  /** Sessions plus Informs being opened: what the `maxSessions` bound counts. */
  get load(): number {
    return this.byId.size + this.openingDevices.size;
  }

  isOpening(id: DeviceId): boolean {
    return this.openingDevices.has(id);
  }

  opening(id: DeviceId, on: boolean): void {
    if (on) this.openingDevices.add(id);
    else this.openingDevices.delete(id);
  }

  /** Session ids are cookies, so unguessable: 96 random bits each, drawn from a pool refilled 4 KiB at a time. */
  newId(): string {
    if (this.poolAt + 12 > this.pool.length) {
      this.pool = randomBytes(4096);
      this.poolAt = 0;
    }
    const id = this.pool.subarray(this.poolAt, this.poolAt + 12).toString("base64url");
    this.poolAt += 12;
    return id;
  }

  lookup(cookie: string | undefined, socket: Socket | undefined): Lookup {
    const id = sessionIdFromCookie(cookie);
    if (id !== undefined) {
      const live = this.byId.get(id);
      if (!live) return { kind: "unknown_cookie" };
      if (live.socket === socket || isDead(live)) return { kind: "found", live, by: "cookie" };
      return { kind: "moved", live };
    }
    const on = socket ? this.bySocket.get(socket) : undefined;
    if (!on) return { kind: "none" };
    // A connection that carries two sessions (a proxy) cannot tell whose a cookieless request is.
    if (on.size > 1) return { kind: "ambiguous" };
    const only = on.values().next().value;
    return only && only.client?.cookieEchoed !== true ? { kind: "found", live: only, by: "socket" } : { kind: "none" };
  }

  /** The session of the cookie, if live (wherever its connection is). */
  byCookie(cookie: string | undefined): LiveSession | undefined {
    const id = sessionIdFromCookie(cookie);
    return id ? this.byId.get(id) : undefined;
  }

  has(s: LiveSession): boolean {
    return this.byId.get(s.id) === s;
  }

  forDevice(id: DeviceId): LiveSession | undefined {
    return this.byDevice.get(id);
  }

  /** Live sessions counted against an admission source. */
  sourceCount(source: string): number {
    return this.perSource.get(source) ?? 0;
  }

  add(s: LiveSession): void {
    this.byId.set(s.id, s);
    this.byDevice.set(s.deviceId, s);
    if (s.socket) this.attach(s.socket, s);
  }

  /**
   * Takes an admission slot of `source` for an Inform being opened (before the store is awaited, so concurrent
   * Informs of one source cannot all pass the share); `bind` hands it to the session, `release` gives it back.
   */
  reserve(source: string): void {
    this.perSource.set(source, this.sourceCount(source) + 1);
  }

  release(source: string): void {
    const n = this.sourceCount(source) - 1;
    if (n > 0) this.perSource.set(source, n);
    else this.perSource.delete(source);
  }

  /** Binds an opened session to its client; its source's slot was reserved. */
  bind(s: LiveSession, client: ClientBinding): void {
    s.client = client;
  }

  touch(s: LiveSession, socket: Socket | undefined, now: number): void {
    s.lastSeen = now;
    if (socket && s.socket !== socket) {
      if (s.socket) this.detach(s.socket, s);
      s.socket = socket;
      this.attach(socket, s);
    }
  }

  remove(s: LiveSession): void {
    if (this.byId.get(s.id) !== s) return;
    this.byId.delete(s.id);
    if (this.byDevice.get(s.deviceId) === s) this.byDevice.delete(s.deviceId);
    if (s.socket) this.detach(s.socket, s);
    if (s.client) this.release(s.client.source);
  }

  /** Sessions idle for longer than their bound: `idleMs`, or `unauthenticatedIdleMs` for a session without identity. */
  expired(now: number, idleMs: number, unauthenticatedIdleMs = idleMs): LiveSession[] {
    const out: LiveSession[] = [];
    for (const s of this.byId.values()) {
      const bound = s.client !== undefined && s.client.identity === undefined ? Math.min(idleMs, unauthenticatedIdleMs) : idleMs;
      if (now - s.lastSeen > bound) out.push(s);
    }
    return out;
  }

  all(): IterableIterator<LiveSession> {
    return this.byId.values();
  }

  private attach(socket: Socket, s: LiveSession): void {
    const set = this.bySocket.get(socket);
    if (set) set.add(s);
    else this.bySocket.set(socket, new Set([s]));
  }

  private detach(socket: Socket, s: LiveSession): void {
    const set = this.bySocket.get(socket);
    if (!set) return;
    set.delete(s);
    if (set.size === 0) this.bySocket.delete(socket);
  }
}
