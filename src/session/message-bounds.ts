/**
 * Bounds on what a CPE message may make the ACS store (issue 10 point 9), pure and linear: fault texts are
 * cut to `maxFaultStringChars` (TR-069 gives FaultString 256 characters; the cut text says so), any other
 * string (values, names, command keys) longer than `maxStoredValueChars` refuses the whole message with a
 * named fault (`value_too_large`, naming the field and, when there is one, the parameter).
 */
export interface MessageBounds {
  readonly maxStoredValueChars: number;
  readonly maxFaultStringChars: number;
}

export type Bounded<T> =
  | { readonly ok: true; readonly message: T; readonly truncated: number }
  | { readonly ok: false; readonly field: string; readonly parameter: string | undefined; readonly length: number };

/** Keys that hold a fault's text: cut, not refused. */
const FAULT_TEXT = new Set(["string", "faultString"]);
const TRUNCATED = " …(truncated)";

type Json = string | number | boolean | null | undefined | readonly Json[] | { readonly [k: string]: Json };

interface Walk {
  truncated: number;
  refused?: { field: string; parameter: string | undefined; length: number };
}

function walk(v: Json, key: string, field: string, inFault: boolean, parameter: string | undefined, b: MessageBounds, w: Walk): Json {
  if (w.refused) return v;
  if (typeof v === "string") {
    if (key === "method") return v; // the decoder's own name of the message
    const faultText = FAULT_TEXT.has(key) || (inFault && key === "message");
    if (faultText && v.length > b.maxFaultStringChars) {
      w.truncated++;
      return v.slice(0, b.maxFaultStringChars) + TRUNCATED;
    }
    if (!faultText && v.length > b.maxStoredValueChars) w.refused = { field, parameter, length: v.length };
    return v;
  }
  if (Array.isArray(v)) {
    let changed = false;
    const out = (v as readonly Json[]).map((x, i) => {
      const y = walk(x, key, `${field}[${i}]`, inFault, parameter, b, w);
      if (y !== x) changed = true;
      return y;
    });
    return changed ? out : v;
  }
  if (typeof v === "object" && v !== null) {
    const obj = v as { readonly [k: string]: Json };
    const name = typeof obj["name"] === "string" ? obj["name"] : parameter;
    let out: { [k: string]: Json } | undefined;
    for (const [k, x] of Object.entries(obj)) {
      const y = walk(x, k, field === "" ? k : `${field}.${k}`, inFault || k === "fault", name, b, w);
      if (y !== x) (out ??= { ...obj })[k] = y;
    }
    return out ?? v;
  }
  return v;
}

/** Applies the bounds to one decoded CPE message (never mutates it). */
export function boundMessage<T extends { readonly method: string }>(message: T, bounds: MessageBounds): Bounded<T> {
  const w: Walk = { truncated: 0 };
  const out = walk(message as unknown as Json, "", "", message.method === "Fault", undefined, bounds, w);
  if (w.refused) return { ok: false, ...w.refused };
  return { ok: true, message: out as unknown as T, truncated: w.truncated };
}
