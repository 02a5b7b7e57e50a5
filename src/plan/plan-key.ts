/**
 * The grouping key of `converge plan` over a fleet (issue 16): two devices whose keys are equal get the same plan,
 * so a plan is computed once per key and stamped per device (projected-plans.ts). Pure.
 *
 * `plan()` (reconcile/) reads only its input: the desired state, the reported state, the inventory, the quirks,
 * and `now`, the limits and the installation's hasher, which one fleet run shares. The device's identity is not
 * among them. So the key is an exact, injective serialisation of the per-device part of that input: the desired
 * state as resolved for this device (per-device template values such as `${device.serialNumber | last(4)}`,
 * per-device variables and secrets are in it, so devices only share a key when their resolved values are equal),
 * the projected reported state (every value, type, writability, notification and observation time, the objects,
 * the discovered paths, the names, the reported ParameterKey and SoftwareVersion), the inventory and the quirks.
 * Nothing is dropped, rounded or sorted: insertion order, `undefined` against a missing key, Maps and Sets are all
 * told apart, so two inputs that could plan differently never share a key; a reported value's five known fields
 * alone are printed by position (value, type, writability, observation time, notification: the planner reads them
 * by name, so their order and an absent notification against an undefined one do not matter). Paths, inventories
 * and quirks are given by tokens of the walk (`KeyTokens`: one number per distinct string, shorter keys to hash).
 * The diff of a device plan reads the same inputs (desired, reported, quirks).
 */
import type { DesiredState } from "../policy/desired.types.js";
import type { DeviceQuirks, Inventory, ReportedParam, ReportedState } from "../reconcile/types.js";

/** An injective serialisation of plain data: primitives, arrays, plain objects, Maps, Sets. */
export function fingerprint(value: unknown): string {
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "number":
      return Number.isFinite(value) ? String(value) : `#${String(value)}`;
    case "boolean":
      return value ? "T" : "F";
    case "undefined":
      return "U";
    case "object":
      return value === null ? "N" : objectPrint(value);
    default:
      throw new Error(`plan key: cannot key a ${typeof value}`);
  }
}

function objectPrint(o: object): string {
  if (Array.isArray(o)) return `[${o.map(fingerprint).join(",")}]`;
  let out: string;
  if (o instanceof Map) {
    out = "M{";
    for (const [k, v] of o as Map<unknown, unknown>) out += `${fingerprint(k)}:${fingerprint(v)},`;
  } else if (o instanceof Set) {
    out = "S{";
    for (const v of o as Set<unknown>) out += `${fingerprint(v)},`;
  } else {
    const proto: unknown = Object.getPrototypeOf(o);
    if (proto !== Object.prototype && proto !== null) throw new Error("plan key: cannot key a class instance");
    out = "{";
    for (const k in o) out += `${JSON.stringify(k)}:${fingerprint((o as Record<string, unknown>)[k])},`;
  }
  return `${out}}`;
}

/**
 * Short stand-ins for what recurs in the keys of one walk (paths, printed inventories and quirks): each distinct
 * string gets the next number, so equal strings get equal tokens and different strings different tokens. Past
 * `limit` distinct strings (bounded memory), a string is spelled out (`=` and its JSON), never taken for a token
 * (`#`). Both forms are prefix-free, as every part of a key is.
 */
export class KeyTokens {
  readonly #ids = new Map<string, string>();
  readonly #printed = new WeakMap<object, string>();
  constructor(readonly limit = 100_000) {}

  of(s: string): string {
    const t = this.#ids.get(s);
    if (t !== undefined) return t;
    if (this.#ids.size >= this.limit) return `=${JSON.stringify(s)}`;
    const n = `#${this.#ids.size},`;
    this.#ids.set(s, n);
    return n;
  }

  /** An object's token; read-only data (inventories, quirks), most of them shared by many devices: printed once per object. */
  ofObject(o: object): string {
    let p = this.#printed.get(o);
    if (p === undefined) this.#printed.set(o, (p = fingerprint(o)));
    return this.of(p);
  }
}

/**
 * Everything per device that `plan()` and the diff read (see the header). `desired` is the desired state itself,
 * or a key that determines it (`PlanSettings.desiredKey`, plan/fleet-desired.ts). Paths, the inventory and the quirks
 * are given by their tokens of the walk (`tokens`): keys of one walk compare, keys of two walks do not.
 */
export function planInputKey(desired: DesiredState | string, reported: ReportedState, inventory: Inventory, quirks: DeviceQuirks, tokens: KeyTokens): string {
  const d = typeof desired === "string" ? `K${desired}` : `D${fingerprint(desired)}`;
  return `${d}|${reportedPrint(reported, tokens)}|${tokens.ofObject(inventory)}${tokens.ofObject(quirks)}`;
}

function reportedPrint(r: ReportedState, tokens: KeyTokens): string {
  let out = `${JSON.stringify(r.parameterKey)}${JSON.stringify(r.softwareVersion)}P{`;
  for (const [path, p] of r.params) out += `${tokens.of(path)}${paramPrint(p)}`;
  return `${out}}O${fingerprint(r.objects)}D${fingerprint(r.discovered)}N${fingerprint(r.names)}${extraKeys(r)}`;
}

/** A reported value by its fields, in a fixed order (a value with fields beyond these is printed whole). */
function paramPrint(p: ReportedParam): string {
  for (const k in p) if (!PARAM_FIELDS.has(k)) return `G${fingerprint(p)}`;
  return `(${fingerprint(p.value)},${fingerprint(p.type)},${fingerprint(p.writable)},${fingerprint(p.observedAt)},${fingerprint(p.notification)})`;
}

const PARAM_FIELDS: ReadonlySet<string> = new Set(["value", "type", "writable", "observedAt", "notification"]);
const REPORTED_FIELDS: ReadonlySet<string> = new Set(["params", "objects", "discovered", "parameterKey", "softwareVersion", "names"]);

/** A ReportedState with fields beyond the known ones is keyed whole (never silently ignored). */
function extraKeys(r: ReportedState): string {
  for (const k in r)
    if (!REPORTED_FIELDS.has(k)) {
      const extra = Object.entries(r).filter(([f]) => !REPORTED_FIELDS.has(f));
      return fingerprint(Object.fromEntries(extra));
    }
  return "";
}
