/**
 * Device search in PostgreSQL: the same filters, pages and counts as SQLite's (src/store/device-search.ts).
 * One statement text per combination of filters present (a small, closed set, each a named prepared statement);
 * keyset pages in device id order (byte order: the id column is COLLATE "C"). Case-insensitive filters compare
 * `converge_fold(...)` (ASCII folding, as SQLite's NOCASE) on expression indexes; a prefix is the range
 * `[p, p || U+10FFFF)`: no LIKE, so nothing in the input is a pattern.
 */
import type { DeviceFilter } from "../../domain/store.js";
import { REPORTED_SCAN_WINDOW } from "../device-search.js";
import { CONDITION_COLUMN } from "../status.js";

const TOP = "\u{10FFFF}";

export interface PgSql {
  readonly text: string;
  readonly values: readonly unknown[];
}

type Prefixed = "manufacturer" | "serial" | "deviceId" | "model" | "firmware" | "ip";
const PREFIX_COLUMNS: Readonly<Record<Prefixed, { readonly column: string; readonly fold: boolean }>> = {
  manufacturer: { column: "manufacturer", fold: true },
  serial: { column: "serial", fold: true },
  deviceId: { column: "id", fold: true },
  model: { column: "product_class", fold: true },
  firmware: { column: "software_version", fold: true },
  ip: { column: "ip", fold: false },
};

/** A device's last visit lives in `device_visits` (PG migration 60): joined where the row or a filter needs it. */
export const WITH_VISITS = "JOIN device_visits v ON v.dev = d.dev";

export const DEVICE_COLUMNS = `d.dev, d.id, d.manufacturer, d.oui, d.product_class, d.serial, d.software_version, d.hardware_version, d.ip,
  d.cr_url, d.udp_cr_addr, d.parameter_key, d.data_model, d.first_seen, v.last_inform, d.last_boot, v.last_events, d.tags,
  d.status, d.applied_revision, d.attempted_revision`;

/** The statement for one page of `f` (`limit + 1` rows); `windowEnd` bounds a `reported` scan (inclusive). */
export function searchPg(f: DeviceFilter, windowEnd: string | undefined, select = `SELECT ${DEVICE_COLUMNS}`, paged = true): PgSql {
  const values: unknown[] = [];
  const v = (x: unknown): string => {
    values.push(x);
    return `$${values.length}`;
  };
  let from = "devices d";
  let key = "d.id";
  const where: string[] = [];
  if (f.tag !== undefined) {
    from = "device_tags t JOIN devices d ON d.id = t.id";
    key = "t.id";
    where.push(`t.tag = ${v(f.tag)}`);
  } else if (f.policy !== undefined) {
    from = "device_policies p JOIN devices d ON d.id = p.id";
    key = "p.id";
    where.push(`p.policy = ${v(f.policy)}`);
  }
  if (select.includes("v.last_inform") || f.informedSince !== undefined || f.informedBefore !== undefined) from = `${from} ${WITH_VISITS}`;
  if (paged) where.push(`${key} > ${v(f.after ?? "")}`);
  if (f.policy !== undefined && f.tag !== undefined) where.push(`EXISTS (SELECT 1 FROM device_policies p WHERE p.policy = ${v(f.policy)} AND p.id = d.id)`);
  const exactFolded: readonly ["productClass" | "softwareVersion" | "oui", string][] = [
    ["productClass", "product_class"],
    ["softwareVersion", "software_version"],
    ["oui", "oui"],
  ];
  for (const [name, column] of exactFolded) {
    const x = f[name];
    if (x !== undefined) where.push(`converge_fold(d.${column}) = converge_fold(${v(x)}::text)`);
  }
  for (const name of Object.keys(PREFIX_COLUMNS) as Prefixed[]) {
    const x = f[name];
    if (x === undefined || x === "") continue;
    const { column, fold } = PREFIX_COLUMNS[name];
    const col = fold ? `converge_fold(d.${column})` : `d.${column}`;
    const lo = fold ? `converge_fold(${v(x)}::text)` : `${v(x)}::text`;
    const hi = fold ? `converge_fold(${v(x + TOP)}::text)` : `${v(x + TOP)}::text`;
    where.push(`${col} >= ${lo} COLLATE "C" AND ${col} < ${hi} COLLATE "C"`);
  }
  if (f.condition !== undefined) where.push(`d.${CONDITION_COLUMN[f.condition.type]} = ${v(f.condition.status ? 1 : 0)}`);
  if (f.informedSince !== undefined) where.push(`v.last_inform >= ${v(f.informedSince)}`);
  if (f.informedBefore !== undefined) where.push(`v.last_inform < ${v(f.informedBefore)}`);
  if (f.fault !== undefined) where.push(`d.dev IN (SELECT dev FROM faults WHERE code = ${v(f.fault)})`);
  if (f.reported !== undefined) {
    const path = v(f.reported.path);
    const value = f.reported.value !== undefined ? ` AND converge_fold(r.value) = converge_fold(${v(f.reported.value)}::text)` : " AND r.value IS NOT NULL";
    where.push(`EXISTS (SELECT 1 FROM reported r WHERE r.dev = d.dev AND r.path = ${path}${value})`);
    if (windowEnd !== undefined) where.push(`${key} <= ${v(windowEnd)}`);
  }
  const tail = paged ? ` ORDER BY ${key} LIMIT ${v(Math.max(0, Math.floor(f.limit)) + 1)}` : "";
  return { text: `${select} FROM ${from} WHERE ${where.length > 0 ? where.join(" AND ") : "true"}${tail}`, values };
}

/** Where a windowed scan from `after` ends: the id REPORTED_SCAN_WINDOW devices on (none near the end). */
export const WINDOW_END_PG = `SELECT id FROM devices WHERE id > $1 ORDER BY id LIMIT 1 OFFSET ${REPORTED_SCAN_WINDOW - 1}`;

/** How many devices match (no cursor, no limit); undefined for `reported` (no index to count on). */
export function countPg(f: DeviceFilter): PgSql | undefined {
  if (f.reported !== undefined) return undefined;
  return searchPg(f, undefined, "SELECT count(*) AS n", false);
}
