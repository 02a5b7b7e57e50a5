/**
 * The SQL behind device search: one statement text per combination of filters present (each prepared once and
 * cached by the devices repo), with every filter on an index (migration 4). Pages are keyset pages in device id
 * order (`id > @after ... LIMIT`), so page N costs what page 1 costs.
 *
 * Text filters compare with `COLLATE NOCASE` (ASCII case folding, as the indexes are built); a prefix is the
 * index range `[p, p || U+10FFFF)`: no LIKE, so no escaping and no pattern the input could turn into a scan.
 */
import { CONDITION_COLUMN } from "./status.js";
import type { DeviceFilter } from "../domain/store.js";

/** The `reported` filter has no value index: a page examines at most this many devices (in id order). */
export const REPORTED_SCAN_WINDOW = 20_000;

/** Above every character a prefix can be followed by. */
const TOP = "\u{10FFFF}";

export interface SearchParams {
  readonly after: string;
  readonly limit: number;
  readonly [name: string]: string | number;
}

export interface SearchSql {
  readonly sql: string;
  readonly params: SearchParams;
  /** Set when the page is bounded to a window of the id range (see REPORTED_SCAN_WINDOW). */
  readonly windowed: boolean;
}

type Prefixed = "manufacturer" | "serial" | "deviceId" | "model" | "firmware" | "ip";
const PREFIX_COLUMNS: Readonly<Record<Prefixed, { readonly column: string; readonly nocase: boolean }>> = {
  manufacturer: { column: "manufacturer", nocase: true },
  serial: { column: "serial", nocase: true },
  deviceId: { column: "id", nocase: true },
  model: { column: "product_class", nocase: true },
  firmware: { column: "software_version", nocase: true },
  ip: { column: "ip", nocase: false },
};

/** The statement for one page of `f`; `windowEnd` bounds a windowed scan (the id the window ends at, inclusive). */
export function searchSql(f: DeviceFilter, windowEnd?: string): SearchSql {
  const params: Record<string, string | number> = { after: f.after ?? "", limit: Math.max(0, Math.floor(f.limit)) };
  // The driving table: a tag or policy walks its (key, id) primary key from the cursor, so a page costs its size.
  let from = "devices d";
  let key = "d.id";
  const where: string[] = [];
  if (f.tag !== undefined) {
    from = "device_tags t JOIN devices d ON d.id = t.id";
    key = "t.id";
    where.push("t.tag = @tag");
    params["tag"] = f.tag;
  } else if (f.policy !== undefined) {
    from = "device_policies p JOIN devices d ON d.id = p.id";
    key = "p.id";
    where.push("p.policy = @policy");
    params["policy"] = f.policy;
  }
  where.push(`${key} > @after`);
  if (f.policy !== undefined && f.tag !== undefined) where.push("EXISTS (SELECT 1 FROM device_policies p WHERE p.policy = @policy AND p.id = d.id)");
  if (f.policy !== undefined) params["policy"] = f.policy;
  if (f.productClass !== undefined) {
    where.push("d.product_class = @productClass COLLATE NOCASE");
    params["productClass"] = f.productClass;
  }
  if (f.softwareVersion !== undefined) {
    where.push("d.software_version = @softwareVersion COLLATE NOCASE");
    params["softwareVersion"] = f.softwareVersion;
  }
  if (f.oui !== undefined) {
    where.push("d.oui = @oui COLLATE NOCASE");
    params["oui"] = f.oui;
  }
  for (const name of Object.keys(PREFIX_COLUMNS) as Prefixed[]) {
    const value = f[name];
    if (value === undefined || value === "") continue;
    const { column, nocase } = PREFIX_COLUMNS[name];
    const c = nocase ? " COLLATE NOCASE" : "";
    where.push(`d.${column} >= @${name}${c} AND d.${column} < @${name}End${c}`);
    params[name] = value;
    params[`${name}End`] = value + TOP;
  }
  if (f.condition !== undefined) {
    where.push(`d.${CONDITION_COLUMN[f.condition.type]} = @condition`);
    params["condition"] = f.condition.status ? 1 : 0;
  }
  if (f.informedSince !== undefined) {
    where.push("d.last_inform >= @informedSince");
    params["informedSince"] = f.informedSince;
  }
  if (f.informedBefore !== undefined) {
    where.push("d.last_inform < @informedBefore");
    params["informedBefore"] = f.informedBefore;
  }
  if (f.fault !== undefined) {
    where.push("d.dev IN (SELECT dev FROM faults WHERE code = @fault)");
    params["fault"] = f.fault;
  }
  const windowed = f.reported !== undefined && windowEnd !== undefined;
  if (f.reported !== undefined) {
    const value =
      f.reported.value !== undefined
        ? " AND (CASE WHEN typeof(r.value) = 'blob' THEN converge_unpack(r.value) ELSE r.value END) = @reportedValue COLLATE NOCASE"
        : " AND r.value IS NOT NULL";
    where.push(`EXISTS (SELECT 1 FROM reported r WHERE r.dev = d.dev AND r.path_id = (SELECT id FROM paths WHERE path = @reportedPath)${value})`);
    params["reportedPath"] = f.reported.path;
    if (f.reported.value !== undefined) params["reportedValue"] = f.reported.value;
    if (windowEnd !== undefined) {
      where.push(`${key} <= @windowEnd`);
      params["windowEnd"] = windowEnd;
    }
  }
  const sql = `SELECT d.* FROM ${from} WHERE ${where.join(" AND ")} ORDER BY ${key} LIMIT @limit + 1`;
  return { sql, params: params as SearchParams, windowed };
}

/** Where a windowed scan from `after` ends: the id REPORTED_SCAN_WINDOW devices on, or undefined near the end. */
export const WINDOW_END_SQL = `SELECT id FROM devices WHERE id > ? ORDER BY id LIMIT 1 OFFSET ${REPORTED_SCAN_WINDOW - 1}`;

/** Counts for a filter (no cursor, no limit); undefined for filters that cannot be counted on an index. */
export function countSql(f: DeviceFilter): SearchSql | undefined {
  if (f.reported !== undefined) return undefined;
  const page = searchSql({ ...f, after: "", limit: 0 });
  const sql = page.sql.replace(/^SELECT d\.\* /, "SELECT count(*) ").replace(/ ORDER BY .*$/, "");
  return { ...page, sql };
}
