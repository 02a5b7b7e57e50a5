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
import type { Statement } from "better-sqlite3";
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

/** The columns of a device row a plan reads (its facts and tags: `FactsRecord`), not its events, status or times; raw rows. */
const FACTS = "dev, id, manufacturer, oui, product_class, serial, software_version, hardware_version, ip, cr_url, udp_cr_addr, parameter_key, data_model, tags";
type FactsRow = readonly [
  dev: number,
  id: string,
  manufacturer: string,
  oui: string,
  productClass: string,
  serial: string,
  softwareVersion: string,
  hardwareVersion: string,
  ip: string,
  crUrl: string,
  udpCrAddr: string,
  parameterKey: string,
  dataModel: DeviceRow["data_model"],
  tags: string,
];
const NO_TAGS: readonly string[] = Object.freeze([]);

function factsOf(r: FactsRow): ProjectedDevice["record"] {
  return {
    deviceId: r[1] as DeviceId,
    manufacturer: r[2],
    oui: r[3],
    productClass: r[4],
    serialNumber: r[5],
    softwareVersion: r[6],
    hardwareVersion: r[7],
    ip: r[8],
    connectionRequestUrl: r[9],
    udpConnectionRequestAddress: r[10],
    parameterKey: r[11],
    dataModel: r[12] ?? undefined,
    tags: r[13] === "[]" ? NO_TAGS : fromJson<string[]>(r[13]),
  };
}

/** The devices of a page: a list (id order: one index lookup per device), or a range of rows (row order: one range scan). */
type Span = { readonly devs: string; readonly ids: string } | { readonly after: number; readonly last: number };

export function planReader(db: Database): WholeSource {
  const records = db.prepare<[string, number], FactsRow>(`SELECT ${FACTS} FROM devices WHERE id > ? ORDER BY id LIMIT ?`).raw(true);
  // Row order (the table's own): a slice of rows reads the devices and their reported rows front to back.
  const rowsThrough = db.prepare<[number, number, number], FactsRow>(`SELECT ${FACTS} FROM devices WHERE dev > ? AND dev <= ? ORDER BY dev LIMIT ?`).raw(true);
  const COLUMNS = "r.dev, r.path_id, r.value, r.flags, r.observed_at";
  const reportedIn = db
    .prepare<[string, string], Row>(
      `SELECT ${COLUMNS} FROM json_each(?) AS d JOIN reported r ON r.dev = d.value WHERE r.path_id IN (SELECT value FROM json_each(?))`,
    )
    .raw(true);
  const reportedRange = db
    .prepare<[string, number, number], Row>(
      `SELECT ${COLUMNS} FROM devices d JOIN reported r ON r.dev = d.dev AND r.path_id IN (SELECT value FROM json_each(?)) WHERE d.dev > ? AND d.dev <= ?`,
    )
    .raw(true);
  const pathRows = (t: "objects" | "discovered"): { in: Statement<[string], PathAt>; range: Statement<[number, number], PathAt> } => ({
    in: db.prepare<[string], PathAt>(
      `SELECT x.dev, p.path, x.observed_at FROM json_each(?) AS d JOIN ${t} x ON x.dev = d.value JOIN paths p ON p.id = x.path_id`,
    ),
    range: db.prepare<[number, number], PathAt>(
      `SELECT x.dev, p.path, x.observed_at FROM ${t} x JOIN paths p ON p.id = x.path_id WHERE x.dev > ? AND x.dev <= ?`,
    ),
  });
  const objects = pathRows("objects");
  const discovered = pathRows("discovered");
  const maxPathId = db.prepare<[], number | null>("SELECT max(id) FROM paths").pluck();
  const pathsAfter = db.prepare<[number], { id: number; path: string }>("SELECT id, path FROM paths WHERE id > ? ORDER BY id");
  const inventory = inventoryRepo(db);
  // Most devices have no inventory and no secrets: one query per page says which do.
  const INVENTORY = ["created", "write_only", "backoff", "downloads", "device_memory", "add_intents"];
  const withInventoryIn = db
    .prepare<{ devs: string }, number>(INVENTORY.map((t) => `SELECT x.dev FROM json_each(@devs) AS d JOIN ${t} x ON x.dev = d.value`).join(" UNION "))
    .pluck();
  const withInventoryRange = db
    .prepare<{ after: number; last: number }, number>(INVENTORY.map((t) => `SELECT dev FROM ${t} WHERE dev > @after AND dev <= @last`).join(" UNION "))
    .pluck();
  type SecretRow = { device_id: string; name: string; value: string };
  const secretsIn = db.prepare<[string], SecretRow>("SELECT s.device_id, s.name, s.value FROM json_each(?) AS d JOIN secrets s ON s.device_id = d.value");
  const secretsRange = db.prepare<[number, number], SecretRow>(
    "SELECT s.device_id, s.name, s.value FROM devices d JOIN secrets s ON s.device_id = d.id WHERE d.dev > ? AND d.dev <= ?",
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
    page(after, limit, interest) {
      const rows = records.all(after, limit);
      return load(rows, interest, { devs: JSON.stringify(rows.map((r) => r[0])), ids: JSON.stringify(rows.map((r) => r[1])) });
    },
    rowPage(after, through, limit, interest) {
      const rows = rowsThrough.all(after, through, limit);
      const last = rows.at(-1)?.[0] ?? through;
      return { devices: load(rows, interest, { after, last }), last };
    },
  };

  function load(rows: readonly FactsRow[], interest: PathInterest, span: Span): ProjectedDevice[] {
    if (rows.length === 0) return [];
    refreshPaths();
    const wanted = wantedIds(interest);
    const params = new Map<number, Map<string, ReportedParam>>();
    const names = new Map<number, Map<string, KnownName>>();
    const reportedRows = "devs" in span ? reportedIn.all(span.devs, wanted) : reportedRange.all(wanted, span.after, span.last);
    for (const [dev, pathId, stored, flags, observedAt] of reportedRows) {
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
    const hasInventory = new Set("devs" in span ? withInventoryIn.all({ devs: span.devs }) : withInventoryRange.all(span));
    const secretsOf = new Map<string, Map<string, string>>();
    for (const r of "devs" in span ? secretsIn.all(span.ids) : secretsRange.all(span.after, span.last)) {
      let m = secretsOf.get(r.device_id);
      if (m === undefined) secretsOf.set(r.device_id, (m = new Map()));
      m.set(r.name, r.value);
    }
    const pathsAt = (s: typeof objects): Map<number, Map<string, number>> => grouped("devs" in span ? s.in.all(span.devs) : s.range.all(span.after, span.last));
    const objectsOf = pathsAt(objects);
    const discoveredOf = pathsAt(discovered);
    return rows.map((row): ProjectedDevice => {
      const dev = row[0];
      return {
        record: factsOf(row),
        reported: {
          params: params.get(dev) ?? NONE,
          objects: objectsOf.get(dev) ?? NONE,
          discovered: discoveredOf.get(dev) ?? NONE,
          parameterKey: row[11],
          softwareVersion: row[6],
          names: names.get(dev) ?? NONE,
        },
        inventory: hasInventory.has(dev) ? inventory.load(dev) : EMPTY_INVENTORY,
        secrets: secretsOf.get(row[1]) ?? NONE,
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
