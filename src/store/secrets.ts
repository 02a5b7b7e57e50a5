import type { DeviceId } from "../domain/device.js";
import type { Database } from "./db.js";

/**
 * Per-device secrets Converge generated (connection request credentials). Stored in clear: whoever reads the
 * database file can read them, as with the CPE credentials themselves; protect the file.
 */
export interface SecretsRepo {
  get(id: DeviceId, name: string): string | undefined;
  set(id: DeviceId, name: string, value: string): void;
  all(id: DeviceId): ReadonlyMap<string, string>;
}

/**
 * The installation's key for hashing write-only values (HMAC, reconcile/parameter-key.ts): created by
 * migration 3, or on first use if the row is missing. Never leaves the server (no API or CLI output has it).
 */
export function installationKey(db: Database): string {
  const get = db.prepare<[], string>("SELECT value FROM installation WHERE name = 'write_only_key'").pluck();
  const existing = get.get();
  if (existing !== undefined) return existing;
  db.prepare("INSERT OR IGNORE INTO installation (name, value) VALUES ('write_only_key', converge_random_key())").run();
  const made = get.get();
  if (made === undefined) throw new Error("installation key: could not create");
  return made;
}

export function secretsRepo(db: Database): SecretsRepo {
  const get = db.prepare<[string, string], string>("SELECT value FROM secrets WHERE device_id = ? AND name = ?").pluck();
  const set = db.prepare<[string, string, string]>(
    "INSERT INTO secrets (device_id, name, value) VALUES (?, ?, ?) ON CONFLICT (device_id, name) DO UPDATE SET value = excluded.value",
  );
  const all = db.prepare<[string], { name: string; value: string }>("SELECT name, value FROM secrets WHERE device_id = ?");
  return {
    all: (id) => new Map(all.all(id).map((r) => [r.name, r.value])),
    get: (id, name) => get.get(id, name),
    set: (id, name, value) => void set.run(id, name, value),
  };
}
