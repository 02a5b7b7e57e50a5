/**
 * A device's reported state and inventory as JSON, for `GET /api/devices/:id/state` and `converge plan --api`:
 * Maps become objects keyed by path (or arrays), `undefined` becomes `null`. `fromJson` checks untrusted input
 * (it came over HTTP) and rebuilds what `toJson` was given: `fromJson(toJson(x))` deep-equals `x` except that
 * write-only hashes never leave the server: `toJson` lists only the paths that have one (`writeOnlyPaths`), and
 * `fromJson` marks each `UNVERIFIED` (equal to no hash) until the client asked the server to compare its own
 * values (`POST /api/devices/:id/write-only/compare`, see `plan/api-source.ts`).
 * Session-scoped inventory (`readback`, `bisect`) is not part of it: it never outlives a session.
 */
import type { NotificationLevel } from "../cwmp/types.js";
import { parseDeviceId } from "../domain/device.js";
import { err, ok, type Result } from "../domain/result.js";
import { XSD_TYPES, type XsdType } from "../domain/xsd.js";
import type { Inventory, KnownName, ReportedParam, ReportedState } from "../reconcile/types.js";
import type { FactsRecord, PlanSubject } from "./device-plan.js";

export interface ParamJson {
  readonly value: string;
  readonly type: XsdType;
  readonly writable: boolean | null;
  readonly observedAt: number;
  readonly notification?: NotificationLevel;
}
export interface NameJson {
  readonly writable: boolean | null;
  readonly notification?: NotificationLevel;
}
export interface ReportedJson {
  readonly params: Readonly<Record<string, ParamJson>>;
  readonly names?: Readonly<Record<string, NameJson>>;
  readonly objects: Readonly<Record<string, number>>;
  readonly discovered: Readonly<Record<string, number>>;
  readonly parameterKey: string;
  readonly softwareVersion: string;
}
export interface InventoryJson {
  readonly created: Readonly<Record<string, readonly number[]>>;
  /** Paths that have a stored write-only hash (the hashes themselves stay on the server). */
  readonly writeOnlyPaths: readonly string[];
  readonly backoff: Readonly<Record<string, { readonly until: number; readonly code: number | string; readonly attempts: number }>>;
  readonly download: { readonly commandKey: string; readonly version: string; readonly startedAt: number } | null;
  readonly rebootPending?: boolean;
  readonly appliedKeys?: readonly string[];
}
export interface StateJson {
  readonly reported: ReportedJson;
  readonly inventory: InventoryJson;
}

/** The hash `fromJson` gives a write-only path: equal to no keyed hash ("h1:..."), so the value counts as unknown. */
export const UNVERIFIED = "unverified";

const obj = <V, W>(m: ReadonlyMap<string, V>, f: (v: V) => W): Record<string, W> => Object.fromEntries([...m].map(([k, v]) => [k, f(v)]));
const withNotification = <T extends object>(base: T, n: NotificationLevel | undefined): T & { notification?: NotificationLevel } =>
  n === undefined ? base : { ...base, notification: n };

/** Reported state and inventory as a JSON-serialisable value (see the module comment). */
export function toJson(reported: ReportedState, inventory: Inventory): StateJson {
  const r = reported;
  const param = (p: ReportedParam): ParamJson =>
    withNotification({ value: p.value, type: p.type, writable: p.writable ?? null, observedAt: p.observedAt }, p.notification);
  const name = (n: KnownName): NameJson => withNotification({ writable: n.writable ?? null }, n.notification);
  const i = inventory;
  return {
    reported: {
      params: obj(r.params, param),
      ...(r.names !== undefined ? { names: obj(r.names, name) } : {}),
      objects: obj(r.objects, (t) => t),
      discovered: obj(r.discovered, (t) => t),
      parameterKey: r.parameterKey,
      softwareVersion: r.softwareVersion,
    },
    inventory: {
      created: obj(i.created, (n) => [...n]),
      writeOnlyPaths: [...i.writeOnlyHashes.keys()].sort(),
      backoff: obj(i.backoff, (b) => ({ until: b.until, code: b.code, attempts: b.attempts })),
      download: i.download === undefined ? null : { commandKey: i.download.commandKey, version: i.download.version, startedAt: i.download.startedAt },
      ...(i.rebootPending !== undefined ? { rebootPending: i.rebootPending } : {}),
      ...(i.appliedKeys !== undefined ? { appliedKeys: [...i.appliedKeys] } : {}),
    },
  };
}

/** Thrown inside the decoder only; `fromJson` turns it into an error value naming the offending field. */
class Bad extends Error {}

