import type { DeviceId } from "../domain/device.js";
import type { InformEvent } from "../domain/facts.js";
import type { DeviceLoad, FinishedSession, InformDecision, Store, StoreWrite } from "../domain/store.js";
import type { ReportedState } from "../reconcile/types.js";
import { openDatabase, type Database } from "./db.js";
import { devicesRepo } from "./devices.js";
import { faultsRepo } from "./faults.js";
import { fleetStatsRepo } from "./fleet-stats.js";
import { EMPTY_INVENTORY, inventoryRepo } from "./inventory.js";
import { pathIds, transaction } from "./paths.js";
import { reportedRepo } from "./reported.js";
import { installationKey, secretsRepo } from "./secrets.js";
import { sessionsRepo } from "./sessions.js";
import { tasksRepo } from "./tasks.js";
import { transcriptsRepo } from "./transcripts.js";
import { applyWrite } from "./writes.js";

/** Retention bounds: rows kept per device beyond which the oldest are pruned. */
export interface SqliteStoreOptions {
  readonly transcriptsPerDevice?: number;
  readonly sessionsPerDevice?: number;
  readonly faultsPerDevice?: number;
  readonly finishedTasksPerDevice?: number;
  /** The clock for timestamps a write does not carry (task doneAt, transcript time). */
  readonly now?: () => number;
  /**
   * Group commit of session steps (see `groupCommit`; default on: the server's `store.groupCommit`). Off: one
   * transaction per `apply`, committed before it returns.
   */
  readonly groupCommit?: boolean;
}

const DEFAULTS = { transcriptsPerDevice: 10, sessionsPerDevice: 50, faultsPerDevice: 100, finishedTasksPerDevice: 100 } as const;
/** Page size of eachDeviceId's keyset walk. */
const ID_PAGE = 1000;

/** Opens (creating and migrating) the SQLite database at `path` and returns the Store over it. */
export function openSqliteStore(path: string, options: SqliteStoreOptions = {}): Store {
  return sqliteStore(openDatabase(path), options);
}

/**
 * The Store port over an already opened and migrated database (see `openDatabase`). `close()` closes `db`.
 * better-sqlite3 is synchronous: each method runs its statements (one transaction where it writes) before it
 * returns its promise, so the port's "one transaction per call" holds without any cross-await transaction. The
 * exceptions are `apply` and the Inform step's `loadAndApply`, group-committed (see `groupCommit`): a step commits
 * with the others of its turn in one transaction, and its promise settles after that COMMIT.
 */
export function sqliteStore(db: Database, options: SqliteStoreOptions = {}): Store {
  const s = syncStore(db, options);
  const group = s.group;
  // Every call but a step's (apply, loadAndApply) and a device's load first commits the steps waiting for their
  // group (`run`): nothing is written behind a queued step, and a read sees every step whose apply was called.
  const direct =
    <A extends unknown[], R>(fn: (...args: A) => R) =>
    (...args: A): Promise<R> => {
      try {
        return Promise.resolve(fn(...args));
      } catch (e) {
        return Promise.reject(asError(e));
      }
    };
  const sync =
    <A extends unknown[], R>(fn: (...args: A) => R) =>
    (...args: A): R => {
      group.flush();
      return fn(...args);
    };
  const run = <A extends unknown[], R>(fn: (...args: A) => R): ((...args: A) => Promise<R>) => direct(sync(fn));
  // A device's load commits the queue first when it holds that device's step or deferred telemetry (the telemetry's
  // batch would commit the queue inside the load's own transaction); other devices' steps stay queued.
  const ownFirst = (id: DeviceId): void => {
    if (group.holds(id) || s.deferredHolds(id)) group.flush();
  };
  const loadDevice = direct(s.loadDevice);
  return {
    close: run(s.close),
    loadDevice: (id: DeviceId) => {
      ownFirst(id);
      return loadDevice(id);
    },
    // The Inform step. Grouped: the read (its own read transaction) and the pure `decide` run synchronously, then
    // the writes join the turn's group like any step's (nothing runs between the read and the queueing, and every
    // other call commits the group first, so the step is as if read and written at once). Not grouped: read, decide
    // and writes in one transaction.
    loadAndApply: <T>(id: DeviceId, decide: (loaded: DeviceLoad) => InformDecision<T>): Promise<T> => {
      ownFirst(id);
      if (!group.grouping) return direct(s.loadAndApply<T>)(id, decide);
      let decided: InformDecision<T>;
      try {
        decided = decide(s.loadDevice(id));
      } catch (e) {
        return Promise.reject(asError(e));
      }
      return group.apply(id, decided.writes).then(() => decided.result);
    },
    getDevice: run(s.getDevice),
    listDevices: run(s.listDevices),
    countDevices: run(s.countDevices),
    countByCondition: run(s.countByCondition),
    countByPolicy: run(s.countByPolicy),
    countMatching: run(s.countMatching),
    countByModel: run(s.countByModel),
    activity: run(s.activity),
    topFaults: run(s.topFaults),
    eachDeviceId: () => eachDeviceId(sync(s.idsAfter)),
    loadReported: run(s.loadReported),
    loadInventory: run(s.loadInventory),
    apply: group.apply,
    setTags: run(s.setTags),
    deleteDevice: run(s.deleteDevice),
    queueTask: run(s.queueTask),
    auditTasks: run(s.auditTasks),
    pendingTasks: run(s.pendingTasks),
    listTasks: run(s.listTasks),
    logSession: s.logSession,
    touchLater: s.touchLater,
    flush: run(s.flush),
    listSessions: run(s.listSessions),
    listFaults: run(s.listFaults),
    getTranscript: run(s.getTranscript),
    getSecret: run(s.getSecret),
    getSecrets: run(s.getSecrets),
    setSecret: run(s.setSecret),
    installationKey: run(s.installationKey),
  };
}

