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
  /** Keys and indexes from the message down to the node being walked: the field is named only when one is refused. */
  readonly path: (string | number)[];
}

/** The dotted field name of a path ("parameters[2].value"), built only for a refusal. */
function fieldOf(path: readonly (string | number)[]): string {
  let field = "";
  for (const p of path) field = typeof p === "number" ? `${field}[${p}]` : field === "" ? p : `${field}.${p}`;
  return field;
}

function walk(v: Json, key: string, inFault: boolean, parameter: string | undefined, b: MessageBounds, w: Walk): Json {
  if (w.refused) return v;
  if (typeof v === "string") {
    if (key === "method") return v; // the decoder's own name of the message
    const faultText = FAULT_TEXT.has(key) || (inFault && key === "message");
    if (faultText && v.length > b.maxFaultStringChars) {
      w.truncated++;
      return v.slice(0, b.maxFaultStringChars) + TRUNCATED;
    }
    if (!faultText && v.length > b.maxStoredValueChars) w.refused = { field: fieldOf(w.path), parameter, length: v.length };
    return v;
  }
  if (Array.isArray(v)) {
    const arr = v as readonly Json[];
    let out: Json[] | undefined;
    for (let i = 0; i < arr.length; i++) {
      const x = arr[i];
      w.path.push(i);
      const y = walk(x, key, inFault, parameter, b, w);
      w.path.pop();
      if (y !== x) (out ??= [...arr])[i] = y;
    }
    return out ?? v;
  }
  if (typeof v === "object" && v !== null) {
    const obj = v as { readonly [k: string]: Json };
    const name = typeof obj["name"] === "string" ? obj["name"] : parameter;
    let out: { [k: string]: Json } | undefined;
    for (const k of Object.keys(obj)) {
      const x = obj[k];
      w.path.push(k);
      const y = walk(x, k, inFault || k === "fault", name, b, w);
      w.path.pop();
      if (y !== x) (out ??= { ...obj })[k] = y;
    }
    return out ?? v;
  }
  return v;
}

/** Applies the bounds to one decoded CPE message (never mutates it). */
export function boundMessage<T extends { readonly method: string }>(message: T, bounds: MessageBounds): Bounded<T> {
  const w: Walk = { truncated: 0, path: [] };
  const out = walk(message as unknown as Json, "", message.method === "Fault", undefined, bounds, w);
  if (w.refused) return { ok: false, ...w.refused };
  return { ok: true, message: out as unknown as T, truncated: w.truncated };
}
