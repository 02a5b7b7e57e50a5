import type { DeviceId } from "../domain/device.js";
import type { EventStruct } from "../cwmp/types.js";
import type BetterSqlite3 from "better-sqlite3";
import type { Database } from "./db.js";
import { countSql, searchSql, WINDOW_END_SQL, type SearchParams } from "./device-search.js";
import { fromJson, fromJsonOr } from "./json.js";
import { STATUS_COLUMNS, statusColumns, updateStatusSql, type StatusColumns } from "./status.js";
import type { DeviceFilter, DeviceRecord } from "../domain/store.js";
import type { DeviceFacts, InformEvent } from "../domain/facts.js";
import type { DeviceStatus } from "../domain/status.js";

export interface DevicesRepo {
  /** The device's row number (the key every per-device table uses), if the device is known. */
  find(id: DeviceId): number | undefined;
  /** Inserts or updates the device's Inform facts; returns its row number and whether it is new. */
  upsertFacts(facts: DeviceFacts, events: readonly InformEvent[], now: number, booted: boolean): { readonly dev: number; readonly isNew: boolean };
  get(id: DeviceId): DeviceRecord | undefined;
  /** The two ReportedState fields that live on the device row. */
  reportedHeader(id: DeviceId): { readonly dev: number; readonly parameterKey: string; readonly softwareVersion: string } | undefined;
  list(filter: DeviceFilter): { readonly devices: readonly DeviceRecord[]; readonly next: string | undefined };
  /** How many devices match (no cursor); undefined for filters with no index to count on (`reported`). */
  countMatching(filter: DeviceFilter): number | undefined;
  count(): number;
  /** Devices per condition for metrics; converged + not_converged + unknown = all devices. */
  countByCondition(): Readonly<Record<string, number>>;
  /** Devices per policy that matched at each device's last session (from the stored status). */
  countByPolicy(): Readonly<Record<string, number>>;
  /** Up to `limit` device ids after `after` (keyset page), in id order. */
  idsAfter(after: string, limit: number): readonly DeviceId[];
  setParameterKey(dev: number, value: string): void;
  /** A visit that changed nothing but the time and the events (the converged fast path). */
  touch(dev: number, now: number, events: readonly EventStruct[]): void;
  setStatus(dev: number, status: DeviceStatus): void;
  setTags(dev: number, id: DeviceId, add: readonly string[], remove: readonly string[]): void;
}

export interface DeviceRow {
  readonly dev: number;
  readonly id: string;
  readonly manufacturer: string;
  readonly oui: string;
  readonly product_class: string;
  readonly serial: string;
  readonly software_version: string;
  readonly hardware_version: string;
  readonly ip: string;
  readonly cr_url: string;
  readonly udp_cr_addr: string;
  readonly parameter_key: string;
  readonly data_model: "tr098" | "tr181" | null;
  readonly first_seen: number;
  readonly last_inform: number;
  readonly last_boot: number | null;
  readonly last_events: string;
  readonly tags: string;
  readonly status: string | null;
  readonly applied_revision: string | null;
  readonly attempted_revision: string | null;
}

/** What an Inform writes: the row's fact columns, plus the visit's time. */
type FactsParams = Pick<
  DeviceRow,
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
  | "last_boot"
  | "last_events"
> & { readonly now: number };

/** The facts an Inform reports that a changed device updates (see UPDATE_FACTS). */
export const CHANGED_FACTS = [
  "manufacturer",
  "oui",
  "product_class",
  "serial",
  "software_version",
  "hardware_version",
  "ip",
  "cr_url",
  "udp_cr_addr",
  "parameter_key",
] as const;
const FACT_COLUMNS = [...CHANGED_FACTS, "last_events"] as const;

const INSERT_DEVICE = `
INSERT INTO devices (id, ${FACT_COLUMNS.join(", ")}, data_model, first_seen, last_inform, last_boot)
VALUES (@id, ${FACT_COLUMNS.map((c) => `@${c}`).join(", ")}, @data_model, @now, @now, @last_boot)`;

