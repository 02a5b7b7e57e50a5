/**
 * The store seam. Adapters (server, CLI) call it; the pure core never does. Row <-> domain mapping stays in
 * store/. SQLite (better-sqlite3, WAL) implements it today; the interface is kept small so a PostgreSQL
 * backend can sit beside it later.
 */
import type { DeviceId } from "../domain/device.js";
import type { XsdType } from "../domain/xsd.js";
import type { AcsRequest, EventStruct, NotificationLevel } from "../cwmp/types.js";
import type { AddIntent, Inventory, ReportedState } from "../reconcile/types.js";

/** Inform facts as stored. */
export interface InformFacts {
  readonly deviceId: DeviceId;
  readonly manufacturer: string;
  readonly oui: string;
  readonly productClass: string;
  readonly serialNumber: string;
  readonly softwareVersion: string;
  readonly hardwareVersion: string;
  readonly ip: string;
  readonly connectionRequestUrl: string;
  readonly udpConnectionRequestAddress: string;
  readonly parameterKey: string;
  readonly dataModel: "tr098" | "tr181" | undefined;
  readonly events: readonly EventStruct[];
  /** The Inform's ParameterList, stored as reported values observed `now`. */
  readonly parameters: readonly { readonly name: string; readonly value: string; readonly type: XsdType }[];
}

export type ConditionType = "Matched" | "Converged" | "Drifted" | "Faulted" | "Pending";

export interface Condition {
  readonly type: ConditionType;
  readonly status: boolean;
  readonly reason: string;
  readonly message: string;
  readonly lastTransition: number;
}

export interface DeviceStatus {
  readonly conditions: readonly Condition[];
  readonly matchedPolicies: readonly string[];
  readonly appliedRevision: string | undefined;
  readonly attemptedRevision: string | undefined;
  readonly lastTransition: number;
}

export interface DeviceRecord extends Omit<InformFacts, "events" | "parameters"> {
  readonly firstSeen: number;
  readonly lastInform: number;
  readonly lastBoot: number | undefined;
  readonly lastEvents: readonly EventStruct[];
  readonly tags: readonly string[];
  readonly status: DeviceStatus | undefined;
}

export interface DeviceFilter {
  readonly productClass?: string;
  readonly softwareVersion?: string;
  readonly tag?: string;
  /** e.g. "Converged=false", "Faulted=true" */
  readonly condition?: { readonly type: ConditionType; readonly status: boolean };
  readonly limit: number;
  /** Opaque cursor from a previous page (device id to start after). */
  readonly after?: string;
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
}

export interface FaultRecord {
  readonly id: number;
  readonly deviceId: DeviceId;
  /** CWMP code as string ("9005") or a session fault name ("too_many_rpcs"). */
  readonly code: string;
  readonly message: string;
  readonly path: string | undefined;
  readonly policy: string | undefined;
  readonly sessionId: string | undefined;
  readonly retryable: boolean;
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

/** Writes produced by one session step; `Store.apply` commits them in ONE transaction. */
export type StoreWrite =
  | {
      readonly kind: "reported";
      readonly params: readonly {
        readonly path: string;
        readonly value: string;
        readonly type: XsdType;
      }[];
      readonly observedAt: number;
    }
  | { readonly kind: "names"; readonly params: readonly { readonly path: string; readonly writable: boolean }[]; readonly discovered: string; readonly observedAt: number }
  | { readonly kind: "attributes"; readonly params: readonly { readonly path: string; readonly notification: NotificationLevel }[] }
  /** `key`: the declared instance's key Converge added it for (kept with the created inventory). */
  | { readonly kind: "objectAdded"; readonly path: string; readonly createdByUs: boolean; readonly observedAt: number; readonly key?: Readonly<Record<string, string>> }
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
  | { readonly kind: "fault"; readonly fault: Omit<FaultRecord, "id" | "deviceId"> }
  | { readonly kind: "clearFaults"; readonly paths: readonly string[] }
  | { readonly kind: "status"; readonly status: DeviceStatus };

export interface Store {
  close(): void;
  /** Upserts the device from an Inform: facts, events, last inform/boot, reported params. BOOTSTRAP first forgets
   * every reported parameter, object, discovered path and inventory entry of the device. One transaction. */
  recordInform(facts: InformFacts, now: number): { readonly isNew: boolean };
  getDevice(id: DeviceId): DeviceRecord | undefined;
  listDevices(filter: DeviceFilter): { readonly devices: readonly DeviceRecord[]; readonly next: string | undefined };
  countDevices(): number;
  /** Devices per condition for metrics: e.g. { converged: n, not_converged: n, faulted: n, pending: n, drifted: n, unknown: n }. */
  countByCondition(): Readonly<Record<string, number>>;
  /** Devices per policy name, as matched at each device's last session. */
  countByPolicy(): Readonly<Record<string, number>>;
  /** Iterates every device id (for `converge plan` over a large fleet without loading all rows at once). */
  eachDeviceId(): IterableIterator<DeviceId>;
  loadReported(id: DeviceId): ReportedState;
  loadInventory(id: DeviceId): Inventory;
  /** Runs `fn` (store calls) in ONE transaction: all of it is written, or nothing. Nested calls join it. */
  atomically<T>(fn: () => T): T;
  /** All writes of one session step, in one transaction: all or nothing. */
  apply(id: DeviceId, writes: readonly StoreWrite[]): void;
  setTags(id: DeviceId, add: readonly string[], remove: readonly string[]): void;

  queueTask(id: DeviceId, request: AcsRequest, now: number): TaskRecord;
  pendingTasks(id: DeviceId): readonly TaskRecord[];
  listTasks(id: DeviceId, limit: number): readonly TaskRecord[];

  /**
   * Records a finished session. Sessions are an append-only log: rows are buffered and written in batches
   * (at most ~100 ms or 256 rows later, and before any read of sessions or close), so a minimal session costs
   * no transaction of its own. A crash loses at most that buffer of log rows, never device state.
   */
  logSession(s: Omit<SessionRecord, "endedAt"> & { readonly endedAt: number }): void;
  /** Deferred the same way: a visit that changed nothing but the time and events (the converged fast path). */
  touchLater(id: DeviceId, now: number, events: readonly EventStruct[]): void;
  /** Writes every deferred row now. */
  flush(): void;
  listSessions(id: DeviceId, limit: number): readonly SessionRecord[];
  listFaults(id: DeviceId, limit: number): readonly FaultRecord[];
  /** Session transcripts (issue 6): bounded per device. */
  saveTranscript(sessionId: string, deviceId: DeviceId, entries: readonly TranscriptEntry[]): void;
  getTranscript(deviceId: DeviceId, sessionId: string): readonly TranscriptEntry[] | undefined;
  /** Per-device secrets Converge generated (connection request credentials). */
  getSecret(id: DeviceId, name: string): string | undefined;
  setSecret(id: DeviceId, name: string, value: string): void;
}

export interface TranscriptEntry {
  readonly at: number;
  readonly direction: "in" | "out";
  readonly status?: number;
  readonly body: string;
}