/** The synchronous implementation underneath: every writing method is one better-sqlite3 transaction. */
function syncStore(db: Database, options: SqliteStoreOptions) {
  const o = { ...DEFAULTS, ...options };
  const now = options.now ?? Date.now;
  const paths = pathIds(db);
  const devices = devicesRepo(db);
  const reported = reportedRepo(db, paths);
  const inventory = inventoryRepo(db);
  const tasks = tasksRepo(db, o.finishedTasksPerDevice);
  const sessions = sessionsRepo(db, o.sessionsPerDevice);
  const faults = faultsRepo(db, o.faultsPerDevice);
  const transcripts = transcriptsRepo(db, o.transcriptsPerDevice);
  const secrets = secretsRepo(db);
  const stats = fleetStatsRepo(db);
  const repos = { devices, reported, inventory, tasks, faults, secrets, transcripts };
  const tx = <A extends unknown[], R>(fn: (...args: A) => R): ((...args: A) => R) => transaction(db, paths, fn);
  // Set below; the deferred batch commits the steps queued for a group before its own transaction.
  let group: GroupCommit | undefined;

  const devOf = (id: DeviceId): number => {
    const dev = devices.find(id);
    if (dev === undefined) throw new Error(`unknown device ${id}`);
    return dev;
  };

  // Within one batch (one transaction; deleteDevice flushes first) a device's key is looked up once.
  const batchDevs = new Map<DeviceId, number | undefined>();
  const devInBatch = (id: DeviceId): number | undefined => {
    if (!batchDevs.has(id)) batchDevs.set(id, devices.find(id));
    return batchDevs.get(id);
  };
  // A device's session log is pruned to its bound every PRUNE_EVERY rows it logs (so it holds at most
  // sessionsPerDevice + PRUNE_EVERY - 1 rows): pruning on every row cost as much as the insert.
  const logged = new Map<number, number>();
  const toPrune = new Set<number>();
  const deferred = createDeferred(
    tx,
    () => group?.flush(),
    () => {
      for (const dev of toPrune) sessions.prune(dev);
      toPrune.clear();
      batchDevs.clear();
    },
  );
  const logOne = (r: FinishedSession): void => {
    const dev = devInBatch(r.deviceId);
    if (dev === undefined) return;
    sessions.insertFinished(dev, r);
    const n = (logged.get(dev) ?? 0) + 1;
    logged.set(dev, n);
    if (n % PRUNE_EVERY === 0) toPrune.add(dev);
  };
  /** Reads see every deferred write: flush first (a no-op when nothing waits). */
  const fresh =
    <A extends unknown[], R>(fn: (...args: A) => R): ((...args: A) => R) =>
    (...args: A): R => {
      deferred.flush();
      return fn(...args);
    };

  // Every table but secrets hangs off devices with ON DELETE CASCADE (migrations); secrets are keyed by id text.
  const deleteDeviceRow = db.prepare("DELETE FROM devices WHERE id = ?");
  const deleteSecrets = db.prepare("DELETE FROM secrets WHERE device_id = ?");
  const deleteDevice = tx((id: DeviceId): boolean => {
    const gone = deleteDeviceRow.run(id).changes > 0;
    deleteSecrets.run(id);
    return gone;
  });

  const loadReported = (id: DeviceId): ReportedState => {
    deferred.flush();
    const h = devices.reportedHeader(id);
    return h === undefined ? emptyReported() : reported.load(h.dev, h.parameterKey, h.softwareVersion);
  };
  const loadInventory = (id: DeviceId) => {
    const dev = devices.find(id);
    return dev === undefined ? EMPTY_INVENTORY : inventory.load(dev);
  };
  const pendingTasks = (id: DeviceId) => {
    const dev = devices.find(id);
    return dev === undefined ? [] : tasks.pending(dev, id);
  };

  /** What a session starts from: the device's record, reported state, inventory, pending tasks and secrets. */
  const readDevice = (id: DeviceId): DeviceLoad => {
    const dev = devices.find(id);
    const record = dev === undefined ? undefined : devices.get(id);
    if (record === undefined || dev === undefined)
      return { record: undefined, reported: emptyReported(), inventory: EMPTY_INVENTORY, tasks: [], secrets: secrets.all(id) };
    return {
      record,
      reported: reported.load(dev, record.parameterKey, record.softwareVersion),
      inventory: inventory.load(dev),
      tasks: tasks.pending(dev, id),
      secrets: secrets.all(id),
    };
  };
  /**
   * One read transaction: a consistent snapshot of the device. Only the device's own deferred writes are flushed
   * first (its touch, its session log rows): flushing every device's telemetry here committed the batch at every
   * Inform step of a new device, one extra transaction per session (issue 16), and nothing loaded here reads
   * another device's rows.
   */
  const loadDevice = tx((id: DeviceId): DeviceLoad => {
    deferred.flushFor(id);
    return readDevice(id);
  });

  const applyOne = (id: DeviceId, writes: readonly StoreWrite[]): void => {
    // An Inform write first creates (or updates) the device; every other write needs it to exist.
    const first = writes[0];
    const dev = first?.kind === "inform" ? devices.upsertFacts(first.facts, first.events, first.at, first.booted).dev : devOf(id);
    for (const w of first?.kind === "inform" ? writes.slice(1) : writes) applyWrite(repos, dev, id, w, now);
  };
  const apply = tx(applyOne);
  /**
   * The Inform step (`Store.loadAndApply`): `loadDevice`'s read, the pure `decide`, and the writes as `apply` writes
   * them, in ONE transaction (the tree of 2026-11-25 did it in one; a read transaction then a write transaction cost
   * a BEGIN/COMMIT more per session). The device's deferred telemetry is committed before, on its own: a `decide`
   * that throws rolls back only the step. Used with the group commit off; with it on, the step joins the group
   * (sqliteStore).
   */
  const informTx = tx((id: DeviceId, decide: (loaded: DeviceLoad) => InformDecision<unknown>): unknown => {
    const decided = decide(readDevice(id));
    applyOne(id, decided.writes);
    return decided.result;
  });
  const loadAndApply = <T>(id: DeviceId, decide: (loaded: DeviceLoad) => InformDecision<T>): T => {
    deferred.flushFor(id);
    // The transaction returns what `decide` returned: `T`.
    return informTx(id, decide) as T;
  };
  /** Several devices' steps in ONE transaction, all of them or none; a failing step is named by its position. */
  const applyMany = tx((steps: readonly QueuedStep[]): void => {
    steps.forEach((p, i) => {
      try {
        applyOne(p.id, p.writes);
      } catch (e) {
        throw new StepFailed(i, e);
      }
    });
  });
  group = options.groupCommit === false ? noGroup(apply) : groupCommit(apply, applyMany, GROUP_MAX);

  return {
    close: (): void => {
      deferred.flush();
      // Lets SQLite refresh planner statistics for the queries this connection ran (cheap; recommended at close).
      db.pragma("optimize");
      db.close();
    },
    loadDevice,
    loadAndApply,
    getDevice: fresh((id: DeviceId) => devices.get(id)),
    listDevices: fresh((filter: Parameters<Store["listDevices"]>[0]) => devices.list(filter)),
    countDevices: fresh(() => devices.count()),
    countByCondition: fresh(() => devices.countByCondition()),
    countByPolicy: fresh(() => devices.countByPolicy()),
    countMatching: fresh((filter: Parameters<Store["countMatching"]>[0]) => devices.countMatching(filter)),
    countByModel: fresh((limit: number) => stats.byModel(limit)),
    activity: fresh((since: number, bucketMs: number) => stats.activity(since, bucketMs)),
    topFaults: fresh((since: number, limit: number) => stats.topFaults(since, limit)),
    idsAfter: devices.idsAfter,
    loadReported,
    loadInventory,
    group,
    deferredHolds: (id: DeviceId): boolean => deferred.holds(id),
    // Deferred telemetry first: a batch must not cache the device's key across its deletion.
    deleteDevice: (id: DeviceId): boolean => (deferred.flush(), deleteDevice(id)),
    setTags: tx((id: DeviceId, add: readonly string[], remove: readonly string[]): void => devices.setTags(devOf(id), id, add, remove)),
    queueTask: tx((id: DeviceId, request: Parameters<Store["queueTask"]>[1], at: number, queuedBy?: string) =>
      tasks.queue(devOf(id), id, request, at, queuedBy),
    ),
    auditTasks: (filter: Parameters<Store["auditTasks"]>[0]) => tasks.audit(filter),
    pendingTasks,
    listTasks: (id: DeviceId, limit: number) => {
      const dev = devices.find(id);
      return dev === undefined ? [] : tasks.list(dev, id, limit);
    },
    logSession: (r: FinishedSession): void => deferred.add(r.deviceId, () => logOne(r)),
    touchLater: (id: DeviceId, at: number, events: readonly InformEvent[]): void =>
      deferred.add(id, () => {
        const dev = devInBatch(id);
        if (dev !== undefined) devices.touch(dev, at, events);
      }),
    flush: (): void => deferred.flush(),
    listSessions: (id: DeviceId, limit: number) => {
      deferred.flush();
      const dev = devices.find(id);
      // The newest sessionsPerDevice are the log; up to PRUNE_EVERY - 1 older rows may wait for their prune.
      return dev === undefined ? [] : sessions.list(dev, id, Math.min(limit, o.sessionsPerDevice));
    },
    listFaults: (id: DeviceId, limit: number) => {
      const dev = devices.find(id);
      return dev === undefined ? [] : faults.list(dev, id, limit);
    },
    getTranscript: (deviceId: DeviceId, sessionId: string) => {
      const dev = devices.find(deviceId);
      return dev === undefined ? undefined : transcripts.get(dev, sessionId);
    },
    getSecret: (id: DeviceId, name: string) => secrets.get(id, name),
    getSecrets: (id: DeviceId) => secrets.all(id),
    setSecret: (id: DeviceId, name: string, value: string): void => secrets.set(id, name, value),
    installationKey: () => installationKey(db),
  };
}

