import { APPLIED_KEYS_KEPT } from "../reconcile/fold-state.js";
import type { AddIntent, Inventory } from "../reconcile/types.js";
import type { Database } from "./db.js";

/** What Converge itself did to a device: created instances, write-only hashes, backoff, outstanding download. */
export interface InventoryRepo {
  /** Records instance `X.Y.<n>.` as created by us (table "X.Y.", instance n). */
  addCreated(dev: number, objectPath: string, key?: Readonly<Record<string, string>>): void;
  /** Write-ahead record of an AddObject (replaces one for the same selector). */
  addIntent(dev: number, intent: AddIntent): void;
  clearIntent(dev: number, selector: string): void;
  setParameterKeyKept(dev: number, kept: boolean): void;
  setWriteOnlyHash(dev: number, path: string, hash: string): void;
  setBackoff(dev: number, path: string, b: { readonly until: number; readonly code: number | string; readonly attempts: number }): void;
  clearBackoff(dev: number, path: string): void;
  setDownload(dev: number, download: Inventory["download"]): void;
  setRebootPending(dev: number, pending: boolean): void;
  /** Remembers `key` as one we set successfully, keeping the `APPLIED_KEYS_KEPT` most recent (newest last). */
  addAppliedKey(dev: number, key: string): void;
  /** Forgets inventory about `prefix` (ending ".") and everything beneath it. */
  forgetUnder(dev: number, prefix: string): void;
  forgetAll(dev: number): void;
  load(dev: number): Inventory;
}

export interface CreatedRow {
  readonly table_path: string;
  readonly instance: number;
  readonly key_json: string | null;
}
export interface IntentRow {
  readonly selector: string;
  readonly table_path: string;
  readonly key_json: string;
  readonly before_json: string;
  readonly at: number;
}
export interface BackoffRow {
  readonly path: string;
  readonly until: number;
  /** A CWMP code, or the name of a fault Converge records (firmware_not_applied): SQLite keeps either. */
  readonly code: number | string;
  readonly attempts: number;
}
export interface MemoryRow {
  readonly reboot_pending: number;
  readonly applied_keys: string;
  readonly parameter_key_kept: number | null;
}
export interface DownloadRow {
  readonly command_key: string;
  readonly version: string;
  readonly started_at: number;
  readonly completed_at: number | null;
  readonly informs_since: number;
}

const INSTANCE = /^(.+\.)(\d+)\.$/;

const IN_RANGE = "dev = @dev AND path >= @prefix AND path < (@prefix || x'FF')";

export const EMPTY_INVENTORY: Inventory = { created: new Map(), writeOnlyHashes: new Map(), backoff: new Map(), download: undefined };

/** Splits an instance object path "X.Y.3." into its table "X.Y." and instance number 3. */
export function splitInstance(objectPath: string): { readonly table: string; readonly instance: number } | undefined {
  const m = INSTANCE.exec(objectPath);
  return m?.[1] === undefined || m[2] === undefined ? undefined : { table: m[1], instance: Number(m[2]) };
}

export function inventoryRepo(db: Database): InventoryRepo {
  const s = statements(db);
  return {
    addCreated(dev, objectPath, key) {
      const at = splitInstance(objectPath);
      if (at === undefined) throw new Error(`created object is not an instance path: ${objectPath}`);
      s.insertCreated.run(dev, at.table, at.instance, key === undefined ? null : JSON.stringify(key));
    },
    addIntent: (dev, i) => void s.upsertIntent.run(dev, i.selector, i.table, JSON.stringify(i.key), JSON.stringify(i.before), i.at),
    clearIntent: (dev, selector) => void s.deleteIntent.run(dev, selector),
    setParameterKeyKept: (dev, kept) => void s.upsertKeyKept.run(dev, kept ? 1 : 0),
    setWriteOnlyHash: (dev, path, hash) => void s.upsertHash.run(dev, path, hash),
    setBackoff: (dev, path, b) => void s.upsertBackoff.run(dev, path, b.until, b.code, b.attempts),
    clearBackoff: (dev, path) => void s.deleteBackoff.run(dev, path),
    setDownload(dev, d) {
      if (d === undefined) s.deleteDownload.run(dev);
      else s.upsertDownload.run(dev, d.commandKey, d.version, d.startedAt, d.completedAt ?? null, d.informsSince ?? 0);
    },
    // Clearing only updates an existing row: a boot storm must not add a row per device.
    setRebootPending: (dev, pending) => void (pending ? s.upsertReboot.run(dev, 1) : s.clearReboot.run(dev)),
    addAppliedKey(dev, key) {
      const kept = parseKeys(s.memory.get(dev)?.applied_keys).filter((k) => k !== key);
      s.upsertKeys.run(dev, JSON.stringify([...kept, key].slice(-APPLIED_KEYS_KEPT)));
    },
    forgetUnder(dev, prefix) {
      for (const stmt of s.deleteUnder) stmt.run({ dev, prefix });
    },
    forgetAll(dev) {
      for (const stmt of s.deleteAll) stmt.run(dev);
    },
    load: (dev) =>
      withIntents(
        withMemory(toInventory(s.created.all(dev), s.hashes.all(dev), s.backoff.all(dev), s.download.get(dev)), s.memory.get(dev)),
        s.intents.all(dev),
      ),
  };
}

