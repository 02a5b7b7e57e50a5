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
 * told apart, so two inputs that could plan differently never share a key. The diff of a device plan reads the
 * same inputs (desired, reported, quirks).
 */
import type { DesiredState } from "../policy/desired.types.js";
import type { DeviceQuirks, Inventory, ReportedState } from "../reconcile/types.js";

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
 * Everything per device that `plan()` and the diff read (see the header). `desired` is the desired state itself,
 * or a key that determines it (`PlanSettings.desiredKey`, plan/fleet-desired.ts).
 */
export function planInputKey(desired: DesiredState | string, reported: ReportedState, inventory: Inventory, quirks: DeviceQuirks): string {
  const d = typeof desired === "string" ? `K${desired}` : `D${fingerprint(desired)}`;
  return `${d}|${reportedPrint(reported)}|${printOnce(inventory)}|${printOnce(quirks)}`;
}

/** Inventories and quirks are read-only data, most of them shared (the empty inventory, a model's quirks): printed once per object. */
const printed = new WeakMap<object, string>();
function printOnce(o: object): string {
  let s = printed.get(o);
  if (s === undefined) printed.set(o, (s = fingerprint(o)));
  return s;
}

function reportedPrint(r: ReportedState): string {
  let out = `${JSON.stringify(r.parameterKey)}${JSON.stringify(r.softwareVersion)}P{`;
  for (const [path, p] of r.params) out += `${JSON.stringify(path)}:${fingerprint(p)},`;
  return `${out}}O${fingerprint(r.objects)}D${fingerprint(r.discovered)}N${fingerprint(r.names)}${extraKeys(r)}`;
}

const REPORTED_FIELDS: ReadonlySet<string> = new Set(["params", "objects", "discovered", "parameterKey", "softwareVersion", "names"]);

/** A ReportedState with fields beyond the known ones is keyed whole (never silently ignored). */
function extraKeys(r: ReportedState): string {
  const extra = Object.entries(r).filter(([k]) => !REPORTED_FIELDS.has(k));
  return extra.length === 0 ? "" : fingerprint(Object.fromEntries(extra));
}
