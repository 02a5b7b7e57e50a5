/**
 * Lenient field readers shared by both decoders. Each reader returns a usable value and records a warning
 * when the wire differs from the schema (cwmp-notes §2.4, §9): structural fields are trimmed, Values never.
 */
import { parseXsdType, type XsdType } from "../domain/xsd.js";
import type { NotificationLevel, ParamValue } from "./types.js";
import { attrOf, child, membersOf, textOf, type XmlObject, type XmlValue } from "./xml.js";

/** Warnings collected while decoding one envelope (a value, never module state). */
export type Warnings = string[];

/** A CPE value as quoted in a warning: at most 256 characters of it (warnings are logged and stored). */
export function clip(v: string): string {
  return v.length <= 256 ? v : `${v.slice(0, 256)}…(${v.length} characters)`;
}

/** A structural string field, trimmed; "" with a warning when absent. */
export function str(node: XmlValue | undefined, name: string, w: Warnings, where: string): string {
  const t = textOf(child(node, name));
  if (t === undefined) {
    w.push(`${where}: <${name}> missing, using ""`);
    return "";
  }
  return t.trim();
}

/** A structural string field that may legitimately be absent. */
export function optStr(node: XmlValue | undefined, name: string): string | undefined {
  return textOf(child(node, name))?.trim();
}

/** An unsignedInt field, never through a lossy conversion: digits only, within the safe integer range. */
export function uint(node: XmlValue | undefined, name: string, w: Warnings, where: string, dflt = 0): number {
  const t = textOf(child(node, name));
  const n = t === undefined ? undefined : parseUint(t);
  if (n === undefined) {
    w.push(`${where}: <${name}> ${t === undefined ? "missing" : `"${clip(t.trim())}" is not an unsigned integer`}, using ${dflt}`);
    return dflt;
  }
  return n;
}

export function parseUint(text: string): number | undefined {
  const t = text.trim();
  if (!/^\+?\d{1,15}$/.test(t)) return undefined;
  return Number(t);
}

/** xsd:boolean, accepting the spellings CPEs use (0/1/true/false, any case). */
export function bool(node: XmlValue | undefined, name: string, w: Warnings, where: string): boolean {
  const t = textOf(child(node, name));
  const b = t === undefined ? undefined : parseBool(t);
  if (b === undefined) {
    w.push(`${where}: <${name}> ${t === undefined ? "missing" : `"${clip(t.trim())}" is not a boolean`}, using false`);
    return false;
  }
  return b;
}

export function parseBool(text: string): boolean | undefined {
  const t = text.trim().toLowerCase();
  if (t === "1" || t === "true") return true;
  if (t === "0" || t === "false") return false;
  return undefined;
}

/** Status 0 (applied) / 1 (applied, takes effect after reboot) (TR-069 A.3.2.1). */
export function status(node: XmlValue | undefined, w: Warnings, where: string): 0 | 1 {
  const n = uint(node, "Status", w, where);
  if (n === 0 || n === 1) return n;
  w.push(`${where}: <Status> ${n} is not 0 or 1, using 1 (assume a reboot is needed)`);
  return 1;
}

/** A dateTime kept as sent (CPEs send "0000-00-00T00:00:00", "2019-03-05T11:54::14"); warns when malformed. */
export function time(node: XmlValue | undefined, name: string, w: Warnings, where: string): string {
  const t = str(node, name, w, where);
  if (t !== "" && !DATETIME.test(t)) w.push(`${where}: <${name}> "${clip(t)}" is not a valid dateTime, kept as sent`);
  return t;
}

const LEVELS: readonly NotificationLevel[] = [0, 1, 2, 3, 4, 5, 6];

export function notification(node: XmlValue | undefined, w: Warnings, where: string): NotificationLevel {
  const n = uint(node, "Notification", w, where);
  const level = LEVELS.find((l) => l === n);
  if (level !== undefined) return level;
  w.push(`${where}: <Notification> ${n} is out of range 0-6, using 0`);
  return 0;
}

