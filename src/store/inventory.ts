import { APPLIED_KEYS_KEPT } from "../reconcile/fold-state.js";
import type { Inventory } from "../reconcile/types.js";
import type { Database } from "./db.js";

/** What Converge itself did to a device: created instances, write-only hashes, backoff, outstanding download. */
export interface InventoryRepo {
  /** Records instance `X.Y.<n>.` as created by us (table "X.Y.", instance n). */
  addCreated(dev: number, objectPath: string): void;
  setWriteOnlyHash(dev: number, path: string, hash: string): void;
  setBackoff(dev: number, path: string, b: { readonly until: number; readonly code: number; readonly attempts: number }): void;
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

interface CreatedRow {
  readonly table_path: string;
  readonly instance: number;
}
interface BackoffRow {
  readonly path: string;
  readonly until: number;
  readonly code: number;
  readonly attempts: number;
}
interface MemoryRow {
  readonly reboot_pending: number;
  readonly applied_keys: string;
}
interface DownloadRow {
  readonly command_key: string;
  readonly version: string;
  readonly started_at: number;
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
    addCreated(dev, objectPath) {
      const at = splitInstance(objectPath);
      if (at === undefined) throw new Error(`created object is not an instance path: ${objectPath}`);
      s.insertCreated.run(dev, at.table, at.instance);
    },
    setWriteOnlyHash: (dev, path, hash) => void s.upsertHash.run(dev, path, hash),
    setBackoff: (dev, path, b) => void s.upsertBackoff.run(dev, path, b.until, b.code, b.attempts),
    clearBackoff: (dev, path) => void s.deleteBackoff.run(dev, path),
    setDownload(dev, d) {
      if (d === undefined) s.deleteDownload.run(dev);
      else s.upsertDownload.run(dev, d.commandKey, d.version, d.startedAt);
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
    load: (dev) => withMemory(toInventory(s.created.all(dev), s.hashes.all(dev), s.backoff.all(dev), s.download.get(dev)), s.memory.get(dev)),
  };
}

function statements(db: Database) {
  return {
    insertCreated: db.prepare<[number, string, number]>("INSERT OR IGNORE INTO created (dev, table_path, instance) VALUES (?, ?, ?)"),
    upsertHash: db.prepare<[number, string, string]>(
      "INSERT INTO write_only (dev, path, hash) VALUES (?, ?, ?) ON CONFLICT (dev, path) DO UPDATE SET hash = excluded.hash",
    ),
    upsertBackoff: db.prepare<[number, string, number, number, number]>(
      `INSERT INTO backoff (dev, path, until, code, attempts) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (dev, path) DO UPDATE SET until = excluded.until, code = excluded.code, attempts = excluded.attempts`,
    ),
    deleteBackoff: db.prepare<[number, string]>("DELETE FROM backoff WHERE dev = ? AND path = ?"),
    upsertDownload: db.prepare<[number, string, string, number]>(
      `INSERT INTO downloads (dev, command_key, version, started_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (dev) DO UPDATE SET command_key = excluded.command_key, version = excluded.version, started_at = excluded.started_at`,
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
    memory: db.prepare<[number], MemoryRow>("SELECT reboot_pending, applied_keys FROM device_memory WHERE dev = ?"),
    deleteAll: ["created", "write_only", "backoff", "downloads", "device_memory"].map((t) => db.prepare<[number]>(`DELETE FROM ${t} WHERE dev = ?`)),
    created: db.prepare<[number], CreatedRow>("SELECT table_path, instance FROM created WHERE dev = ? ORDER BY table_path, instance"),
    hashes: db.prepare<[number], { readonly path: string; readonly hash: string }>("SELECT path, hash FROM write_only WHERE dev = ?"),
    backoff: db.prepare<[number], BackoffRow>("SELECT path, until, code, attempts FROM backoff WHERE dev = ?"),
    download: db.prepare<[number], DownloadRow>("SELECT command_key, version, started_at FROM downloads WHERE dev = ?"),
  };
}

function toInventory(created: readonly CreatedRow[], hashes: readonly { path: string; hash: string }[], backoff: readonly BackoffRow[], d: DownloadRow | undefined): Inventory {
  const byTable = new Map<string, number[]>();
  for (const r of created) {
    const list = byTable.get(r.table_path);
    if (list === undefined) byTable.set(r.table_path, [r.instance]);
    else list.push(r.instance);
  }
  return {
    created: byTable,
    writeOnlyHashes: new Map(hashes.map((h) => [h.path, h.hash] as const)),
    backoff: new Map(backoff.map((b) => [b.path, { until: b.until, code: b.code, attempts: b.attempts }] as const)),
    download: d === undefined ? undefined : { commandKey: d.command_key, version: d.version, startedAt: d.started_at },
  };
}

function parseKeys(json: string | undefined): string[] {
  if (json === undefined) return [];
  const v: unknown = JSON.parse(json);
  return Array.isArray(v) ? v.filter((k): k is string => typeof k === "string") : [];
}

/** Adds the optional fields only when known, so an untouched device loads exactly as before migration 2. */
function withMemory(inv: Inventory, m: MemoryRow | undefined): Inventory {
  if (m === undefined) return inv;
  const keys = parseKeys(m.applied_keys);
  return { ...inv, ...(m.reboot_pending === 1 ? { rebootPending: true } : {}), ...(keys.length > 0 ? { appliedKeys: keys } : {}) };
}
