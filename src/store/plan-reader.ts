/**
 * The fleet walk of `converge plan --db` (issue 16: a million devices): devices in id order, a page at a time,
 * each with its record, inventory and secrets, and its reported values restricted to the paths a plan can look
 * at (`PathInterest`, plan/projection.ts): a stored device holds hundreds of values, a plan reads a few dozen.
 * The restriction runs in SQL (the rows of other paths never reach JavaScript). Read-only.
 */
import type { KnownName, ReportedParam } from "../reconcile/types.js";
import type { PathInterest, ProjectedDevice } from "../plan/projection.js";
import type { WholeSource } from "../plan/projected-plans.js";
import { pathIds } from "./paths.js";
import { reportedRepo } from "./reported.js";
import type { Database } from "./db.js";
import type { DeviceRow } from "./devices.js";
import type { DeviceId } from "../domain/device.js";
import { fromJson } from "./json.js";
import { EMPTY_INVENTORY, inventoryRepo } from "./inventory.js";
import { notificationOf, typeOf, unpackValue, writableOf } from "./value-codec.js";

/** What a device without rows of a kind gets (read-only: one shared empty map). */
const NONE: ReadonlyMap<never, never> = new Map<never, never>();

type Row = readonly [number, number, string | Buffer | null, number, number | null];
interface PathAt {
  readonly dev: number;
  readonly path: string;
  readonly observed_at: number;
}

/** The columns of a device row a plan reads (its facts and tags: `FactsRecord`), not its events, status or times. */
type FactsRow = Pick<
  DeviceRow,
  | "dev"
  | "id"
  | "manufacturer"
  | "oui"
  | "product_class"
  | "serial"
  | "software_version"
  | "hardware_version"
  | "ip"
  | "cr_url"
  | "udp_cr_addr"
  | "parameter_key"
  | "data_model"
  | "tags"
>;
const FACTS = "dev, id, manufacturer, oui, product_class, serial, software_version, hardware_version, ip, cr_url, udp_cr_addr, parameter_key, data_model, tags";
const NO_TAGS: readonly string[] = Object.freeze([]);

function factsOf(r: FactsRow): ProjectedDevice["record"] {
  return {
    deviceId: r.id as DeviceId,
    manufacturer: r.manufacturer,
    oui: r.oui,
    productClass: r.product_class,
    serialNumber: r.serial,
    softwareVersion: r.software_version,
    hardwareVersion: r.hardware_version,
    ip: r.ip,
    connectionRequestUrl: r.cr_url,
    udpConnectionRequestAddress: r.udp_cr_addr,
    parameterKey: r.parameter_key,
    dataModel: r.data_model ?? undefined,
    tags: r.tags === "[]" ? NO_TAGS : fromJson<string[]>(r.tags),
  };
}

