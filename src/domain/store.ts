/**
 * The Store port: what the server, the CLI and the planner's adapters ask of persistence, in the core's own
 * vocabulary. Adapters in `src/store/` implement it (SQLite today, better-sqlite3 synchronous underneath); the
 * port is asynchronous so a networked database (PostgreSQL) can implement it too. The pure core never calls
 * it: the session machine and the fold RETURN `StoreWrite`s, the route commits them.
 *
 * The rule: ONE transaction per session step. Every method that writes is one transaction of its own, all or
 * nothing; there is no open-ended transaction across awaits.
 */
import type { AcsRequest, NotificationLevel } from "../cwmp/types.js";
import type { AddIntent, Inventory, ReportedState } from "../reconcile/types.js";
import type { DeviceId } from "./device.js";
import type { DeviceFacts, InformEvent } from "./facts.js";
import type { Fault } from "./faults.js";
import type { ConditionType, DeviceStatus } from "./status.js";
import type { XsdType } from "./xsd.js";

export type { InformFacts } from "./facts.js";
export type { Condition, ConditionType, DeviceStatus } from "./status.js";
export type { Fault } from "./faults.js";

/** A device as stored: its facts plus what Converge keeps about its visits. */
export interface DeviceRecord extends DeviceFacts {
  readonly firstSeen: number;
  readonly lastInform: number;
  readonly lastBoot: number | undefined;
  readonly lastEvents: readonly InformEvent[];
  readonly tags: readonly string[];
  readonly status: DeviceStatus | undefined;
}

/**
 * Device search (GET /api/devices, `converge devices`). Every filter runs in SQL on an index; text filters are
 * case-insensitive (ASCII) and those marked "prefix" match the start of the value. Pages are in device id order.
 */
export interface DeviceFilter {
  /** Exact product class (case-insensitive). */
  readonly productClass?: string;
  /** Exact software version (case-insensitive). */
  readonly softwareVersion?: string;
  readonly tag?: string;
  /** e.g. "Converged=false", "Faulted=true" */
  readonly condition?: { readonly type: ConditionType; readonly status: boolean };
  /** Prefix of the manufacturer. */
  readonly manufacturer?: string;
  /** Exact OUI. */
  readonly oui?: string;
  /** Prefix of the serial number. */
  readonly serial?: string;
  /** Prefix of the device id (OUI-ProductClass-Serial). */
  readonly deviceId?: string;
  /** Prefix of the product class. */
  readonly model?: string;
  /** Prefix of the software version. */
  readonly firmware?: string;
  /** Prefix of the address the device last informed from (e.g. "10.0.3."); case-sensitive. */
  readonly ip?: string;
  /** Last Inform at or after this time (ms epoch). */
  readonly informedSince?: number;
  /** Last Inform before this time (ms epoch): devices silent since. */
  readonly informedBefore?: number;
  /** Matched this policy at their last session. */
  readonly policy?: string;
  /** Has a stored fault with this code ("9007", "too_many_rpcs"). */
  readonly fault?: string;
  /** Reports this parameter (with this value, case-insensitive, when given). Not indexed by value: a page
   * examines at most `REPORTED_SCAN_WINDOW` devices and may come back short with a `next` cursor. */
  readonly reported?: { readonly path: string; readonly value?: string };
  readonly limit: number;
  /** Opaque cursor from a previous page (device id to start after). */
  readonly after?: string;
}

/** Devices per product class and software version (the overview's model/firmware table). */
export interface ModelCount {
  readonly productClass: string;
  readonly softwareVersion: string;
  readonly devices: number;
}

/** One time bucket of fleet activity (start time, ms epoch). */
export interface ActivityBucket {
  readonly at: number;
  readonly sessions: number;
  /** Sessions whose outcome was not "ok". */
  readonly failedSessions: number;
  readonly faults: number;
}

/** A fault code as seen across the fleet. */
export interface FaultSummary {
  readonly code: string;
  readonly faults: number;
  readonly devices: number;
  readonly lastAt: number;
  /** The message of its newest occurrence. */
  readonly message: string;
}

export type TaskState = "pending" | "done" | "fault" | "expired";

