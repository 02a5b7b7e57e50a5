/**
 * The Store port over PostgreSQL (a `pg` Pool). Every writing method is one transaction on one pooled
 * connection (`apply`: a step's writes all or nothing); reads are single statements. The deferred telemetry
 * (`logSession`, `touchLater`) is buffered as in SQLite (~100 ms or 256 entries, before any read of what it
 * writes, and at close) and written in one transaction per batch.
 */
import { randomBytes } from "node:crypto";
import type { DeviceId } from "../../domain/device.js";
import type { InformEvent } from "../../domain/facts.js";
import type { DeviceLoad, FinishedSession, InformDecision, LeaseFence, SessionRecord, Store, StoreWrite } from "../../domain/store.js";
import type { SessionRow } from "../sessions.js";
import { toRecord as sessionRecord } from "../sessions.js";
import * as devices from "./devices.js";
import * as stats from "./fleet-stats.js";
import { loadDevice, loadInventory, loadReported } from "./load.js";
import type { PgPool, Queryable } from "./pool.js";
import * as records from "./records.js";
import { applyWrite } from "./writes.js";

export interface PgStoreOptions {
  readonly transcriptsPerDevice?: number;
  readonly sessionsPerDevice?: number;
  readonly faultsPerDevice?: number;
  readonly finishedTasksPerDevice?: number;
  readonly now?: () => number;
}

const DEFAULTS = { transcriptsPerDevice: 10, sessionsPerDevice: 50, faultsPerDevice: 100, finishedTasksPerDevice: 100 } as const;
const ID_PAGE = 1000;
/** A device's session log is pruned every this many rows it logs (as in SQLite). */
const PRUNE_EVERY = 16;
const BATCH_MAX = 256;
const BATCH_MS = 100;

/**
 * One batch of deferred telemetry in one statement: the visits (`device_visits`, PG migration 60; a late batch, from a node that stalled, never
 * moves a device's last visit back), the session rows (of devices unknown, deleted meanwhile, skipped as SQLite's
 * batch skips them), and the prune of the devices whose log grew by PRUNE_EVERY rows (the prune sees the rows
 * before this statement's: it keeps at most a batch more, pruned the next time).
 */
const TELEMETRY = `
WITH visits AS (
  UPDATE device_visits v SET last_inform = u.at, last_events = u.ev
  FROM unnest($1::text[], $2::bigint[], $3::text[]) AS u (id, at, ev) JOIN devices d ON d.id = u.id
  WHERE v.dev = d.dev AND v.last_inform <= u.at RETURNING 1
), logged AS (
  INSERT INTO sessions (id, dev, started_at, ended_at, outcome, rpc_count, events, revision)
  SELECT u.id, d.dev, u.started_at, u.ended_at, u.outcome, u.rpc_count, u.events, u.revision
  FROM unnest($4::text[], $5::text[], $6::bigint[], $7::bigint[], $8::text[], $9::int[], $10::text[], $11::text[])
    AS u (id, device, started_at, ended_at, outcome, rpc_count, events, revision)
  JOIN devices d ON d.id = u.device RETURNING 1
), pruned AS (
  DELETE FROM sessions s USING devices d WHERE d.id = ANY($12::text[]) AND s.dev = d.dev AND s.started_at < (
    SELECT started_at FROM sessions WHERE dev = d.dev ORDER BY started_at DESC LIMIT 1 OFFSET ($13::int - 1)) RETURNING 1
)
SELECT (SELECT count(*) FROM visits) AS visits, (SELECT count(*) FROM logged) AS logged, (SELECT count(*) FROM pruned) AS pruned`;

type Deferred =
  | { readonly kind: "touch"; readonly id: DeviceId; readonly at: number; readonly events: readonly InformEvent[] }
  | { readonly kind: "session"; readonly s: FinishedSession };

