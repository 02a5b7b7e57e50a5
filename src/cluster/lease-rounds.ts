/**
 * Lease rounds (cluster/pg.ts): the acquisitions and releases a node asks for go to PostgreSQL in rounds of one
 * statement each. One round is in flight at a time; whatever is asked meanwhile waits for it and goes in the next,
 * together. Alone, a request leaves at once (no added latency); under load, a round carries many sessions' leases
 * for the cost of one round trip and one commit. A round names each device at most once (a release and an
 * acquisition of one device go in consecutive rounds, in the order asked), so no row is modified twice by it.
 */
import type { DeviceId } from "../domain/device.js";
import type { LeaseResult, Released } from "./port.js";

export interface RoundRelease {
  readonly deviceId: DeviceId;
  readonly session: string;
  /** Added to the device's state version. */
  readonly delta: number;
}

export interface RoundAcquire {
  readonly deviceId: DeviceId;
  readonly session: string;
}

export interface Round {
  readonly releases: readonly RoundRelease[];
  readonly acquires: readonly RoundAcquire[];
}

/** What a round's statement returns per device: released or acquired (with the state version after), or held by another node. */
export interface RoundRow {
  readonly kind: "released" | "acquired" | "held";
  readonly deviceId: DeviceId;
  readonly stateVersion: number;
  readonly holder: string;
  readonly leftSeconds: number;
}

interface Waiting<T> {
  readonly resolve: (v: T) => void;
  readonly reject: (e: unknown) => void;
}
type QueuedRelease = RoundRelease & Waiting<Released> & { readonly acquired: number };
type QueuedAcquire = RoundAcquire & Waiting<LeaseResult>;

export interface LeaseRounds {
  acquire(deviceId: DeviceId, session: string): Promise<LeaseResult>;
  release(deviceId: DeviceId, session: string, acquired: number, changed: boolean): Promise<Released>;
}

export function leaseRounds(run: (round: Round) => Promise<readonly RoundRow[]>): LeaseRounds {
  let releases: QueuedRelease[] = [];
  let acquires: QueuedAcquire[] = [];
  let flying = false;

  const settle = (rel: readonly QueuedRelease[], acq: readonly QueuedAcquire[], rows: readonly RoundRow[]): void => {
    const by = new Map(rows.map((r) => [`${r.kind} ${r.deviceId}`, r]));
    for (const r of rel) {
      const row = by.get(`released ${r.deviceId}`);
      r.resolve(row ? { stateVersion: row.stateVersion, clean: row.stateVersion === r.acquired + r.delta } : { stateVersion: -1, clean: false });
    }
    for (const a of acq) {
      const row = by.get(`acquired ${a.deviceId}`);
      if (row) {
        a.resolve({ ok: true, stateVersion: row.stateVersion });
        continue;
      }
      const held = by.get(`held ${a.deviceId}`);
      const left = held ? held.leftSeconds : 1;
      a.resolve({ ok: false, node: held?.holder ?? "?", retryAfterSeconds: Math.max(1, Math.min(30, Math.ceil(left))) });
    }
  };

  const pump = (): void => {
    if (flying) return;
    const seen = new Set<DeviceId>();
    const take = <T extends { readonly deviceId: DeviceId }>(queue: readonly T[], now: T[], later: T[]): void => {
      for (const x of queue) {
        if (seen.has(x.deviceId)) later.push(x);
        else {
          seen.add(x.deviceId);
          now.push(x);
        }
      }
    };
    const [rel, relLater, acq, acqLater]: [QueuedRelease[], QueuedRelease[], QueuedAcquire[], QueuedAcquire[]] = [[], [], [], []];
    take(releases, rel, relLater);
    take(acquires, acq, acqLater);
    if (rel.length === 0 && acq.length === 0) return;
    releases = relLater;
    acquires = acqLater;
    flying = true;
    run({ releases: rel, acquires: acq })
      .then(
        (rows) => settle(rel, acq, rows),
        (e: unknown) => {
          for (const w of [...rel, ...acq]) w.reject(e);
        },
      )
      .finally(() => {
        flying = false;
        pump();
      });
  };

  return {
    acquire: (deviceId, session) =>
      new Promise<LeaseResult>((resolve, reject) => {
        acquires.push({ deviceId, session, resolve, reject });
        pump();
      }),
    release: (deviceId, session, acquired, changed) =>
      new Promise<Released>((resolve, reject) => {
        releases.push({ deviceId, session, delta: changed ? 1 : 0, acquired, resolve, reject });
        pump();
      }),
  };
}
