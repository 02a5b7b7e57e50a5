/**
 * Reading a device back from PostgreSQL in ONE statement: every part (row, reported values, objects, inventory,
 * pending tasks, secrets) is a JSON sub-select of the same query, so the read is one round trip and one
 * snapshot (a statement sees one snapshot), what a full-path session starts from.
 */
import type { DeviceId } from "../../domain/device.js";
import type { DeviceLoad, TaskRecord } from "../../domain/store.js";
import type { Inventory, ReportedState } from "../../reconcile/types.js";
import { toRecord, type DeviceRow } from "../devices.js";
import {
  EMPTY_INVENTORY,
  toInventory,
  withIntents,
  withMemory,
  type BackoffRow,
  type CreatedRow,
  type DownloadRow,
  type IntentRow,
  type MemoryRow,
} from "../inventory.js";
import { toRecord as taskRecord, type TaskRow } from "../tasks.js";
import type { Queryable } from "./pool.js";
import { emptyReported, toReportedState, type ParamTuple, type PathAtTuple } from "./reported.js";

const PARTS = {
  reported: `(SELECT json_agg(json_build_array(r.path, r.value, r.type, r.writable::int, r.notification, r.observed_at)) FROM reported r WHERE r.dev = d.dev)`,
  objects: `(SELECT json_agg(json_build_array(o.path, o.observed_at)) FROM objects o WHERE o.dev = d.dev)`,
  discovered: `(SELECT json_agg(json_build_array(x.path, x.observed_at)) FROM discovered x WHERE x.dev = d.dev)`,
  created: `(SELECT json_agg(json_build_object('table_path', c.table_path, 'instance', c.instance, 'key_json', c.key_json) ORDER BY c.table_path, c.instance)
    FROM created c WHERE c.dev = d.dev)`,
  hashes: `(SELECT json_agg(json_build_object('path', w.path, 'hash', w.hash)) FROM write_only w WHERE w.dev = d.dev)`,
  backoff: `(SELECT json_agg(json_build_object('path', b.path, 'until', b.until, 'code', b.code, 'attempts', b.attempts)) FROM backoff b WHERE b.dev = d.dev)`,
  download: `(SELECT json_build_object('command_key', l.command_key, 'version', l.version, 'started_at', l.started_at, 'completed_at', l.completed_at,
    'informs_since', l.informs_since) FROM downloads l WHERE l.dev = d.dev)`,
  memory: `(SELECT json_build_object('reboot_pending', m.reboot_pending::int, 'applied_keys', m.applied_keys, 'parameter_key_kept', m.parameter_key_kept::int)
    FROM device_memory m WHERE m.dev = d.dev)`,
  intents: `(SELECT json_agg(json_build_object('selector', i.selector, 'table_path', i.table_path, 'key_json', i.key_json, 'before_json', i.before_json, 'at', i.at)
    ORDER BY i.at, i.selector) FROM add_intents i WHERE i.dev = d.dev)`,
  tasks: `(SELECT json_agg(json_build_object('id', t.id, 'request', t.request, 'state', t.state, 'created_at', t.created_at, 'done_at', t.done_at,
    'outcome', t.outcome, 'queued_by', t.queued_by) ORDER BY t.id) FROM tasks t WHERE t.dev = d.dev AND t.state = 'pending')`,
} as const;

type Part = keyof typeof PARTS;
const REPORTED_PARTS: readonly Part[] = ["reported", "objects", "discovered"];
const INVENTORY_PARTS: readonly Part[] = ["created", "hashes", "backoff", "download", "memory", "intents"];

function loadSql(parts: readonly Part[], secrets: boolean): string {
  // The device's row with its last visit (device_visits, PG migration 60); NULL for a device never seen.
  const device = `CASE WHEN d.dev IS NULL THEN NULL ELSE to_jsonb(d) || jsonb_build_object('last_inform', v.last_inform, 'last_events', v.last_events) END`;
  const cols = [`${device} AS device`, ...parts.map((p) => `${PARTS[p]} AS ${p}`)];
  if (secrets) cols.push(`(SELECT json_agg(json_build_array(s.name, s.value)) FROM secrets s WHERE s.device_id = k.id) AS secrets`);
  return `SELECT ${cols.join(",\n  ")} FROM (SELECT $1::text AS id) k LEFT JOIN devices d ON d.id = k.id LEFT JOIN device_visits v ON v.dev = d.dev`;
}

const ALL_SQL = loadSql([...REPORTED_PARTS, ...INVENTORY_PARTS, "tasks"], true);
const REPORTED_SQL = loadSql(REPORTED_PARTS, false);
const INVENTORY_SQL = loadSql(INVENTORY_PARTS, false);

interface LoadRow {
  readonly device: (DeviceRow & { readonly dev: number }) | null;
  readonly reported?: ParamTuple[] | null;
  readonly objects?: PathAtTuple[] | null;
  readonly discovered?: PathAtTuple[] | null;
  readonly created?: CreatedRow[] | null;
  readonly hashes?: { path: string; hash: string }[] | null;
  readonly backoff?: BackoffRow[] | null;
  readonly download?: DownloadRow | null;
  readonly memory?: MemoryRow | null;
  readonly intents?: IntentRow[] | null;
  readonly tasks?: TaskRow[] | null;
  readonly secrets?: [string, string][] | null;
}

async function loadRow(q: Queryable, sql: string, id: DeviceId): Promise<LoadRow> {
  const row = (await q.query<LoadRow>(sql, [id])).rows[0];
  if (row === undefined) throw new Error("device load returned no row");
  return row;
}

function reportedOf(r: LoadRow): ReportedState {
  if (r.device === null) return emptyReported();
  return toReportedState(r.reported ?? [], r.objects ?? [], r.discovered ?? [], r.device.parameter_key, r.device.software_version);
}

function inventoryOf(r: LoadRow): Inventory {
  if (r.device === null) return EMPTY_INVENTORY;
  const base = toInventory(r.created ?? [], r.hashes ?? [], r.backoff ?? [], r.download ?? undefined);
  return withIntents(withMemory(base, r.memory ?? undefined), r.intents ?? []);
}

export async function loadDevice(q: Queryable, id: DeviceId): Promise<DeviceLoad> {
  const r = await loadRow(q, ALL_SQL, id);
  const secrets = new Map(r.secrets ?? []);
  if (r.device === null) return { record: undefined, reported: emptyReported(), inventory: EMPTY_INVENTORY, tasks: [], secrets };
  const tasks: TaskRecord[] = (r.tasks ?? []).map((t) => taskRecord(t, id));
  return { record: toRecord(r.device), reported: reportedOf(r), inventory: inventoryOf(r), tasks, secrets };
}

export async function loadReported(q: Queryable, id: DeviceId): Promise<ReportedState> {
  return reportedOf(await loadRow(q, REPORTED_SQL, id));
}

export async function loadInventory(q: Queryable, id: DeviceId): Promise<Inventory> {
  return inventoryOf(await loadRow(q, INVENTORY_SQL, id));
}