// Split from the facts so a routine Inform touches no indexed column: SQLite rewrites the index entries of every
// column an UPDATE sets, changed or not, and each dirty page is a WAL frame.
const UPDATE_SEEN = `UPDATE devices SET last_inform = @now, last_events = @last_events,
  last_boot = COALESCE(@last_boot, last_boot) WHERE dev = @dev`;

const UPDATE_FACTS = `UPDATE devices SET ${CHANGED_FACTS.map((c) => `${c} = @${c}`).join(", ")},
  data_model = COALESCE(@data_model, data_model)
  WHERE dev = @dev AND (${CHANGED_FACTS.map((c) => `${c} IS NOT @${c}`).join(" OR ")} OR data_model IS NOT COALESCE(@data_model, data_model))`;

export function devicesRepo(db: Database): DevicesRepo {
  const s = statements(db);
  // One prepared statement per combination of filters present (a small, closed set of SQL texts).
  const lists = new Map<string, BetterSqlite3.Statement<SearchParams, DeviceRow>>();
  // One UPDATE per set of changed status columns (at most 2^8 texts, in practice a handful).
  const statusUpdates = new Map<number, BetterSqlite3.Statement<[Record<string, unknown>]>>();
  const prepared = (sql: string): BetterSqlite3.Statement<SearchParams, DeviceRow> => {
    let stmt = lists.get(sql);
    if (stmt === undefined) lists.set(sql, (stmt = db.prepare<SearchParams, DeviceRow>(sql)));
    return stmt;
  };
  return {
    find: (id) => s.find.get(id),
    upsertFacts(facts, events, now, booted) {
      const params = factsParams(facts, events, now, booted);
      const known = s.find.get(facts.deviceId);
      if (known === undefined) return { dev: Number(s.insert.run(params).lastInsertRowid), isNew: true };
      // Object.assign: a spread followed by a key it lacks costs V8 ~1 µs (Node 20), at every Inform.
      const withDev = Object.assign({}, params, { dev: known });
      s.updateSeen.run(withDev);
      s.updateFacts.run(withDev);
      return { dev: known, isNew: false };
    },
    touch: (dev, now, events) => void s.touch.run({ dev, now, last_events: JSON.stringify(events) }),
    get(id) {
      const row = s.get.get(id);
      return row === undefined ? undefined : toRecord(row);
    },
    reportedHeader(id) {
      const r = s.header.get(id);
      return r === undefined ? undefined : { dev: r.dev, parameterKey: r.parameter_key, softwareVersion: r.software_version };
    },
    list(filter) {
      const windowEnd = filter.reported !== undefined ? (s.windowEnd.get(filter.after ?? "") ?? undefined) : undefined;
      const q = searchSql(filter, windowEnd);
      const rows = prepared(q.sql).all(q.params);
      const page = rows.slice(0, filter.limit);
      const last = page.at(-1);
      const next = rows.length > filter.limit && last !== undefined ? last.id : windowEnd;
      return { devices: page.map(toRecord), next };
    },
    countMatching(filter) {
      const q = countSql(filter);
      if (q === undefined) return undefined;
      return (prepared(q.sql).pluck().get(q.params) as number | undefined) ?? 0;
    },
    count: () => s.count.get() ?? 0,
    countByPolicy: () => Object.fromEntries(s.byPolicy.all().map((r) => [r.policy, r.n])),
    countByCondition() {
      const counts = Object.fromEntries(Object.entries(s.byCondition).map(([k, stmt]) => [k, stmt.get() ?? 0]));
      // The condition indexes hold devices with a status only (migration 8): the rest is what has none.
      return { ...counts, unknown: (s.count.get() ?? 0) - (counts["converged"] ?? 0) - (counts["not_converged"] ?? 0) };
    },
    idsAfter: (after, limit) => s.idsAfter.all(after, limit).map(asDeviceId),
    setParameterKey: (dev, value) => void s.setParameterKey.run(value, dev),
    setStatus(dev, status) {
      // An unchanged status writes nothing; a changed one sets only the columns that changed (each set indexed
      // column dirties its index pages) and re-mirrors its matched policies only when they changed.
      const before = s.statusRow.get(dev);
      const cols = statusColumns(status);
      if (before === undefined || before.status === cols.status) return;
      // The changed columns as a bit set (one prepared UPDATE per set), their values bound directly.
      const params: Record<string, unknown> = { dev };
      let changed = 0;
      STATUS_COLUMNS.forEach((c, i) => {
        if (before[c] === cols[c]) return;
        changed |= 1 << i;
        params[c] = cols[c];
      });
      let update = statusUpdates.get(changed);
      if (update === undefined) statusUpdates.set(changed, (update = db.prepare(updateStatusSql(STATUS_COLUMNS.filter((_, i) => (changed & (1 << i)) !== 0)))));
      update.run(params);
      if (before.status !== null && holdsPolicies(before.status, status.matchedPolicies)) return;
      const policies = [...new Set(status.matchedPolicies)];
      const previous = before.status === null ? undefined : fromJsonOr<{ matchedPolicies?: string[] }>(before.status, {}).matchedPolicies;
      if (previous !== undefined && samePolicies(previous, policies)) return;
      s.clearPolicies.run(before.id);
      for (const p of policies) s.insertPolicy.run(p, before.id);
    },
    setTags(dev, id, add, remove) {
      const row = s.tags.get(dev);
      if (row === undefined) throw new Error(`unknown device ${id}`);
      const tags = new Set(fromJson<string[]>(row));
      for (const t of remove) if (tags.delete(t)) s.deleteTag.run(t, id);
      for (const t of add) {
        if (tags.has(t)) continue;
        tags.add(t);
        s.insertTag.run(t, id);
      }
      s.setTags.run(JSON.stringify([...tags].sort()), dev);
    },
  };
}

