import type { XsdType } from "../domain/xsd.js";
import type { NotificationLevel } from "../cwmp/types.js";
import {
  NOTIFICATION_MASK,
  TYPE_MASK,
  WRITABLE_MASK,
  notificationBits,
  notificationOf,
  packValue,
  typeBits,
  typeOf,
  unpackValue,
  writableBits,
  writableOf,
} from "./value-codec.js";
import type { KnownName, ReportedParam, ReportedState } from "../reconcile/types.js";
import type { Database } from "./db.js";
import type { PathIds } from "./paths.js";

/** What the device reported: parameter values, names known to exist, objects and discovered subtrees. */
export interface ReportedRepo {
  upsertValues(dev: number, params: readonly { readonly path: string; readonly value: string; readonly type: XsdType }[], observedAt: number): void;
  upsertNames(dev: number, params: readonly { readonly path: string; readonly writable: boolean }[], observedAt: number): void;
  setNotifications(dev: number, params: readonly { readonly path: string; readonly notification: NotificationLevel }[]): void;
  markDiscovered(dev: number, path: string, observedAt: number): void;
  addObject(dev: number, path: string, observedAt: number): void;
  /** Forgets `prefix` (ending ".") and everything reported, known or discovered beneath it. */
  forgetUnder(dev: number, prefix: string): void;
  forgetParam(dev: number, path: string): void;
  forgetAll(dev: number): void;
  /** Every parameter, name or object path known beneath `prefix` ("" = all). */
  knownUnder(dev: number, prefix: string): readonly string[];
  load(dev: number, parameterKey: string, softwareVersion: string): ReportedState;
}

/** path, value (TEXT, or a packed BLOB), flags, observed_at (value-codec.ts): read in raw (array) mode, ~2x faster per row. */
type ParamRow = readonly [string, string | Buffer | null, number, number | null];

interface PathAtRow {
  readonly path: string;
  readonly observed_at: number;
}

// `path >= p AND path < p || x'FF'`: a prefix range on the path index, immune to LIKE's `_` and `%` wildcards
// (0xFF never occurs in UTF-8, so it sorts after every continuation of the prefix).
const UNDER = "SELECT id FROM paths WHERE path >= @prefix AND path < (@prefix || x'FF')";

export function reportedRepo(db: Database, paths: PathIds): ReportedRepo {
  const s = statements(db);
  return {
    upsertValues(dev, params, observedAt) {
      for (const p of params) s.upsertValue.run(dev, paths.intern(p.path), packValue(p.value), typeBits(p.type), observedAt);
    },
    upsertNames(dev, params, observedAt) {
      for (const p of params) {
        if (p.path.endsWith(".")) s.upsertObject.run(dev, paths.intern(p.path), observedAt);
        else s.upsertWritable.run(dev, paths.intern(p.path), writableBits(p.writable));
      }
    },
    setNotifications(dev, params) {
      for (const p of params) s.upsertNotification.run(dev, paths.intern(p.path), notificationBits(p.notification));
    },
    markDiscovered: (dev, path, observedAt) => void s.upsertDiscovered.run(dev, paths.intern(path), observedAt),
    addObject: (dev, path, observedAt) => void s.upsertObject.run(dev, paths.intern(path), observedAt),
    forgetUnder(dev, prefix) {
      for (const stmt of s.deleteUnder) stmt.run({ dev, prefix });
    },
    forgetParam: (dev, path) => void s.deleteParam.run(dev, path),
    forgetAll(dev) {
      for (const stmt of s.deleteAll) stmt.run(dev);
    },
    knownUnder: (dev, prefix) => s.knownUnder.all({ dev, prefix }),
    load: (dev, parameterKey, softwareVersion) => toReportedState(s.params.all(dev), s.objects.all(dev), s.discovered.all(dev), parameterKey, softwareVersion),
  };
}

