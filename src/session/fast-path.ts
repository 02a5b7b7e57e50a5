/**
 * The converged fast path (pure). A device that ended its last session converged, under the same policy
 * revision and ParameterKey, informing the same facts, with no event that invalidates knowledge and before any
 * desired value goes stale, needs no RPC: the ACS can answer without loading its state. Anything unusual (a new
 * revision, BOOT/BOOTSTRAP/VALUE CHANGE/TRANSFER COMPLETE, a queued task, changed facts, staleness) takes the
 * full path, which re-plans from scratch. The entry is a cache; losing it only costs a full session.
 */
import { CONNECTION_REQUEST, PERIODIC, SCHEDULED } from "../cwmp/events.js";
import { createHash } from "node:crypto";
import type { InformRequest } from "../cwmp/types.js";
import type { DesiredState } from "../policy/desired.types.js";
import type { ReportedState } from "../reconcile/types.js";

export interface FastPathEntry {
  /** The policy snapshot the device converged under: its revision and its secrets (CwmpDeps.snapshot). */
  readonly revision: string;
  /** Hash of the Inform's facts and parameter values when it converged. */
  readonly informHash: string;
  /** The earliest time a desired value goes stale (verify.every): full path from then on. */
  readonly nextVerifyAt: number;
  /**
   * The device's state version (cluster/port.ts) after the session that converged it: any change since, by a
   * session on another node, an API task, a tag or a delete on any node, bumps it and the entry no longer counts.
   */
  readonly stateVersion: number;
}

/** Only these events keep a visit "nothing new": periodic check-ins and scheduled ones. */
const QUIET_EVENTS: ReadonlySet<string> = new Set([PERIODIC, SCHEDULED, CONNECTION_REQUEST, "14 HEARTBEAT"]);

/** What the Inform says about the device, minus what changes on every visit (events, time, retry count). */
export function informHash(inform: InformRequest, ip: string): string {
  const h = createHash("sha256");
  const d = inform.deviceId;
  h.update(`${d.manufacturer}\n${d.oui}\n${d.productClass}\n${d.serialNumber}\n${ip}\n`);
  for (const p of inform.parameterList) h.update(`${p.name}\n${p.type}\n${p.value}\n`);
  return h.digest("base64url");
}

/** The earliest moment a desired value's reported observation passes its verify.every. */
export function nextVerifyAt(desired: DesiredState, reported: ReportedState): number {
  let at = Number.POSITIVE_INFINITY;
  for (const v of desired.values) {
    // Write-only values are compared by the hash of what we set, never re-read: they never go stale.
    if (v.writeOnly) continue;
    const r = reported.params.get(v.path);
    at = Math.min(at, r ? r.observedAt + v.verifyEveryMs : Number.NEGATIVE_INFINITY);
  }
  for (const t of desired.tables) {
    for (const [path, r] of reported.params) if (path.startsWith(t.table)) at = Math.min(at, r.observedAt + t.verifyEveryMs);
  }
  return at;
}

export interface FastPathQuery {
  readonly entry: FastPathEntry | undefined;
  readonly revision: string | undefined;
  readonly inform: InformRequest;
  readonly informHash: string;
  readonly now: number;
  /** The state version the device's lease was taken at, for this Inform. */
  readonly stateVersion: number;
}

/** True when this Inform can be answered without loading the device's state or planning. */
export function canTakeFastPath(q: FastPathQuery): boolean {
  const e = q.entry;
  if (!e || q.revision === undefined || e.revision !== q.revision || e.stateVersion !== q.stateVersion) return false;
  if (q.now >= e.nextVerifyAt || e.informHash !== q.informHash) return false;
  return q.inform.events.every((ev) => QUIET_EVENTS.has(ev.code));
}