function statements(db: Database) {
  return {
    find: db.prepare<[string], number>("SELECT dev FROM devices WHERE id = ?").pluck(),
    // A covering walk of device_policies' key (the mirror of each status' matchedPolicies), not of the device rows.
    byPolicy: db.prepare<[], { policy: string; n: number }>("SELECT policy, count(*) AS n FROM device_policies GROUP BY policy"),
    insert: db.prepare<FactsParams>(INSERT_DEVICE),
    touch: db.prepare<{ dev: number; now: number; last_events: string }>("UPDATE devices SET last_inform = @now, last_events = @last_events WHERE dev = @dev"),
    updateSeen: db.prepare<{ dev: number; now: number; last_events: string; last_boot: number | null }>(UPDATE_SEEN),
    updateFacts: db.prepare<FactsParams & { dev: number }>(UPDATE_FACTS),
    get: db.prepare<[string], DeviceRow>("SELECT * FROM devices WHERE id = ?"),
    header: db.prepare<[string], { dev: number; parameter_key: string; software_version: string }>(
      "SELECT dev, parameter_key, software_version FROM devices WHERE id = ?",
    ),
    count: db.prepare<[], number>("SELECT count(*) FROM devices").pluck(),
    // Each count is a covering scan of one (partial) condition index, not of the device rows; unknown is derived.
    byCondition: {
      converged: countWhere(db, "c_converged = 1"),
      not_converged: countWhere(db, "c_converged = 0"),
      drifted: countWhere(db, "c_drifted = 1"),
      faulted: countWhere(db, "c_faulted = 1"),
      pending: countWhere(db, "c_pending = 1"),
    },
    idsAfter: db.prepare<[string, number], string>("SELECT id FROM devices WHERE id > ? ORDER BY id LIMIT ?").pluck(),
    setParameterKey: db.prepare<[string, number]>("UPDATE devices SET parameter_key = ? WHERE dev = ?"),
    statusRow: db.prepare<[number], StatusColumns & { readonly id: string; readonly status: string | null }>(
      `SELECT id, ${STATUS_COLUMNS.join(", ")} FROM devices WHERE dev = ?`,
    ),
    tags: db.prepare<[number], string>("SELECT tags FROM devices WHERE dev = ?").pluck(),
    idOf: db.prepare<[number], string>("SELECT id FROM devices WHERE dev = ?").pluck(),
    clearPolicies: db.prepare<[string]>("DELETE FROM device_policies WHERE id = ?"),
    insertPolicy: db.prepare<[string, string]>("INSERT OR IGNORE INTO device_policies (policy, id) VALUES (?, ?)"),
    windowEnd: db.prepare<[string], string>(WINDOW_END_SQL).pluck(),
    setTags: db.prepare<[string, number]>("UPDATE devices SET tags = ? WHERE dev = ?"),
    insertTag: db.prepare<[string, string]>("INSERT OR IGNORE INTO device_tags (tag, id) VALUES (?, ?)"),
    deleteTag: db.prepare<[string, string]>("DELETE FROM device_tags WHERE tag = ? AND id = ?"),
  };
}