export function planReader(db: Database): WholeSource {
  const records = db.prepare<[string, number], FactsRow>(`SELECT ${FACTS} FROM devices WHERE id > ? ORDER BY id LIMIT ?`);
  const recordsThrough = db.prepare<[string, string, number], FactsRow>(`SELECT ${FACTS} FROM devices WHERE id > ? AND id <= ? ORDER BY id LIMIT ?`);
  // Row order (the table's own): a slice of rows reads the devices and their reported rows front to back.
  const rowsThrough = db.prepare<[number, number, number], FactsRow>(`SELECT ${FACTS} FROM devices WHERE dev > ? AND dev <= ? ORDER BY dev LIMIT ?`);
  const reported = db
    .prepare<[string, string], Row>(
      `SELECT r.dev, r.path_id, r.value, r.flags, r.observed_at FROM json_each(?) AS d JOIN reported r ON r.dev = d.value
       WHERE r.path_id IN (SELECT value FROM json_each(?))`,
    )
    .raw(true);
  const objects = db.prepare<[string], PathAt>(
    "SELECT o.dev, p.path, o.observed_at FROM json_each(?) AS d JOIN objects o ON o.dev = d.value JOIN paths p ON p.id = o.path_id",
  );
  const discovered = db.prepare<[string], PathAt>(
    "SELECT x.dev, p.path, x.observed_at FROM json_each(?) AS d JOIN discovered x ON x.dev = d.value JOIN paths p ON p.id = x.path_id",
  );
  const maxPathId = db.prepare<[], number | null>("SELECT max(id) FROM paths").pluck();
  const pathsAfter = db.prepare<[number], { id: number; path: string }>("SELECT id, path FROM paths WHERE id > ? ORDER BY id");
  const inventory = inventoryRepo(db);
  // Most devices have no inventory and no secrets: one query per page says which do.
  const withInventory = db
    .prepare<{ devs: string }, number>(
      ["created", "write_only", "backoff", "downloads", "device_memory", "add_intents"]
        .map((t) => `SELECT x.dev FROM json_each(@devs) AS d JOIN ${t} x ON x.dev = d.value`)
        .join(" UNION "),
    )
    .pluck();
  const secretRows = db.prepare<[string], { device_id: string; name: string; value: string }>(
    "SELECT s.device_id, s.name, s.value FROM json_each(?) AS d JOIN secrets s ON s.device_id = d.value",
  );
  // Interned paths are grow-only: the id -> path table is extended when the file has more, never rebuilt.
  const pathOf = new Map<number, string>();
  let knownMax = 0;
  let wantedFor: { readonly interest: PathInterest; readonly version: number; readonly max: number; readonly json: string } | undefined;
  const refreshPaths = (): void => {
    const max = maxPathId.get() ?? 0;
    if (max <= knownMax) return;
    for (const r of pathsAfter.all(knownMax)) pathOf.set(r.id, r.path);
    knownMax = max;
  };
  const wantedIds = (interest: PathInterest): string => {
    if (wantedFor?.interest === interest && wantedFor.version === interest.version && wantedFor.max === knownMax) return wantedFor.json;
    const ids: number[] = [];
    for (const [id, path] of pathOf) if (interest.covers(path)) ids.push(id);
    wantedFor = { interest, version: interest.version, max: knownMax, json: JSON.stringify(ids) };
    return wantedFor.json;
  };
  const whole = reportedRepo(db, pathIds(db));
  const devOf = db.prepare<[string], number>("SELECT dev FROM devices WHERE id = ?").pluck();
  return {
    whole(d) {
      const dev = devOf.get(d.record.deviceId);
      return dev === undefined ? d : { ...d, reported: whole.load(dev, d.reported.parameterKey, d.reported.softwareVersion) };
    },
    page(after, limit, interest, through) {
      return load(through === undefined ? records.all(after, limit) : recordsThrough.all(after, through, limit), interest);
    },
    rowPage(after, through, limit, interest) {
      const rows = rowsThrough.all(after, through, limit);
      return { devices: load(rows, interest), last: rows.at(-1)?.dev ?? through };
    },
  };

  function load(rows: readonly FactsRow[], interest: PathInterest): ProjectedDevice[] {
    if (rows.length === 0) return [];
    refreshPaths();
    const devs = JSON.stringify(rows.map((r) => r.dev));
    const params = new Map<number, Map<string, ReportedParam>>();
    const names = new Map<number, Map<string, KnownName>>();
    for (const [dev, pathId, stored, flags, observedAt] of reported.all(devs, wantedIds(interest))) {
      const path = pathOf.get(pathId);
      if (path === undefined) continue; // minted after refreshPaths by a concurrent writer: not wanted yet
      const writable = writableOf(flags);
      const notification = notificationOf(flags);
      if (stored === null || observedAt === null) {
        mapOf(names, dev).set(path, notification === undefined ? { writable } : { writable, notification });
        continue;
      }
      const p = { value: unpackValue(stored), type: typeOf(flags), writable, observedAt };
      mapOf(params, dev).set(path, notification === undefined ? p : { ...p, notification });
    }
    const hasInventory = new Set(withInventory.all({ devs }));
    const secretsOf = new Map<string, Map<string, string>>();
    for (const r of secretRows.all(JSON.stringify(rows.map((r) => r.id)))) {
      let m = secretsOf.get(r.device_id);
      if (m === undefined) secretsOf.set(r.device_id, (m = new Map()));
      m.set(r.name, r.value);
    }
    const objectsOf = grouped(objects.all(devs));
    const discoveredOf = grouped(discovered.all(devs));
    return rows.map((row): ProjectedDevice => {
      return {
        record: factsOf(row),
        reported: {
          params: params.get(row.dev) ?? NONE,
          objects: objectsOf.get(row.dev) ?? NONE,
          discovered: discoveredOf.get(row.dev) ?? NONE,
          parameterKey: row.parameter_key,
          softwareVersion: row.software_version,
          names: names.get(row.dev) ?? NONE,
        },
        inventory: hasInventory.has(row.dev) ? inventory.load(row.dev) : EMPTY_INVENTORY,
        secrets: secretsOf.get(row.id) ?? NONE,
      };
    });
  }
}

/** Store row numbers of the fleet: the first and the last (0, 0 when empty), the range `rowPage` slices. */
export function rowRange(db: Database): { readonly first: number; readonly last: number } {
  const r = db.prepare<[], { first: number | null; last: number | null }>("SELECT min(dev) AS first, max(dev) AS last FROM devices").get();
  return { first: r?.first ?? 0, last: r?.last ?? 0 };
}

function mapOf<V>(m: Map<number, Map<string, V>>, dev: number): Map<string, V> {
  let x = m.get(dev);
  if (x === undefined) m.set(dev, (x = new Map()));
  return x;
}

function grouped(rows: readonly PathAt[]): Map<number, Map<string, number>> {
  const out = new Map<number, Map<string, number>>();
  for (const r of rows) mapOf(out, r.dev).set(r.path, r.observed_at);
  return out;
}
