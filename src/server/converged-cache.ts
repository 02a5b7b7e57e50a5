/**
 * The converged-device cache of the fast path (docs/ARCHITECTURE.md): devices that ended a session converged,
 * with the snapshot and Inform hash they converged under. Bounded; Map order is recency order for eviction.
 */
import type { DeviceId } from "../domain/device.js";
import { nextVerifyAt, type FastPathEntry } from "../session/fast-path.js";
import type { LiveSession } from "./sessions.js";

/** Bound on remembered converged devices (about 150 bytes each): beyond it the oldest fall back to the full path. */
export const FAST_PATH_ENTRIES = 1_000_000;

export class ConvergedCache {
  private readonly entries = new Map<DeviceId, FastPathEntry>();

  constructor(private readonly capacity = FAST_PATH_ENTRIES) {}

  get size(): number {
    return this.entries.size;
  }

  get(id: DeviceId): FastPathEntry | undefined {
    return this.entries.get(id);
  }

  /** Something about the device changed outside a session (task, tags, debug): its next visit re-plans. */
  forget(id: DeviceId): void {
    this.entries.delete(id);
  }

  /**
   * After a recorded session end whose lease came back clean (nobody changed the device meanwhile): remember a
   * device that ended converged, at the state version its release left, and forget any other.
   */
  remember(live: LiveSession, stateVersion: number): void {
    const rec = live.state.reconcile;
    if (live.fast) return;
    this.entries.delete(live.deviceId); // re-insert below: Map order is recency order for eviction
    if (live.converged !== true || !rec || live.state.outcome !== "ok" || live.snapshot === undefined) return;
    this.entries.set(live.deviceId, {
      revision: live.snapshot,
      informHash: live.informHash,
      nextVerifyAt: nextVerifyAt(rec.desired, rec.reported),
      stateVersion,
    });
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }
}