/** The Store over a pool whose database is migrated (see openPgStore). `close()` ends the pool. */
export function pgStore(pool: PgPool, options: PgStoreOptions = {}): Store {
  const o = { ...DEFAULTS, ...options };
  const now = options.now ?? Date.now;
  const bounds = { faultsPerDevice: o.faultsPerDevice, transcriptsPerDevice: o.transcriptsPerDevice, now };
  const logged = new Map<DeviceId, number>();
  let buffer: Deferred[] = [];
  let timer: NodeJS.Timeout | undefined;
  let chain: Promise<void> = Promise.resolve();
  let key: string | undefined;
  /** Deferred entries per device, buffered or in a batch not yet settled (loadDevice waits only for its own). */
  const unsettled = new Map<DeviceId, number>();
  const deviceOf = (d: Deferred): DeviceId => (d.kind === "touch" ? d.id : d.s.deviceId);
  const settle = (batch: readonly Deferred[]): void => {
    for (const d of batch) {
      const id = deviceOf(d);
      const n = (unsettled.get(id) ?? 1) - 1;
      if (n <= 0) unsettled.delete(id);
      else unsettled.set(id, n);
    }
  };

  const writeBatch = async (batch: readonly Deferred[]): Promise<void> => {
    const touches = new Map<DeviceId, { at: number; events: string }>();
    const sessions: FinishedSession[] = [];
    for (const d of batch) {
      if (d.kind === "touch") {
        touches.delete(d.id);
        touches.set(d.id, { at: d.at, events: JSON.stringify(d.events) });
      } else sessions.push(d.s);
    }
    const prune: DeviceId[] = [];
    for (const s of sessions) {
      const n = (logged.get(s.deviceId) ?? 0) + 1;
      logged.set(s.deviceId, n);
      if (n % PRUNE_EVERY === 0) prune.push(s.deviceId);
    }
    // ONE statement (atomic on its own: no transaction round trips): the visits, the session rows, the prunes.
    const ids = [...touches.keys()];
    await pool.query(TELEMETRY, [
      ids,
      ids.map((i) => touches.get(i)?.at),
      ids.map((i) => touches.get(i)?.events),
      sessions.map((s) => s.id),
      sessions.map((s) => s.deviceId),
      sessions.map((s) => s.startedAt),
      sessions.map((s) => s.endedAt),
      sessions.map((s) => s.outcome),
      sessions.map((s) => s.rpcCount),
      sessions.map((s) => JSON.stringify(s.events)),
      sessions.map((s) => s.revision ?? null),
      prune,
      o.sessionsPerDevice,
    ]);
  };

  /** Writes every buffered entry (after any batch in flight); never rejects: telemetry is dropped whole with a warning. */
  const flush = (): Promise<void> => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (buffer.length === 0) return chain;
    const batch = buffer;
    buffer = [];
    chain = chain.then(() =>
      writeBatch(batch)
        .catch((e: unknown) => {
          process.emitWarning(`converge store: ${batch.length} deferred write(s) dropped: ${e instanceof Error ? e.message : String(e)}`);
        })
        .finally(() => settle(batch)),
    );
    return chain;
  };
  const defer = (d: Deferred): void => {
    buffer.push(d);
    unsettled.set(deviceOf(d), (unsettled.get(deviceOf(d)) ?? 0) + 1);
    if (buffer.length >= BATCH_MAX) void flush();
    else timer ??= setTimeout(() => void flush(), BATCH_MS).unref();
  };

  const fresh =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      await flush();
      return fn(...args);
    };
  const unknown = (id: DeviceId): never => {
    throw new Error(`unknown device ${id}`);
  };
  const devOf = async (q: Queryable, id: DeviceId): Promise<number> => (await devices.findDev(q, id)) ?? unknown(id);
  /** A step's writes on the transaction's connection (`apply`, `loadAndApply`). */
  const writeStep = async (q: Queryable, id: DeviceId, writes: readonly StoreWrite[], fence: LeaseFence | undefined): Promise<void> => {
    // An Inform write first creates (or updates) the device; every other write needs it to exist. A fence
    // (fence.ts) rides on that first statement: a step of a session whose lease is gone writes nothing.
    const first = writes[0];
    const dev =
      first?.kind === "inform"
        ? await devices.upsertFacts(q, first.facts, first.events, first.at, first.booted, fence)
        : fence
          ? ((await devices.findDevFenced(q, id, fence)) ?? unknown(id))
          : await devOf(q, id);
    for (const w of first?.kind === "inform" ? writes.slice(1) : writes) await applyWrite(q, dev, id, w, bounds);
  };
  const withDev = <R>(id: DeviceId, empty: R, fn: (dev: number) => Promise<R>): Promise<R> =>
    devices.findDev(pool, id).then((dev) => (dev === undefined ? empty : fn(dev)));

  return {
    async close() {
      await flush();
      await pool.end();
    },
    // Only the device's own deferred telemetry is written first: nothing loaded reads another device's rows, and a
    // flush at every new device's Inform step cost a round trip and a commit per session (issue 16).
    loadDevice: async (id: DeviceId) => {
      if (unsettled.has(id)) await flush();
      return loadDevice(pool, id);
    },
    getDevice: fresh((id: DeviceId) => devices.getDevice(pool, id)),
    listDevices: fresh((f: Parameters<Store["listDevices"]>[0]) => devices.listDevices(pool, f)),
    countDevices: fresh(() => devices.countDevices(pool)),
    countByCondition: fresh(() => devices.countByCondition(pool)),
    countByPolicy: fresh(() => devices.countByPolicy(pool)),
    countMatching: fresh((f: Parameters<Store["countMatching"]>[0]) => devices.countMatching(pool, f)),
    countByModel: fresh((limit: number) => stats.byModel(pool, limit)),
    activity: fresh((since: number, bucketMs: number) => stats.activity(pool, since, bucketMs)),
    topFaults: fresh((since: number, limit: number) => stats.topFaults(pool, since, limit)),
    async *eachDeviceId() {
      let after = "";
      for (;;) {
        const page = await devices.idsAfter(pool, after, ID_PAGE);
        yield* page;
        const last = page.at(-1);
        if (last === undefined || page.length < ID_PAGE) return;
        after = last;
      }
    },
    loadReported: fresh((id: DeviceId) => loadReported(pool, id)),
    loadInventory: (id: DeviceId) => loadInventory(pool, id),
    apply: (id: DeviceId, writes: readonly StoreWrite[], fence?: LeaseFence) => pool.transaction((q) => writeStep(q, id, writes, fence)),
    // The Inform step: the one-statement load, then `decide`, then the writes, in one transaction on one connection
    // (the statements and round trips of loadDevice + apply, without a step that reads outside the step's transaction).
    loadAndApply: async <T>(id: DeviceId, decide: (loaded: DeviceLoad) => InformDecision<T>, fence?: LeaseFence): Promise<T> => {
      if (unsettled.has(id)) await flush();
      return pool.transaction(async (q) => {
        const decided = decide(await loadDevice(q, id));
        await writeStep(q, id, decided.writes, fence);
        return decided.result;
      });
    },
    setTags: (id: DeviceId, add: readonly string[], remove: readonly string[]) =>
      pool.transaction(async (q) => devices.setTags(q, await devOf(q, id), id, add, remove)),
    async deleteDevice(id: DeviceId) {
      // Deferred telemetry first: a batch must not write rows of the device after its deletion.
      await flush();
      logged.delete(id);
      return pool.transaction(async (q) => {
        // Every table but secrets hangs off devices with ON DELETE CASCADE; secrets are keyed by id text.
        const gone = (await q.query("DELETE FROM devices WHERE id = $1", [id])).rowCount > 0;
        await q.query("DELETE FROM secrets WHERE device_id = $1", [id]);
        return gone;
      });
    },
    queueTask: (id: DeviceId, request: Parameters<Store["queueTask"]>[1], at: number, queuedBy?: string) =>
      pool.transaction(async (q) => records.queueTask(q, await devOf(q, id), id, request, at, queuedBy, o.finishedTasksPerDevice)),
    auditTasks: (f: Parameters<Store["auditTasks"]>[0]) => records.auditTasks(pool, f),
    pendingTasks: (id: DeviceId) => withDev(id, [], (dev) => records.pendingTasks(pool, dev, id)),
    listTasks: (id: DeviceId, limit: number) => withDev(id, [], (dev) => records.listTasks(pool, dev, id, limit)),
    logSession: (s: FinishedSession) => defer({ kind: "session", s }),
    touchLater: (id: DeviceId, at: number, events: readonly InformEvent[]) => defer({ kind: "touch", id, at, events }),
    flush,
    listSessions: fresh(async (id: DeviceId, limit: number): Promise<readonly SessionRecord[]> => {
      // The newest sessionsPerDevice are the log; up to PRUNE_EVERY - 1 older rows may wait for their prune.
      const r = await pool.query<SessionRow>(
        `SELECT s.id, s.started_at, s.ended_at, s.outcome, s.rpc_count, s.events, s.revision FROM sessions s JOIN devices d ON d.dev = s.dev
         WHERE d.id = $1 ORDER BY s.started_at DESC, s.seq DESC LIMIT $2`,
        [id, Math.min(limit, o.sessionsPerDevice)],
      );
      return r.rows.map((x) => sessionRecord(x, id));
    }),
    listFaults: (id: DeviceId, limit: number) => withDev(id, [], (dev) => records.listFaults(pool, dev, id, limit)),
    getTranscript: (id: DeviceId, sessionId: string) => withDev(id, undefined, (dev) => records.getTranscript(pool, dev, sessionId)),
    getSecret: (id: DeviceId, name: string) => records.getSecret(pool, id, name),
    getSecrets: (id: DeviceId) => records.getSecrets(pool, id),
    setSecret: (id: DeviceId, name: string, value: string) => records.setSecret(pool, id, name, value),
    async installationKey() {
      if (key !== undefined) return key;
      // The first node to ask creates it; every other reads the one that won.
      await pool.query("INSERT INTO installation (name, value) VALUES ('write_only_key', $1) ON CONFLICT (name) DO NOTHING", [randomBytes(32).toString("hex")]);
      const r = await pool.query<{ value: string }>("SELECT value FROM installation WHERE name = 'write_only_key'");
      const made = r.rows[0]?.value;
      if (made === undefined) throw new Error("installation key: could not create");
      key = made;
      return made;
    },
  };
}