/**
 * Whether a stored status JSON (written by `statusColumns`) has exactly these matched policies, without parsing it:
 * its top-level `"matchedPolicies":[...]` member, serialised the same way (a quote inside a JSON string is escaped,
 * so the member's text cannot occur inside a value, and no nested object has that key). False means "parse to know".
 */
function holdsPolicies(statusJson: string, policies: readonly string[]): boolean {
  const member = `"matchedPolicies":${JSON.stringify(policies)}`;
  const at = statusJson.indexOf(member);
  if (at < 0) return false;
  const next = statusJson[at + member.length];
  return next === "," || next === "}";
}

/** The same set of policies (the mirror holds each once; order does not matter). */
function samePolicies(a: readonly string[], b: readonly string[]): boolean {
  const x = new Set(a);
  return x.size === b.length && b.every((p) => x.has(p));
}

function countWhere(db: Database, where: string) {
  return db.prepare<[], number>(`SELECT count(*) FROM devices WHERE ${where}`).pluck();
}

export function factsParams(f: DeviceFacts, events: readonly InformEvent[], now: number, booted: boolean): FactsParams {
  return {
    id: f.deviceId,
    manufacturer: f.manufacturer,
    oui: f.oui,
    product_class: f.productClass,
    serial: f.serialNumber,
    software_version: f.softwareVersion,
    hardware_version: f.hardwareVersion,
    ip: f.ip,
    cr_url: f.connectionRequestUrl,
    udp_cr_addr: f.udpConnectionRequestAddress,
    parameter_key: f.parameterKey,
    data_model: f.dataModel ?? null,
    now,
    last_boot: booted ? now : null,
    last_events: JSON.stringify(events),
  };
}

// Ids are only ever written from DeviceId values, so reading one back re-brands it.
const asDeviceId = (id: string): DeviceId => id as DeviceId;

/** A device row (SQLite or PostgreSQL: the same columns) as the port's record. */
export function toRecord(r: DeviceRow): DeviceRecord {
  return {
    deviceId: asDeviceId(r.id),
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
    firstSeen: r.first_seen,
    lastInform: r.last_inform,
    lastBoot: r.last_boot ?? undefined,
    lastEvents: fromJson<EventStruct[]>(r.last_events),
    tags: fromJson<string[]>(r.tags),
    status: r.status === null ? undefined : toStatus(r),
  };
}

/** Rebuilds the status with every field present (JSON drops `undefined` revisions). */
function toStatus(r: DeviceRow): DeviceStatus {
  const s = fromJsonOr<DeviceStatus>(r.status, {
    conditions: [],
    matchedPolicies: [],
    appliedRevision: undefined,
    attemptedRevision: undefined,
    lastTransition: 0,
  });
  return {
    conditions: s.conditions,
    matchedPolicies: s.matchedPolicies,
    appliedRevision: r.applied_revision ?? undefined,
    attemptedRevision: r.attempted_revision ?? undefined,
    lastTransition: s.lastTransition,
  };
}
