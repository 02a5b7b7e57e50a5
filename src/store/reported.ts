import { XSD_TYPES, type XsdType } from "../domain/xsd.js";
import type { NotificationLevel } from "../cwmp/types.js";
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

/** path, value, type code, writable, notification, observed_at: read in raw (array) mode, ~2x faster per row. */
type ParamRow = readonly [string, string | null, number | null, number | null, number | null, number | null];

interface PathAtRow {
  readonly path: string;
  readonly observed_at: number;
}

const TYPE_CODE = new Map<XsdType, number>(XSD_TYPES.map((t, i) => [t, i]));
// `path >= p AND path < p || x'FF'`: a prefix range on the path index, immune to LIKE's `_` and `%` wildcards
// (0xFF never occurs in UTF-8, so it sorts after every continuation of the prefix).
const UNDER = "SELECT id FROM paths WHERE path >= @prefix AND path < (@prefix || x'FF')";

export function reportedRepo(db: Database, paths: PathIds): ReportedRepo {
  const s = statements(db);
  return {
    upsertValues(dev, params, observedAt) {
      for (const p of params) s.upsertValue.run(dev, paths.intern(p.path), p.value, typeCode(p.type), observedAt);
    },
    upsertNames(dev, params, observedAt) {
      for (const p of params) {
        if (p.path.endsWith(".")) s.upsertObject.run(dev, paths.intern(p.path), observedAt);
        else s.upsertWritable.run(dev, paths.intern(p.path), p.writable ? 1 : 0);
      }
    },
    setNotifications(dev, params) {
      for (const p of params) s.upsertNotification.run(dev, paths.intern(p.path), p.notification);
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
    upsertValue: db.prepare<[number, number, string, number, number]>(
      `INSERT INTO reported (dev, path_id, value, type, observed_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (dev, path_id) DO UPDATE SET value = excluded.value, type = excluded.type, observed_at = excluded.observed_at`,
    ),
    upsertWritable: db.prepare<[number, number, number]>(
      `INSERT INTO reported (dev, path_id, writable) VALUES (?, ?, ?)
       ON CONFLICT (dev, path_id) DO UPDATE SET writable = excluded.writable WHERE writable IS NOT excluded.writable`,
    ),
    upsertNotification: db.prepare<[number, number, number]>(
      `INSERT INTO reported (dev, path_id, notification) VALUES (?, ?, ?)
       ON CONFLICT (dev, path_id) DO UPDATE SET notification = excluded.notification WHERE notification IS NOT excluded.notification`,
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
        `SELECT p.path, r.value, r.type, r.writable, r.notification, r.observed_at
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

function typeCode(t: XsdType): number {
  const code = TYPE_CODE.get(t);
  if (code === undefined) throw new Error(`unknown xsd type ${t}`);
  return code;
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
  for (const [path, value, typeCode, writableFlag, notificationLevel, observedAt] of rows) {
    const writable = writableFlag === null ? undefined : writableFlag === 1;
    const notification = notificationLevel === null ? undefined : toNotification(notificationLevel);
    if (value === null || observedAt === null) {
      names.set(path, notification === undefined ? { writable } : { writable, notification });
      continue;
    }
    const type = XSD_TYPES[typeCode ?? 0] ?? "xsd:string";
    params.set(path, notification === undefined ? { value, type, writable, observedAt } : { value, type, writable, observedAt, notification });
  }
  const objects = new Map(objectRows.map((r) => [r.path, r.observed_at] as const));
  const discovered = new Map(discoveredRows.map((r) => [r.path, r.observed_at] as const));
  return { params, objects, discovered, parameterKey, softwareVersion, names };
}

function toNotification(n: number): NotificationLevel {
  if (n === 0 || n === 1 || n === 2 || n === 3 || n === 4 || n === 5 || n === 6) return n;
  throw new Error(`stored notification level out of range: ${n}`);
}
