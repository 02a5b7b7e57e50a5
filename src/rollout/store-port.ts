/**
 * What the rollout manager needs from persistence. Async, so a PostgreSQL adapter can implement it; the SQLite
 * adapter (src/store/rollouts.ts) answers synchronously under the promise. Every method that changes more than
 * one row does it in one transaction.
 */
import type { DeviceAssignment, RolloutEvent, RolloutRecord } from "./types.js";

export interface StoredVersion {
  readonly revision: string;
  readonly sources: readonly { readonly rel: string; readonly text: string }[];
}

export interface RolloutStore {
  listRollouts(): Promise<readonly RolloutRecord[]>;
  loadAssignments(rolloutId: string): Promise<readonly DeviceAssignment[]>;
  /** A new rollout with its assignments and first event; the rollouts it supersedes are updated in the same transaction. */
  createRollout(r: RolloutRecord, assignments: readonly DeviceAssignment[], event: RolloutEvent, superseded: readonly RolloutRecord[]): Promise<void>;
  updateRollout(r: RolloutRecord, event?: RolloutEvent, assignments?: readonly DeviceAssignment[]): Promise<void>;
  updateAssignments(rolloutId: string, changed: readonly DeviceAssignment[]): Promise<void>;
  events(rolloutId: string, limit: number): Promise<readonly RolloutEvent[]>;
  /** The sources of a served policy set (kept while a rollout may need that version). */
  saveVersion(v: StoredVersion): Promise<void>;
  loadVersion(revision: string): Promise<StoredVersion | undefined>;
  getMeta(key: string): Promise<string | undefined>;
  setMeta(key: string, value: string): Promise<void>;
  close(): Promise<void>;
}
