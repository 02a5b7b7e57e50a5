/** What a device reported, in PostgreSQL (same semantics as src/store/reported.ts; paths stored as text). */
import type { NotificationLevel } from "../../cwmp/types.js";
import { XSD_TYPES, type XsdType } from "../../domain/xsd.js";
import type { KnownName, ReportedParam, ReportedState } from "../../reconcile/types.js";
import type { Queryable } from "./pool.js";

const TYPE_CODE = new Map<XsdType, number>(XSD_TYPES.map((t, i) => [t, i]));

function typeCode(t: XsdType): number {
  const code = TYPE_CODE.get(t);
  if (code === undefined) throw new Error(`unknown xsd type ${t}`);
  return code;
}

/** One row per path, the last given winning (one INSERT ... ON CONFLICT may not touch a row twice). */
function lastByPath<T extends { readonly path: string }>(params: readonly T[]): T[] {
  return [...new Map(params.map((p) => [p.path, p] as const)).values()];
}

export async function upsertValues(
  q: Queryable,
  dev: number,
  params: readonly { readonly path: string; readonly value: string; readonly type: XsdType }[],
  observedAt: number,
): Promise<void> {
  const ps = lastByPath(params);
  if (ps.length === 0) return;
  await q.query(
    `INSERT INTO reported (dev, path, value, type, observed_at) SELECT $1, u.p, u.v, u.t, $5 FROM unnest($2::text[], $3::text[], $4::smallint[]) AS u (p, v, t)
     ON CONFLICT (dev, path) DO UPDATE SET value = excluded.value, type = excluded.type, observed_at = excluded.observed_at`,
    [dev, ps.map((p) => p.path), ps.map((p) => p.value), ps.map((p) => typeCode(p.type)), observedAt],
  );
}

export async function upsertNames(
  q: Queryable,
  dev: number,
  params: readonly { readonly path: string; readonly writable: boolean }[],
  observedAt: number,
): Promise<void> {
  const ps = lastByPath(params);
  const objects = ps.filter((p) => p.path.endsWith(".")).map((p) => p.path);
  const names = ps.filter((p) => !p.path.endsWith("."));
  if (objects.length > 0) await upsertAt(q, "objects", dev, objects, observedAt);
  if (names.length === 0) return;
  await q.query(
    `INSERT INTO reported (dev, path, writable) SELECT $1, u.p, u.w FROM unnest($2::text[], $3::boolean[]) AS u (p, w)
     ON CONFLICT (dev, path) DO UPDATE SET writable = excluded.writable WHERE reported.writable IS DISTINCT FROM excluded.writable`,
    [dev, names.map((p) => p.path), names.map((p) => p.writable)],
  );
}

export async function setNotifications(
  q: Queryable,
  dev: number,
  params: readonly { readonly path: string; readonly notification: NotificationLevel }[],
): Promise<void> {
  const ps = lastByPath(params);
  if (ps.length === 0) return;
  await q.query(
    `INSERT INTO reported (dev, path, notification) SELECT $1, u.p, u.n FROM unnest($2::text[], $3::smallint[]) AS u (p, n)
     ON CONFLICT (dev, path) DO UPDATE SET notification = excluded.notification WHERE reported.notification IS DISTINCT FROM excluded.notification`,
    [dev, ps.map((p) => p.path), ps.map((p) => p.notification)],
  );
}

/** Upserts `paths` into objects or discovered with this observation time. */
export async function upsertAt(q: Queryable, table: "objects" | "discovered", dev: number, paths: readonly string[], observedAt: number): Promise<void> {
  await q.query(
    `INSERT INTO ${table} (dev, path, observed_at) SELECT $1, p, $3 FROM unnest($2::text[]) AS p
     ON CONFLICT (dev, path) DO UPDATE SET observed_at = excluded.observed_at`,
    [dev, [...new Set(paths)], observedAt],
  );
}

const REPORTED_TABLES = ["reported", "objects", "discovered"] as const;

/** Forgets `prefix` (ending ".") and everything reported, known or discovered beneath it. */
export async function forgetUnder(q: Queryable, dev: number, prefix: string): Promise<void> {
  for (const t of REPORTED_TABLES) await q.query(`DELETE FROM ${t} WHERE dev = $1 AND starts_with(path, $2)`, [dev, prefix]);
}

export async function forgetParam(q: Queryable, dev: number, path: string): Promise<void> {
  await q.query("DELETE FROM reported WHERE dev = $1 AND path = $2", [dev, path]);
}

export async function forgetAll(q: Queryable, dev: number): Promise<void> {
  for (const t of REPORTED_TABLES) await q.query(`DELETE FROM ${t} WHERE dev = $1`, [dev]);
}

/** Every parameter, name or object path known beneath `prefix` ("" = all). */
export async function knownUnder(q: Queryable, dev: number, prefix: string): Promise<readonly string[]> {
  const r = await q.query<{ path: string }>(
    `SELECT path FROM reported WHERE dev = $1 AND starts_with(path, $2) UNION SELECT path FROM objects WHERE dev = $1 AND starts_with(path, $2)`,
    [dev, prefix],
  );
  return r.rows.map((x) => x.path);
}

/** path, value, type code, writable (0/1), notification, observed_at: as the load query's JSON arrays hold them. */
export type ParamTuple = readonly [string, string | null, number | null, number | null, number | null, number | null];
export type PathAtTuple = readonly [string, number];

export function toReportedState(
  rows: readonly ParamTuple[],
  objectRows: readonly PathAtTuple[],
  discoveredRows: readonly PathAtTuple[],
  parameterKey: string,
  softwareVersion: string,
): ReportedState {
  const params = new Map<string, ReportedParam>();
  const names = new Map<string, KnownName>();
  for (const [path, value, code, writableFlag, notificationLevel, observedAt] of rows) {
    const writable = writableFlag === null ? undefined : writableFlag === 1;
    const notification = notificationLevel === null ? undefined : toNotification(notificationLevel);
    if (value === null || observedAt === null) {
      names.set(path, notification === undefined ? { writable } : { writable, notification });
      continue;
    }
    const type = XSD_TYPES[code ?? 0] ?? "xsd:string";
    params.set(path, notification === undefined ? { value, type, writable, observedAt } : { value, type, writable, observedAt, notification });
  }
  return {
    params,
    objects: new Map(objectRows.map(([p, at]) => [p, at] as const)),
    discovered: new Map(discoveredRows.map(([p, at]) => [p, at] as const)),
    parameterKey,
    softwareVersion,
    names,
  };
}

function toNotification(n: number): NotificationLevel {
  if (n === 0 || n === 1 || n === 2 || n === 3 || n === 4 || n === 5 || n === 6) return n;
  throw new Error(`stored notification level out of range: ${n}`);
}

export function emptyReported(): ReportedState {
  return { params: new Map(), objects: new Map(), discovered: new Map(), parameterKey: "", softwareVersion: "", names: new Map() };
}