function statements(db: Database) {
  return {
    // A re-added row keeps a key it already had: an adopted instance must not lose what it was added for.
    insertCreated: db.prepare<[number, string, number, string | null]>(
      `INSERT INTO created (dev, table_path, instance, key_json) VALUES (?, ?, ?, ?)
       ON CONFLICT (dev, table_path, instance) DO UPDATE SET key_json = coalesce(excluded.key_json, created.key_json)`,
    ),
    upsertIntent: db.prepare<[number, string, string, string, string, number]>(
      `INSERT INTO add_intents (dev, selector, table_path, key_json, before_json, at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (dev, selector) DO UPDATE SET table_path = excluded.table_path, key_json = excluded.key_json, before_json = excluded.before_json, at = excluded.at`,
    ),
    deleteIntent: db.prepare<[number, string]>("DELETE FROM add_intents WHERE dev = ? AND selector = ?"),
    intents: db.prepare<[number], IntentRow>("SELECT selector, table_path, key_json, before_json, at FROM add_intents WHERE dev = ? ORDER BY at, selector"),
    upsertKeyKept: db.prepare<[number, number]>(
      "INSERT INTO device_memory (dev, parameter_key_kept) VALUES (?, ?) ON CONFLICT (dev) DO UPDATE SET parameter_key_kept = excluded.parameter_key_kept",
    ),
    upsertHash: db.prepare<[number, string, string]>(
      "INSERT INTO write_only (dev, path, hash) VALUES (?, ?, ?) ON CONFLICT (dev, path) DO UPDATE SET hash = excluded.hash",
    ),
    upsertBackoff: db.prepare<[number, string, number, number | string, number]>(
      `INSERT INTO backoff (dev, path, until, code, attempts) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (dev, path) DO UPDATE SET until = excluded.until, code = excluded.code, attempts = excluded.attempts`,
    ),
    deleteBackoff: db.prepare<[number, string]>("DELETE FROM backoff WHERE dev = ? AND path = ?"),
    upsertDownload: db.prepare<[number, string, string, number, number | null, number]>(
      `INSERT INTO downloads (dev, command_key, version, started_at, completed_at, informs_since) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (dev) DO UPDATE SET command_key = excluded.command_key, version = excluded.version, started_at = excluded.started_at,
       completed_at = excluded.completed_at, informs_since = excluded.informs_since`,
    ),
    deleteDownload: db.prepare<[number]>("DELETE FROM downloads WHERE dev = ?"),
    deleteUnder: [
      db.prepare<{ dev: number; prefix: string }>(
        "DELETE FROM created WHERE dev = @dev AND (table_path || instance || '.') >= @prefix AND (table_path || instance || '.') < (@prefix || x'FF')",
      ),
      db.prepare<{ dev: number; prefix: string }>(`DELETE FROM write_only WHERE ${IN_RANGE}`),
      db.prepare<{ dev: number; prefix: string }>(`DELETE FROM backoff WHERE ${IN_RANGE}`),
    ],
    upsertReboot: db.prepare<[number, number]>(
      "INSERT INTO device_memory (dev, reboot_pending) VALUES (?, ?) ON CONFLICT (dev) DO UPDATE SET reboot_pending = excluded.reboot_pending",
    ),
    upsertKeys: db.prepare<[number, string]>(
      "INSERT INTO device_memory (dev, applied_keys) VALUES (?, ?) ON CONFLICT (dev) DO UPDATE SET applied_keys = excluded.applied_keys",
    ),
    clearReboot: db.prepare<[number]>("UPDATE device_memory SET reboot_pending = 0 WHERE dev = ? AND reboot_pending = 1"),
    memory: db.prepare<[number], MemoryRow>("SELECT reboot_pending, applied_keys, parameter_key_kept FROM device_memory WHERE dev = ?"),
    deleteAll: ["created", "write_only", "backoff", "downloads", "device_memory", "add_intents"].map((t) =>
      db.prepare<[number]>(`DELETE FROM ${t} WHERE dev = ?`),
    ),
    created: db.prepare<[number], CreatedRow>("SELECT table_path, instance, key_json FROM created WHERE dev = ? ORDER BY table_path, instance"),
    hashes: db.prepare<[number], { readonly path: string; readonly hash: string }>("SELECT path, hash FROM write_only WHERE dev = ?"),
    backoff: db.prepare<[number], BackoffRow>("SELECT path, until, code, attempts FROM backoff WHERE dev = ?"),
    download: db.prepare<[number], DownloadRow>("SELECT command_key, version, started_at, completed_at, informs_since FROM downloads WHERE dev = ?"),
  };
}

