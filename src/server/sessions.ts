/**
 * Live CWMP sessions, in memory. Found by cookie first, then by TCP connection (some CPEs drop cookies,
 * cwmp-notes §3.1). One session per device at a time; idle sessions expire.
 */
import { randomBytes } from "node:crypto";
import type { Socket } from "node:net";
import type { DeviceId } from "../domain/device.js";
import type { CwmpVersion } from "../cwmp/types.js";
import type { SessionConfig, SessionState } from "../session/types.js";
import type { StoreWrite, TranscriptEntry } from "../domain/store.js";

export const COOKIE = "converge_session";

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
  /** Writes of the Inform step not yet committed (generated secrets): they join the next step's transaction. */
  pendingWrites: readonly StoreWrite[];
}

const COOKIE_RE = new RegExp(`(?:^|[;,]\\s*)\\$?${COOKIE}="?([A-Za-z0-9_-]{8,64})"?`);

/** Reads our cookie from any of the shapes CPEs echo (RFC 6265, RFC 2109 `$Version`, comma separated). */
export function sessionIdFromCookie(header: string | undefined): string | undefined {
  if (!header) return undefined;
  return COOKIE_RE.exec(header)?.[1];
}

export class SessionRegistry {
  private readonly byId = new Map<string, LiveSession>();
  private readonly byDevice = new Map<DeviceId, LiveSession>();
  private readonly bySocket = new WeakMap<Socket, LiveSession>();
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

  find(cookie: string | undefined, socket: Socket | undefined): LiveSession | undefined {
    const id = sessionIdFromCookie(cookie);
    const byCookie = id ? this.byId.get(id) : undefined;
    if (byCookie) return byCookie;
    return socket ? this.bySocket.get(socket) : undefined;
  }

  has(s: LiveSession): boolean {
    return this.byId.get(s.id) === s;
  }

  forDevice(id: DeviceId): LiveSession | undefined {
    return this.byDevice.get(id);
  }

  add(s: LiveSession): void {
    this.byId.set(s.id, s);
    this.byDevice.set(s.deviceId, s);
    if (s.socket) this.bySocket.set(s.socket, s);
  }

  touch(s: LiveSession, socket: Socket | undefined, now: number): void {
    s.lastSeen = now;
    if (socket && s.socket !== socket) {
      s.socket = socket;
      this.bySocket.set(socket, s);
    }
  }

  remove(s: LiveSession): void {
    this.byId.delete(s.id);
    if (this.byDevice.get(s.deviceId) === s) this.byDevice.delete(s.deviceId);
    if (s.socket && this.bySocket.get(s.socket) === s) this.bySocket.delete(s.socket);
  }

  /** Sessions idle for longer than `idleMs`. */
  expired(now: number, idleMs: number): LiveSession[] {
    const out: LiveSession[] = [];
    for (const s of this.byId.values()) if (now - s.lastSeen > idleMs) out.push(s);
    return out;
  }

  all(): IterableIterator<LiveSession> {
    return this.byId.values();
  }
}