type Json = unknown;
const fail = (at: string, what: string): never => {
  throw new Bad(`${at}: expected ${what}`);
};
function record(v: Json, at: string): Record<string, Json> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return fail(at, "an object");
  return Object.fromEntries(Object.entries(v));
}
const str = (v: Json, at: string): string => (typeof v === "string" ? v : fail(at, "a string"));
const num = (v: Json, at: string): number => (typeof v === "number" && Number.isFinite(v) ? v : fail(at, "a number"));
const bool = (v: Json, at: string): boolean => (typeof v === "boolean" ? v : fail(at, "a boolean"));
const writable = (v: Json, at: string): boolean | undefined => (v === null ? undefined : bool(v, at));
const xsd = (v: Json, at: string): XsdType => XSD_TYPES.find((t) => t === v) ?? fail(at, "an xsd type");
const array = (v: Json, at: string): readonly Json[] => (Array.isArray(v) ? v : fail(at, "an array"));
function notification(v: Json, at: string): NotificationLevel | undefined {
  if (v === undefined) return undefined;
  const levels: readonly NotificationLevel[] = [0, 1, 2, 3, 4, 5, 6];
  return levels.find((l) => l === v) ?? fail(at, "a notification level 0-6");
}
function map<V>(v: Json, at: string, f: (x: Json, at: string) => V): Map<string, V> {
  return new Map(Object.entries(record(v, at)).map(([k, x]) => [k, f(x, `${at}.${k}`)] as const));
}

function param(v: Json, at: string): ReportedParam {
  const o = record(v, at);
  const base = {
    value: str(o["value"], `${at}.value`),
    type: xsd(o["type"], `${at}.type`),
    writable: writable(o["writable"], `${at}.writable`),
    observedAt: num(o["observedAt"], `${at}.observedAt`),
  };
  return withNotification(base, notification(o["notification"], `${at}.notification`));
}
function knownName(v: Json, at: string): KnownName {
  const o = record(v, at);
  return withNotification({ writable: writable(o["writable"], `${at}.writable`) }, notification(o["notification"], `${at}.notification`));
}

function reportedOf(v: Json): ReportedState {
  const o = record(v, "reported");
  const base: ReportedState = {
    params: map(o["params"], "reported.params", param),
    objects: map(o["objects"], "reported.objects", num),
    discovered: map(o["discovered"], "reported.discovered", num),
    parameterKey: str(o["parameterKey"], "reported.parameterKey"),
    softwareVersion: str(o["softwareVersion"], "reported.softwareVersion"),
  };
  return o["names"] === undefined ? base : { ...base, names: map(o["names"], "reported.names", knownName) };
}

function inventoryOf(v: Json): Inventory {
  const o = record(v, "inventory");
  const backoff = (x: Json, at: string) => {
    const b = record(x, at);
    return {
      until: num(b["until"], `${at}.until`),
      code: typeof b["code"] === "string" ? b["code"] : num(b["code"], `${at}.code`),
      attempts: num(b["attempts"], `${at}.attempts`),
    };
  };
  const d = o["download"] === null ? undefined : record(o["download"], "inventory.download");
  const base: Inventory = {
    created: map(o["created"], "inventory.created", (x, at) => array(x, at).map((n, j) => num(n, `${at}[${j}]`))),
    writeOnlyHashes: new Map(
      array(o["writeOnlyPaths"], "inventory.writeOnlyPaths").map((p, j) => [str(p, `inventory.writeOnlyPaths[${j}]`), UNVERIFIED] as const),
    ),
    backoff: map(o["backoff"], "inventory.backoff", backoff),
    download:
      d === undefined
        ? undefined
        : {
            commandKey: str(d["commandKey"], "download.commandKey"),
            version: str(d["version"], "download.version"),
            startedAt: num(d["startedAt"], "download.startedAt"),
          },
  };
  const keys =
    o["appliedKeys"] === undefined ? undefined : array(o["appliedKeys"], "inventory.appliedKeys").map((k, j) => str(k, `inventory.appliedKeys[${j}]`));
  return {
    ...base,
    ...(o["rebootPending"] !== undefined ? { rebootPending: bool(o["rebootPending"], "inventory.rebootPending") } : {}),
    ...(keys !== undefined ? { appliedKeys: keys } : {}),
  };
}