export function toInventory(
  created: readonly CreatedRow[],
  hashes: readonly { path: string; hash: string }[],
  backoff: readonly BackoffRow[],
  d: DownloadRow | undefined,
): Inventory {
  const byTable = new Map<string, number[]>();
  const keys = new Map<string, Readonly<Record<string, string>>>();
  for (const r of created) {
    const list = byTable.get(r.table_path);
    if (list === undefined) byTable.set(r.table_path, [r.instance]);
    else list.push(r.instance);
    const key = r.key_json === null ? undefined : parseKey(r.key_json);
    if (key !== undefined) keys.set(`${r.table_path}${r.instance}.`, key);
  }
  return {
    created: byTable,
    ...(keys.size > 0 ? { createdKeys: keys } : {}),
    writeOnlyHashes: new Map(hashes.map((h) => [h.path, h.hash] as const)),
    backoff: new Map(backoff.map((b) => [b.path, { until: b.until, code: b.code, attempts: b.attempts }] as const)),
    download: d === undefined ? undefined : downloadOf(d),
  };
}

function downloadOf(d: DownloadRow): NonNullable<Inventory["download"]> {
  const base = { commandKey: d.command_key, version: d.version, startedAt: d.started_at };
  return d.completed_at === null ? base : { ...base, completedAt: d.completed_at, informsSince: d.informs_since };
}

function parseKey(json: string): Readonly<Record<string, string>> | undefined {
  const v: unknown = JSON.parse(json);
  if (typeof v !== "object" || v === null || Array.isArray(v)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) if (typeof x === "string") out[k] = x;
  return out;
}

function parseNumbers(json: string): number[] {
  const v: unknown = JSON.parse(json);
  return Array.isArray(v) ? v.filter((n): n is number => typeof n === "number") : [];
}

export function withIntents(inv: Inventory, rows: readonly IntentRow[]): Inventory {
  if (rows.length === 0) return inv;
  const addIntents = rows.map((r) => ({
    selector: r.selector,
    table: r.table_path,
    key: parseKey(r.key_json) ?? {},
    before: parseNumbers(r.before_json),
    at: r.at,
  }));
  return Object.assign({}, inv, { addIntents });
}

export function parseKeys(json: string | undefined): string[] {
  if (json === undefined) return [];
  const v: unknown = JSON.parse(json);
  return Array.isArray(v) ? v.filter((k): k is string => typeof k === "string") : [];
}

/** Adds the optional fields only when known, so an untouched device loads exactly as before migration 2. */
export function withMemory(inv: Inventory, m: MemoryRow | undefined): Inventory {
  if (m === undefined) return inv;
  const keys = parseKeys(m.applied_keys);
  const kept = m.parameter_key_kept === null ? {} : { parameterKeyKept: m.parameter_key_kept === 1 };
  // Object.assign: a spread followed by keys it lacks costs V8 ~1 µs per key (Node 20), at every Inform step's load.
  return Object.assign({}, inv, m.reboot_pending === 1 ? { rebootPending: true } : {}, keys.length > 0 ? { appliedKeys: keys } : {}, kept);
}