/** The members of a string array (ParameterNames, MethodList, AccessList), trimmed. */
export function strings(node: XmlValue | undefined): string[] {
  return membersOf(node, "string").map((m) => (textOf(m) ?? "").trim());
}

const DATETIME = /^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})?$/;
/** Significant digits an in-range integer of any CWMP integer type can have (2^64 has 20). */
const MAX_INT_DIGITS = 20;

/**
 * True when `t` is an integer literal within [min, max]. The length is checked before BigInt ever sees it: an
 * 8 MB run of digits is out of range after one pass, not after a multi-second BigInt parse.
 */
function intIn(t: string, signed: boolean, min: bigint, max: bigint): boolean {
  if (!(signed ? /^[+-]?\d+$/ : /^\+?\d+$/).test(t)) return false;
  let i = t.charCodeAt(0) === 43 || t.charCodeAt(0) === 45 ? 1 : 0;
  while (i < t.length - 1 && t.charCodeAt(i) === 48) i++;
  if (t.length - i > MAX_INT_DIGITS) return false;
  const v = BigInt(t.charCodeAt(0) === 45 ? `-${t.slice(i)}` : t.slice(i));
  return v >= min && v <= max;
}

const LEXICAL: Partial<Record<XsdType, (t: string) => boolean>> = {
  "xsd:int": (t) => intIn(t, true, -2147483648n, 2147483647n),
  "xsd:unsignedInt": (t) => intIn(t, false, 0n, 4294967295n),
  "xsd:long": (t) => intIn(t, true, -(2n ** 63n), 2n ** 63n - 1n),
  "xsd:unsignedLong": (t) => intIn(t, false, 0n, 2n ** 64n - 1n),
  "xsd:boolean": (t) => parseBool(t) !== undefined,
  "xsd:dateTime": (t) => DATETIME.test(t),
  "xsd:hexBinary": (t) => /^(?:[0-9a-fA-F]{2})*$/.test(t),
  "xsd:base64": (t) => /^[A-Za-z0-9+/=\s]*$/.test(t),
};

/** True when `value` is in the lexical space of `type` (whitespace-collapsed, as XSD does for non-strings). */
export function lexicallyValid(type: XsdType, value: string): boolean {
  const check = LEXICAL[type];
  return check === undefined || check(value.trim());
}

function valueType(valueNode: string | XmlObject, value: string, w: Warnings, where: string): XsdType {
  const declared = attrOf(valueNode, "type");
  const type = parseXsdType(declared);
  if (declared === undefined) {
    w.push(`${where}: <Value> has no xsi:type, using xsd:string`);
    return "xsd:string";
  }
  if (type === undefined) {
    w.push(`${where}: unknown xsi:type "${clip(declared)}", using xsd:string`);
    return "xsd:string";
  }
  // Cisco femtocell types "SW_UPGRADE" as xsd:unsignedInt (cwmp-notes §2.4): never coerce a value into a wrong type.
  if (type !== "xsd:string" && value !== "" && !lexicallyValid(type, value)) {
    w.push(`${where}: value "${clip(value)}" is not a valid ${type}, using xsd:string`);
    return "xsd:string";
  }
  return type;
}

/** One ParameterValueStruct: Name trimmed, Value raw; missing Value = "" (Cisco SPA122), missing type = string. */
export function paramValue(s: XmlValue, w: Warnings, where: string): ParamValue {
  const name = str(s, "Name", w, where);
  const at = `${where} (${name})`;
  const v = child(s, "Value");
  if (v === undefined) {
    w.push(`${at}: <Value> missing, using ""`);
    return { name, value: "", type: "xsd:string" };
  }
  const value = textOf(v) ?? "";
  return { name, value, type: valueType(v, value, w, at) };
}

/** A ParameterValueList, iterated from its members (arrayType counts are not trusted, §2.3). */
export function paramValues(list: XmlValue | undefined, w: Warnings, where: string): ParamValue[] {
  return membersOf(list, "ParameterValueStruct").map((s, i) => paramValue(s, w, `${where}[${i}]`));
}