export interface TaskRecord {
  readonly id: number;
  readonly deviceId: DeviceId;
  readonly request: AcsRequest;
  readonly state: TaskState;
  readonly createdAt: number;
  readonly doneAt: number | undefined;
  /** Outcome detail: the CPE's response summary or fault (JSON-serialisable). */
  readonly outcome: unknown;
  /** Who queued it (the audit trail): the API token's name, "loopback" without tokens; undefined if unknown. */
  readonly queuedBy: string | undefined;
}

/** A recorded fault: the one `Fault` shape, with where and when; its code as stored (a `FaultCode`, or one of an older version). */
export interface FaultRecord extends Omit<Fault, "code"> {
  readonly code: string;
  readonly id: number;
  readonly deviceId: DeviceId;
  readonly path: string | undefined;
  readonly policy: string | undefined;
  readonly sessionId: string | undefined;
  readonly at: number;
}

/** A fault as a session step writes it. */
export interface FaultWrite extends Fault {
  readonly sessionId?: string | undefined;
  readonly at: number;
}

export interface SessionRecord {
  readonly id: string;
  readonly deviceId: DeviceId;
  readonly startedAt: number;
  readonly endedAt: number | undefined;
  /** "ok" | "fault:<code>" | "timeout" | "error" ... */
  readonly outcome: string;
  readonly rpcCount: number;
  readonly events: readonly string[];
  readonly revision: string | undefined;
}

export type FinishedSession = Omit<SessionRecord, "endedAt"> & { readonly endedAt: number };

export interface TranscriptEntry {
  readonly at: number;
  readonly direction: "in" | "out";
  readonly status?: number;
  /** The decoded message (JSON) for what the CPE sent; the SOAP Converge sent for "out". Secrets masked. */
  readonly body: string;
  /** "in": the raw SOAP the CPE sent, masked, at most 64 KiB (`truncated` when it was longer). */
  readonly raw?: string;
  /** "in": the raw SOAP's length in characters before truncation. */
  readonly rawLength?: number;
  readonly truncated?: boolean;
}

/** Writes produced by one session step; `Store.apply` commits them in ONE transaction. */
export type StoreWrite =
  /** The Inform step's first write: upserts the device's facts, last inform, events and (when `booted`) last boot.
   * Creates the device if new (then it must come first in its `apply`). */
  | { readonly kind: "inform"; readonly facts: DeviceFacts; readonly events: readonly InformEvent[]; readonly at: number; readonly booted: boolean }
  /** "0 BOOTSTRAP": forget every reported parameter, object, discovered path and inventory entry of the device. */
  /** "0 BOOTSTRAP": forget reported state; the inventory too only on a real factory reset (session/inform.ts). */
  | { readonly kind: "forgetState"; readonly inventory: boolean }
  | {
      readonly kind: "reported";
      readonly params: readonly {
        readonly path: string;
        readonly value: string;
        readonly type: XsdType;
      }[];
      readonly observedAt: number;
    }
  | {
      readonly kind: "names";
      readonly params: readonly { readonly path: string; readonly writable: boolean }[];
      readonly discovered: string;
      readonly observedAt: number;
    }
  | { readonly kind: "attributes"; readonly params: readonly { readonly path: string; readonly notification: NotificationLevel }[] }
  /** `key`: the declared instance's key Converge added it for (kept with the created inventory). */
  | {
      readonly kind: "objectAdded";
      readonly path: string;
      readonly createdByUs: boolean;
      readonly observedAt: number;
      readonly key?: Readonly<Record<string, string>>;
    }
  /** Write-ahead: committed in the step that sends the AddObject, before the RPC goes out. */
  | { readonly kind: "addIntent"; readonly intent: AddIntent }
  | { readonly kind: "clearAddIntent"; readonly selector: string }
  /** Learnt: whether the CPE keeps the ParameterKey we set (false: it reports it empty). */
  | { readonly kind: "parameterKeyKept"; readonly kept: boolean }
  | { readonly kind: "objectDeleted"; readonly path: string }
  | { readonly kind: "forgetPaths"; readonly paths: readonly string[] }
  | { readonly kind: "writeOnlyHash"; readonly path: string; readonly hash: string }
  | { readonly kind: "backoff"; readonly path: string; readonly until: number; readonly code: number | string; readonly attempts: number }
  | { readonly kind: "clearBackoff"; readonly path: string }
  | { readonly kind: "download"; readonly download: Inventory["download"] }
  /** A SetParameterValues/AddObject/DeleteObject with this ParameterKey succeeded: the CPE's key, and one of ours
   * (kept among `Inventory.appliedKeys`). */
  | { readonly kind: "parameterKey"; readonly value: string }
  /** `Inventory.rebootPending` set (status 1) or cleared (Reboot answered). An Inform with "1 BOOT" also clears it. */
  | { readonly kind: "rebootPending"; readonly pending: boolean }
  | {
      readonly kind: "task";
      readonly id: number;
      readonly state: TaskState;
      readonly outcome: unknown;
      /** When the task finished (TaskRecord.doneAt); the store's clock if omitted. */
      readonly at?: number;
    }
  | { readonly kind: "fault"; readonly fault: FaultWrite }
  | { readonly kind: "clearFaults"; readonly paths: readonly string[] }
  | { readonly kind: "status"; readonly status: DeviceStatus }
  /** A per-device secret Converge generated (connection request credentials). */
  | { readonly kind: "secret"; readonly name: string; readonly value: string }
  /** The SOAP transcript of a session of a device with debug on (bounded per device). */
  | { readonly kind: "transcript"; readonly sessionId: string; readonly entries: readonly TranscriptEntry[] };