function factsRecordOf(v: Json): FactsRecord {
  const o = record(v, "device");
  const s = (k: string): string => str(o[k], `device.${k}`);
  const deviceId = parseDeviceId(s("deviceId")) ?? fail("device.deviceId", "a device id");
  const dm = o["dataModel"];
  const dataModel = dm === undefined || dm === null ? undefined : dm === "tr098" || dm === "tr181" ? dm : fail("device.dataModel", "tr098, tr181 or null");
  const tags = array(o["tags"], "device.tags").map((t, j) => str(t, `device.tags[${j}]`));
  // Facts a plan does not read may be absent from older state documents.
  const opt = (k: string): string => (o[k] === undefined ? "" : s(k));
  const facts = { manufacturer: s("manufacturer"), oui: s("oui"), productClass: s("productClass"), serialNumber: s("serialNumber") };
  const reach = {
    ip: opt("ip"),
    connectionRequestUrl: opt("connectionRequestUrl"),
    udpConnectionRequestAddress: opt("udpConnectionRequestAddress"),
    parameterKey: opt("parameterKey"),
  };
  return { deviceId, ...facts, softwareVersion: s("softwareVersion"), hardwareVersion: s("hardwareVersion"), ...reach, dataModel, tags };
}

/** The body of `GET /api/devices/:id/state`, checked: what `planSubject` needs, and `managedCredentials`. */
export function stateResponseFromJson(value: unknown): Result<PlanSubject & { readonly managedCredentials: boolean }, string> {
  try {
    const o = record(value, "state");
    const state = fromJson(value);
    if (!state.ok) return state;
    return ok({ record: factsRecordOf(o["device"]), ...state.value, managedCredentials: bool(o["managedCredentials"], "managedCredentials") });
  } catch (e) {
    if (e instanceof Bad) return err(e.message);
    throw e;
  }
}

/** Reported state and inventory back from `toJson`'s form, or what is wrong with `value` (a field path). */
export function fromJson(value: unknown): Result<{ readonly reported: ReportedState; readonly inventory: Inventory }, string> {
  try {
    const o = record(value, "state");
    return ok({ reported: reportedOf(o["reported"]), inventory: inventoryOf(o["inventory"]) });
  } catch (e) {
    if (e instanceof Bad) return err(e.message);
    throw e;
  }
}

const NOTIFICATION = { type: "integer", minimum: 0, maximum: 6 } as const;
const WRITABLE = { type: ["boolean", "null"] } as const;
const TIMES = { type: "object", additionalProperties: { type: "number" } } as const;

/** JSON Schema of `GET /api/devices/:id/state` (the device record, `StateJson`, and `managedCredentials`). */
export const STATE_RESPONSE_SCHEMA = {
  type: "object",
  required: ["device", "reported", "inventory", "managedCredentials"],
  properties: {
    device: { type: "object", additionalProperties: true, description: "The device record, as GET /api/devices/:id" },
    reported: {
      type: "object",
      required: ["params", "objects", "discovered", "parameterKey", "softwareVersion"],
      properties: {
        params: {
          type: "object",
          additionalProperties: {
            type: "object",
            required: ["value", "type", "writable", "observedAt"],
            properties: {
              value: { type: "string" },
              type: { type: "string", enum: [...XSD_TYPES] },
              writable: WRITABLE,
              observedAt: { type: "number" },
              notification: NOTIFICATION,
            },
          },
        },
        names: {
          type: "object",
          additionalProperties: { type: "object", required: ["writable"], properties: { writable: WRITABLE, notification: NOTIFICATION } },
        },
        objects: TIMES,
        discovered: TIMES,
        parameterKey: { type: "string" },
        softwareVersion: { type: "string" },
      },
    },
    inventory: {
      type: "object",
      required: ["created", "writeOnlyPaths", "backoff", "download"],
      properties: {
        created: { type: "object", additionalProperties: { type: "array", items: { type: "integer" } } },
        writeOnlyPaths: {
          type: "array",
          items: { type: "string" },
          description:
            "Paths of write-only values Converge set (a keyed hash is kept server-side, never returned): compare yours with POST /api/devices/{id}/write-only/compare",
        },
        backoff: {
          type: "object",
          additionalProperties: {
            type: "object",
            required: ["until", "code", "attempts"],
            properties: { until: { type: "number" }, code: { type: ["integer", "string"] }, attempts: { type: "integer" } },
          },
        },
        download: {
          anyOf: [
            { type: "null" },
            {
              type: "object",
              required: ["commandKey", "version", "startedAt"],
              properties: { commandKey: { type: "string" }, version: { type: "string" }, startedAt: { type: "number" } },
            },
          ],
        },
        rebootPending: { type: "boolean" },
        appliedKeys: { type: "array", items: { type: "string" } },
      },
    },
    managedCredentials: { type: "boolean", description: "Converge keeps generated connection-request credentials for this device (never shown)" },
  },
} as const;