/**
 * Deferred writes: telemetry a converged device's periodic visit produces (its Inform facts, the session log
 * row), applied in one transaction per batch (~100 ms or 256 entries, and before any read that could see them).
 * A crash loses at most that batch of telemetry, never a reconciliation step.
 */
function createDeferred(
  tx: <A extends unknown[], R>(fn: (...args: A) => R) => (...args: A) => R,
  beforeBatch: () => void,
  afterBatch: () => void,
): { add(id: DeviceId, w: () => void): void; flush(): void; flushFor(id: DeviceId): void; holds(id: DeviceId): boolean } {
  let buffer: (() => void)[] = [];
  /** The devices the buffer holds writes of. */
  const pending = new Set<DeviceId>();
  let timer: NodeJS.Timeout | undefined;
  const runAll = tx((ws: readonly (() => void)[]) => {
    for (const w of ws) w();
    afterBatch();
  });
  const flush = (): void => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (buffer.length === 0) return;
    const ws = buffer;
    buffer = [];
    pending.clear();
    try {
      beforeBatch();
      runAll(ws);
    } catch (e) {
      // Telemetry only: the batch is dropped whole (one transaction), the devices' next visits write it again.
      process.emitWarning(`converge store: ${ws.length} deferred write(s) dropped: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  return {
    add(id, w) {
      buffer.push(w);
      pending.add(id);
      if (buffer.length >= 256) flush();
      else timer ??= setTimeout(flush, 100).unref();
    },
    flush,
    flushFor(id) {
      if (pending.has(id)) flush();
    },
    holds: (id) => pending.has(id),
  };
}

const PRUNE_EVERY = 16;

interface QueuedStep {
  readonly id: DeviceId;
  readonly writes: readonly StoreWrite[];
  readonly resolve: () => void;
  readonly reject: (e: Error) => void;
}

/** A group's step `index` threw `cause` (the group's transaction rolled back). */
class StepFailed extends Error {
  constructor(
    readonly index: number,
    cause: unknown,
  ) {
    super(`step ${index} of a group failed`, { cause });
  }
}

interface GroupCommit {
  /** Whether steps are grouped (false: each apply commits before it returns). */
  readonly grouping: boolean;
  apply(id: DeviceId, writes: readonly StoreWrite[]): Promise<void>;
  /** Commits every queued step now (a no-op when none waits). */
  flush(): void;
  /** Whether a step of the device waits in the queue. */
  holds(id: DeviceId): boolean;
}

/** Steps committed in one transaction at most (a larger queue commits in several, in the same turn). */
const GROUP_MAX = 128;

const asError = (e: unknown): Error => (e instanceof Error ? e : new Error(String(e)));

/**
 * Group commit of session steps (issue 16). `apply` queues the step; at the end of the event-loop turn
 * (setImmediate: after the sockets that were ready together have been read) the queued steps commit in ONE
 * transaction; the step that fills a group (`max`: GROUP_MAX)
 * commits it at once. Concurrent steps share the commit and most of its dirty pages (the devices table's last leaf,
 * the index pages of one model, one firmware, one condition), so fewer WAL frames are written per step. A step
 * waits at most for the rest of its turn or for max - 1 others; one alone in its turn commits in its own transaction.
 * Each step's promise settles only once its transaction committed (invariant 4: a step is whole or absent). A step
 * that fails rolls its group's transaction back; the steps before it commit again as a group, it is retried alone
 * (and rejects if it fails alone), the steps after it form the next group: a bad step fails alone, queue order is
 * kept. No savepoint per step: SQLite journals a savepoint's pages (its statement journal spills to a temp file past
 * 64 KiB), which wrote 20% more bytes per new-device session than one transaction per step. Every other store call
 * commits the queue first (see sqliteStore).
 */
function groupCommit(one: (id: DeviceId, writes: readonly StoreWrite[]) => void, many: (steps: readonly QueuedStep[]) => void, max: number): GroupCommit {
  let queue: QueuedStep[] = [];
  const queued = new Set<DeviceId>();
  let scheduled: NodeJS.Immediate | undefined;
  const alone = (p: QueuedStep): void => {
    try {
      one(p.id, p.writes);
      p.resolve();
    } catch (e) {
      p.reject(asError(e));
    }
  };
  const commit = (steps: readonly QueuedStep[]): void => {
    let rest = steps;
    while (rest.length > 1) {
      try {
        many(rest);
        for (const p of rest) p.resolve();
        return;
      } catch (e) {
        // Nothing of the group was written (its transaction rolled back). Not a step's failure (BEGIN or COMMIT
        // failed): each step alone. A step's: the steps before it commit together again, it is tried alone (it
        // rejects if it fails alone), and the steps after it form the next group. Queue order is kept.
        if (!(e instanceof StepFailed)) {
          for (const p of rest) alone(p);
          return;
        }
        commit(rest.slice(0, e.index));
        const bad = rest[e.index];
        if (bad !== undefined) alone(bad);
        rest = rest.slice(e.index + 1);
      }
    }
    const last = rest[0];
    if (last !== undefined) alone(last);
  };
  const flush = (): void => {
    if (scheduled) clearImmediate(scheduled);
    scheduled = undefined;
    // Nothing queues meanwhile: apply's callers resume only on the promises settled here, after this returns.
    const all = queue;
    queue = [];
    queued.clear();
    for (let i = 0; i < all.length; i += max) commit(all.slice(i, i + max));
  };
  return {
    apply: (id, writes) =>
      new Promise<void>((resolve, reject) => {
        queue.push({ id, writes, resolve, reject });
        queued.add(id);
        // A full group commits at once (its first step waited for max - 1 others, not for the whole turn).
        if (queue.length >= max) flush();
        else scheduled ??= setImmediate(flush);
      }),
    grouping: true,
    flush,
    holds: (id) => queued.has(id),
  };
}

/** One transaction per apply, committed before it returns (the group commit turned off). */
function noGroup(one: (id: DeviceId, writes: readonly StoreWrite[]) => void): GroupCommit {
  return {
    apply: (id, writes) => {
      try {
        one(id, writes);
        return Promise.resolve();
      } catch (e) {
        return Promise.reject(asError(e));
      }
    },
    grouping: false,
    flush: () => undefined,
    holds: () => false,
  };
}

function emptyReported(): ReportedState {
  return { params: new Map(), objects: new Map(), discovered: new Map(), parameterKey: "", softwareVersion: "", names: new Map() };
}

/**
 * Walks ids in keyset pages rather than holding one cursor open: better-sqlite3 refuses writes on a connection
 * while an `.iterate()` cursor is open, and a fleet-wide walk (converge plan) must not block session writes.
 */
async function* eachDeviceId(idsAfter: (after: string, limit: number) => readonly DeviceId[]): AsyncIterableIterator<DeviceId> {
  let after = "";
  for (;;) {
    const page = idsAfter(after, ID_PAGE);
    yield* page;
    const last = page.at(-1);
    if (last === undefined || page.length < ID_PAGE) return;
    after = last;
  }
}