/**
 * The device's lease a session step is written under (issue 15, several nodes: cluster/port.ts). The step's
 * transaction renews the lease for `leaseMs` when `node` still holds it for `session`, and writes nothing otherwise.
 */
export interface LeaseFence {
  readonly node: string;
  readonly session: string;
  /** The lease's life from this step on (a renewal). */
  readonly leaseMs: number;
  /** Raise the device's state version in the same transaction (the session changes the device's state). */
  readonly bump?: boolean;
  /** The session's last step: the lease goes back in the same transaction (after its writes, atomically). */
  readonly release?: boolean;
}

/** A fenced `Store.apply` found the device's lease taken by another node (or session): nothing was written. */
export class LeaseLostError extends Error {
  readonly code = "lease_lost";
  constructor(deviceId: DeviceId, session: string) {
    super(`device ${deviceId}: session ${session} no longer holds the device's lease (another node took it): nothing written`);
    this.name = "LeaseLostError";
  }
}

/** What the store holds about a device, read at once: what a full-path session starts from. */
export interface DeviceLoad {
  /** Undefined for a device never seen (then everything else is empty). */
  readonly record: DeviceRecord | undefined;
  readonly reported: ReportedState;
  readonly inventory: Inventory;
  readonly tasks: readonly TaskRecord[];
  /** The device's secrets by name (connection request credentials...). */
  readonly secrets: ReadonlyMap<string, string>;
}

/** What the Inform step's `decide` returns: the step's writes (committed with the load) and what the caller keeps. */
export interface InformDecision<T> {
  readonly writes: readonly StoreWrite[];
  readonly result: T;
}

