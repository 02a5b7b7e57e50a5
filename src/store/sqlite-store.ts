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
 * returns its promise, so the port's "one transaction per call" holds without any cross-await transaction.
 */
export function sqliteStore(db: Database, options: SqliteStoreOptions = {}): Store {
  const s = syncStore(db, options);
  const run =
    <A extends unknown[], R>(fn: (...args: A) => R) =>
    (...args: A): Promise<R> => {
      try {
        return Promise.resolve(fn(...args));
      } catch (e) {
        return Promise.reject(e instanceof Error ? e : new Error(String(e)));
      }
    };
  return {
    close: run(s.close),
    loadDevice: run(s.loadDevice),
    loadAndApply: <T>(id: DeviceId, decide: (loaded: DeviceLoad) => InformDecision<T>): Promise<T> => run(s.loadAndApply<T>)(id, decide),
    getDevice: run(s.getDevice),
    listDevices: run(s.listDevices),
    countDevices: run(s.countDevices),
    countByCondition: run(s.countByCondition),
    countByPolicy: run(s.countByPolicy),
    countMatching: run(s.countMatching),
    countByModel: run(s.countByModel),
    activity: run(s.activity),
    topFaults: run(s.topFaults),
    eachDeviceId: () => eachDeviceId(s.idsAfter),
    loadReported: run(s.loadReported),
    loadInventory: run(s.loadInventory),
    apply: run(s.apply),
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
  const deferred = createDeferred(tx, () => {
    for (const dev of toPrune) sessions.prune(dev);
    toPrune.clear();
    batchDevs.clear();
  });
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

  /**
   * One read transaction: a consistent snapshot of the device. Only the device's own deferred writes are flushed
   * first (its touch, its session log rows): flushing every device's telemetry here committed the batch at every
   * Inform step of a new device, one extra transaction per session (issue 16), and nothing loaded here reads
   * another device's rows.
   */
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
  const loadDevice = tx((id: DeviceId): DeviceLoad => {
    deferred.flushFor(id);
    return readDevice(id);
  });

  /**
   * The Inform step (`Store.loadAndApply`): `loadDevice`'s read, the pure `decide`, and the writes as `apply` writes
   * them, in ONE transaction (the tree of 2026-11-25 did it in one; a read transaction then a write transaction cost
   * a BEGIN/COMMIT more per session). The device's deferred telemetry is committed before, on its own: a `decide`
   * that throws rolls back only the step.
   */
  const informTx = tx((id: DeviceId, decide: (loaded: DeviceLoad) => InformDecision<unknown>): unknown => {
    const decided = decide(readDevice(id));
    const writes = decided.writes;
    const first = writes[0];
    const dev = first?.kind === "inform" ? devices.upsertFacts(first.facts, first.events, first.at, first.booted).dev : devOf(id);
    for (let i = first?.kind === "inform" ? 1 : 0; i < writes.length; i++) applyWrite(repos, dev, id, writes[i] as StoreWrite, now);
    return decided.result;
  });
  const loadAndApply = <T>(id: DeviceId, decide: (loaded: DeviceLoad) => InformDecision<T>): T => {
    deferred.flushFor(id);
    // The transaction returns what `decide` returned: `T`.
    return informTx(id, decide) as T;
  };

  const apply = tx((id: DeviceId, writes: readonly StoreWrite[]): void => {
    // An Inform write first creates (or updates) the device; every other write needs it to exist.
    const first = writes[0];
    const dev = first?.kind === "inform" ? devices.upsertFacts(first.facts, first.events, first.at, first.booted).dev : devOf(id);
    for (const w of first?.kind === "inform" ? writes.slice(1) : writes) applyWrite(repos, dev, id, w, now);
  });

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
    apply,
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
  afterBatch: () => void,
): { add(id: DeviceId, w: () => void): void; flush(): void; flushFor(id: DeviceId): void } {
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
  };
}

const PRUNE_EVERY = 16;

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