function statements(db: Database) {
  const upsert = (table: string): string =>
    `INSERT INTO ${table} (dev, path_id, observed_at) VALUES (?, ?, ?) ON CONFLICT (dev, path_id) DO UPDATE SET observed_at = excluded.observed_at`;
  return {
    // flags (value-codec.ts): each upsert sets its own bits and keeps the others.
    upsertValue: db.prepare<[number, number, string | Buffer, number, number]>(
      `INSERT INTO reported (dev, path_id, value, flags, observed_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (dev, path_id) DO UPDATE SET value = excluded.value, flags = (flags & ~${TYPE_MASK}) | excluded.flags, observed_at = excluded.observed_at`,
    ),
    upsertWritable: db.prepare<[number, number, number]>(
      `INSERT INTO reported (dev, path_id, flags) VALUES (?, ?, ?)
       ON CONFLICT (dev, path_id) DO UPDATE SET flags = (flags & ~${WRITABLE_MASK}) | excluded.flags WHERE (flags & ${WRITABLE_MASK}) != excluded.flags`,
    ),
    upsertNotification: db.prepare<[number, number, number]>(
      `INSERT INTO reported (dev, path_id, flags) VALUES (?, ?, ?)
       ON CONFLICT (dev, path_id) DO UPDATE SET flags = (flags & ~${NOTIFICATION_MASK}) | excluded.flags WHERE (flags & ${NOTIFICATION_MASK}) != excluded.flags`,
    ),
    upsertObject: db.prepare<[number, number, number]>(upsert("objects")),
    upsertDiscovered: db.prepare<[number, number, number]>(upsert("discovered")),
    deleteParam: db.prepare<[number, string]>("DELETE FROM reported WHERE dev = ? AND path_id = (SELECT id FROM paths WHERE path = ?)"),
    deleteUnder: ["reported", "objects", "discovered"].map((t) =>
      db.prepare<{ dev: number; prefix: string }>(`DELETE FROM ${t} WHERE dev = @dev AND path_id IN (${UNDER})`),
    ),
    deleteAll: ["reported", "objects", "discovered"].map((t) => db.prepare<[number]>(`DELETE FROM ${t} WHERE dev = ?`)),
    params: db
      .prepare<[number], ParamRow>(
        `SELECT p.path, r.value, r.flags, r.observed_at
         FROM reported r JOIN paths p ON p.id = r.path_id WHERE r.dev = ?`,
      )
      .raw(true),
    knownUnder: db
      .prepare<{ dev: number; prefix: string }, string>(
        `SELECT p.path FROM paths p WHERE p.path >= @prefix AND p.path < (@prefix || x'FF') AND (
           EXISTS (SELECT 1 FROM reported r WHERE r.dev = @dev AND r.path_id = p.id) OR
           EXISTS (SELECT 1 FROM objects o WHERE o.dev = @dev AND o.path_id = p.id))`,
      )
      .pluck(),
    objects: db.prepare<[number], PathAtRow>("SELECT p.path, o.observed_at FROM objects o JOIN paths p ON p.id = o.path_id WHERE o.dev = ?"),
    discovered: db.prepare<[number], PathAtRow>("SELECT p.path, d.observed_at FROM discovered d JOIN paths p ON p.id = d.path_id WHERE d.dev = ?"),
  };
}

function toReportedState(
  rows: readonly ParamRow[],
  objectRows: readonly PathAtRow[],
  discoveredRows: readonly PathAtRow[],
  parameterKey: string,
  softwareVersion: string,
): ReportedState {
  const params = new Map<string, ReportedParam>();
  const names = new Map<string, KnownName>();
  for (const [path, stored, flags, observedAt] of rows) {
    const writable = writableOf(flags);
    const notification = notificationOf(flags);
    if (stored === null || observedAt === null) {
      names.set(path, notification === undefined ? { writable } : { writable, notification });
      continue;
    }
    const value = unpackValue(stored);
    const type = typeOf(flags);
    params.set(path, notification === undefined ? { value, type, writable, observedAt } : { value, type, writable, observedAt, notification });
  }
  const objects = new Map(objectRows.map((r) => [r.path, r.observed_at] as const));
  const discovered = new Map(discoveredRows.map((r) => [r.path, r.observed_at] as const));
  return { params, objects, discovered, parameterKey, softwareVersion, names };
}