export interface Store {
  close(): Promise<void>;
  /** Everything a session starts from, in one read (the Inform step's writes come from session/inform.ts). */
  loadDevice(id: DeviceId): Promise<DeviceLoad>;
  /**
   * The Inform step as one: reads what `loadDevice` reads, calls `decide` (synchronous, pure: the session's
   * `informStep`) with it, and commits the writes it returns as `apply` does (the first is the device's `inform` when
   * it may be new; the same `fence`), with no other write of the device in between (one transaction; SQLite's group
   * commit: the read, then the writes in the turn's group, nothing run between them). Resolves with `decide`'s result
   * once committed; when `decide` throws or a write fails (or the fence finds the lease gone: `LeaseLostError`),
   * nothing is written.
   */
  loadAndApply<T>(id: DeviceId, decide: (loaded: DeviceLoad) => InformDecision<T>, fence?: LeaseFence): Promise<T>;
  getDevice(id: DeviceId): Promise<DeviceRecord | undefined>;
  /** A page of devices; `next` (the cursor for `after`) is set while more may match. A page can hold fewer
   * than `limit` devices and still have a `next` (the `reported` filter's bounded window). */
  listDevices(filter: DeviceFilter): Promise<{ readonly devices: readonly DeviceRecord[]; readonly next: string | undefined }>;
  countDevices(): Promise<number>;
  /** Devices per condition for metrics: e.g. { converged: n, not_converged: n, faulted: n, pending: n, drifted: n, unknown: n }. */
  countByCondition(): Promise<Readonly<Record<string, number>>>;
  /** Devices per policy name, as matched at each device's last session. */
  countByPolicy(): Promise<Readonly<Record<string, number>>>;
  /** How many devices match `filter` (its cursor and limit ignored); undefined for a filter that cannot be
   * counted on an index (`reported`). */
  countMatching(filter: DeviceFilter): Promise<number | undefined>;
  /** The largest model/firmware groups, most devices first. */
  countByModel(limit: number): Promise<readonly ModelCount[]>;
  /** Sessions and faults per `bucketMs` since `since` (buckets without either are left out). */
  activity(since: number, bucketMs: number): Promise<readonly ActivityBucket[]>;
  /** The most common fault codes since `since`, by devices affected. */
  topFaults(since: number, limit: number): Promise<readonly FaultSummary[]>;
  /** Every device id, in keyset pages (for `converge plan` over a large fleet without loading all rows at once). */
  eachDeviceId(): AsyncIterableIterator<DeviceId>;
  loadReported(id: DeviceId): Promise<ReportedState>;
  loadInventory(id: DeviceId): Promise<Inventory>;
  /** All writes of one session step, in one transaction: all or nothing. The device must exist, or the first
   * write be its `inform`. With a `fence` (several nodes), a backend that holds the cluster's leases checks in the
   * same transaction that this node still holds the device's lease for the session: if not, it writes nothing and
   * rejects with `LeaseLostError`. A backend without leases (SQLite: one node) ignores the fence. */
  apply(id: DeviceId, writes: readonly StoreWrite[], fence?: LeaseFence): Promise<void>;
  setTags(id: DeviceId, add: readonly string[], remove: readonly string[]): Promise<void>;
  /** Forgets the device entirely, in ONE transaction: its record, tags, reported state, inventory, tasks, faults,
   * sessions, transcripts and secrets. False when there was no such device (secrets stored ahead of a first
   * Inform are still removed). */
  deleteDevice(id: DeviceId): Promise<boolean>;

  queueTask(id: DeviceId, request: AcsRequest, now: number, queuedBy?: string): Promise<TaskRecord>;
  /** Operator audit trail across the fleet, newest first: tasks `queuedBy` queued (any when absent), ids below `before`. */
  auditTasks(filter: { readonly queuedBy?: string; readonly before?: number; readonly limit: number }): Promise<readonly TaskRecord[]>;
  pendingTasks(id: DeviceId): Promise<readonly TaskRecord[]>;
  listTasks(id: DeviceId, limit: number): Promise<readonly TaskRecord[]>;

  /**
   * Records a finished session. Sessions are an append-only log: rows are buffered and written in batches
   * (at most ~100 ms or 256 rows later, and before any read of sessions or close), so a minimal session costs
   * no transaction of its own. A crash loses at most that buffer of log rows, never device state.
   * Deferred telemetry: returns at once (the adapter buffers).
   */
  logSession(s: FinishedSession): void;
  /** Deferred the same way: a visit that changed nothing but the time and events (the converged fast path). */
  touchLater(id: DeviceId, now: number, events: readonly InformEvent[]): void;
  /** Writes every deferred row now. */
  flush(): Promise<void>;
  listSessions(id: DeviceId, limit: number): Promise<readonly SessionRecord[]>;
  listFaults(id: DeviceId, limit: number): Promise<readonly FaultRecord[]>;
  getTranscript(deviceId: DeviceId, sessionId: string): Promise<readonly TranscriptEntry[] | undefined>;
  /** Per-device secrets (connection request credentials Converge generated, a device's own CWMP password). */
  getSecret(id: DeviceId, name: string): Promise<string | undefined>;
  /** Every secret of the device, by name. */
  getSecrets(id: DeviceId): Promise<ReadonlyMap<string, string>>;
  setSecret(id: DeviceId, name: string, value: string): Promise<void>;
  /** The per-installation key of write-only hashes (hex), created on first use; it never leaves the server. */
  installationKey(): Promise<string>;
}
