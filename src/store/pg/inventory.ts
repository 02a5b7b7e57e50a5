/** What Converge did to a device, in PostgreSQL (same semantics as src/store/inventory.ts). */
import { APPLIED_KEYS_KEPT } from "../../reconcile/fold-state.js";
import type { AddIntent, Inventory } from "../../reconcile/types.js";
import { parseKeys, splitInstance } from "../inventory.js";
import type { Queryable } from "./pool.js";

export async function addCreated(q: Queryable, dev: number, objectPath: string, key?: Readonly<Record<string, string>>): Promise<void> {
  const at = splitInstance(objectPath);
  if (at === undefined) throw new Error(`created object is not an instance path: ${objectPath}`);
  // A re-added row keeps a key it already had: an adopted instance must not lose what it was added for.
  await q.query(
    `INSERT INTO created (dev, table_path, instance, key_json) VALUES ($1, $2, $3, $4)
     ON CONFLICT (dev, table_path, instance) DO UPDATE SET key_json = coalesce(excluded.key_json, created.key_json)`,
    [dev, at.table, at.instance, key === undefined ? null : JSON.stringify(key)],
  );
}

export async function addIntent(q: Queryable, dev: number, i: AddIntent): Promise<void> {
  await q.query(
    `INSERT INTO add_intents (dev, selector, table_path, key_json, before_json, at) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (dev, selector) DO UPDATE SET table_path = excluded.table_path, key_json = excluded.key_json, before_json = excluded.before_json, at = excluded.at`,
    [dev, i.selector, i.table, JSON.stringify(i.key), JSON.stringify(i.before), i.at],
  );
}

export async function clearIntent(q: Queryable, dev: number, selector: string): Promise<void> {
  await q.query("DELETE FROM add_intents WHERE dev = $1 AND selector = $2", [dev, selector]);
}

export async function setParameterKeyKept(q: Queryable, dev: number, kept: boolean): Promise<void> {
  await q.query(
    "INSERT INTO device_memory (dev, parameter_key_kept) VALUES ($1, $2) ON CONFLICT (dev) DO UPDATE SET parameter_key_kept = excluded.parameter_key_kept",
    [dev, kept],
  );
}

export async function setWriteOnlyHash(q: Queryable, dev: number, path: string, hash: string): Promise<void> {
  await q.query("INSERT INTO write_only (dev, path, hash) VALUES ($1, $2, $3) ON CONFLICT (dev, path) DO UPDATE SET hash = excluded.hash", [dev, path, hash]);
}

export async function setBackoff(
  q: Queryable,
  dev: number,
  path: string,
  b: { readonly until: number; readonly code: number | string; readonly attempts: number },
): Promise<void> {
  await q.query(
    `INSERT INTO backoff (dev, path, until, code, attempts) VALUES ($1, $2, $3, $4::jsonb, $5)
     ON CONFLICT (dev, path) DO UPDATE SET until = excluded.until, code = excluded.code, attempts = excluded.attempts`,
    [dev, path, b.until, JSON.stringify(b.code), b.attempts],
  );
}

export async function clearBackoff(q: Queryable, dev: number, path: string): Promise<void> {
  await q.query("DELETE FROM backoff WHERE dev = $1 AND path = $2", [dev, path]);
}

export async function setDownload(q: Queryable, dev: number, d: Inventory["download"]): Promise<void> {
  if (d === undefined) {
    await q.query("DELETE FROM downloads WHERE dev = $1", [dev]);
    return;
  }
  await q.query(
    `INSERT INTO downloads (dev, command_key, version, started_at, completed_at, informs_since) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (dev) DO UPDATE SET command_key = excluded.command_key, version = excluded.version, started_at = excluded.started_at,
       completed_at = excluded.completed_at, informs_since = excluded.informs_since`,
    [dev, d.commandKey, d.version, d.startedAt, d.completedAt ?? null, d.informsSince ?? 0],
  );
}

export async function setRebootPending(q: Queryable, dev: number, pending: boolean): Promise<void> {
  // Clearing only updates an existing row: a boot storm must not add a row per device.
  if (pending) await q.query("INSERT INTO device_memory (dev, reboot_pending) VALUES ($1, true) ON CONFLICT (dev) DO UPDATE SET reboot_pending = true", [dev]);
  else await q.query("UPDATE device_memory SET reboot_pending = false WHERE dev = $1 AND reboot_pending", [dev]);
}

/** Remembers `key` as one we set successfully, keeping the `APPLIED_KEYS_KEPT` most recent (newest last). */
export async function addAppliedKey(q: Queryable, dev: number, key: string): Promise<void> {
  const row = (await q.query<{ applied_keys: string }>("SELECT applied_keys FROM device_memory WHERE dev = $1 FOR UPDATE", [dev])).rows[0];
  const kept = parseKeys(row?.applied_keys).filter((k) => k !== key);
  await q.query("INSERT INTO device_memory (dev, applied_keys) VALUES ($1, $2) ON CONFLICT (dev) DO UPDATE SET applied_keys = excluded.applied_keys", [
    dev,
    JSON.stringify([...kept, key].slice(-APPLIED_KEYS_KEPT)),
  ]);
}

/** Forgets inventory about `prefix` (ending ".") and everything beneath it. */
export async function forgetUnder(q: Queryable, dev: number, prefix: string): Promise<void> {
  await q.query("DELETE FROM created WHERE dev = $1 AND starts_with(table_path || instance || '.', $2)", [dev, prefix]);
  await q.query("DELETE FROM write_only WHERE dev = $1 AND starts_with(path, $2)", [dev, prefix]);
  await q.query("DELETE FROM backoff WHERE dev = $1 AND starts_with(path, $2)", [dev, prefix]);
}

const INVENTORY_TABLES = ["created", "write_only", "backoff", "downloads", "device_memory", "add_intents"] as const;

export async function forgetAll(q: Queryable, dev: number): Promise<void> {
  for (const t of INVENTORY_TABLES) await q.query(`DELETE FROM ${t} WHERE dev = $1`, [dev]);
}
