/**
 * Semantic equality of CWMP values per xsd type, and the wire form of a value we send. Values stay strings: no
 * value is ever coerced through a JS number (64-bit integers and "1.1.1.1" would not survive).
 */
import type { XsdType } from "../domain/xsd.js";
import type { DeviceQuirks } from "./types.js";

const INT = /^[+-]?[0-9]+$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const HEX = /^[0-9A-Fa-f]*$/;
// TR-106 §3.2 / XML Schema dateTime: the timezone is optional (CPEs often omit it), fractions any length.
const DATE_TIME = /^(-?[0-9]{4,})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]+))?(Z|[+-][0-9]{2}:[0-9]{2})?$/;

/**
 * True when `desired` and `reported` denote the same value of `type`.
 * - boolean: `1`/`true` and `0`/`false`, case-insensitive, surrounding whitespace ignored (XML Schema collapse);
 * - int/unsignedInt/long/unsignedLong: integer value via BigInt (leading zeros and `+` allowed);
 * - dateTime: the same instant; a missing timezone is UTC; fractional seconds compared exactly;
 * - base64: the same bytes (whitespace and padding ignored); hexBinary: case-insensitive;
 * - string: exact, so `"007"` is not `"7"` and `"1.1.1.1"` is not `"1.1.1.2"`.
 * A value that does not parse as its type (CPEs mislabel types) is compared as an exact string. Never throws.
 */
export function sameValue(type: XsdType, desired: string, reported: string): boolean {
  if (desired === reported) return true;
  switch (type) {
    case "xsd:boolean":
      return sameParsed(parseBoolean(desired), parseBoolean(reported));
    case "xsd:int":
    case "xsd:unsignedInt":
    case "xsd:long":
    case "xsd:unsignedLong":
      return sameParsed(parseInteger(desired), parseInteger(reported));
    case "xsd:dateTime":
      return sameParsed(parseDateTime(desired), parseDateTime(reported));
    case "xsd:base64":
      return sameParsed(parseBase64(desired), parseBase64(reported));
    case "xsd:hexBinary":
      return sameParsed(parseHex(desired), parseHex(reported));
    case "xsd:string":
      return false;
  }
}

/**
 * The lexical form we put on the wire for `value` of `type`: booleans as `true`/`false`, or `1`/`0` for CPEs
 * that accept only digits (`quirks.booleanAsDigit`); integers canonical (no `+`, no leading zeros); dateTimes in
 * UTC, with milliseconds only when `quirks.datetimeMilliseconds` (some CPEs reject fractions). Anything that does
 * not parse as its type is sent as given.
 */
export function normaliseForWire(type: XsdType, value: string, quirks: Pick<DeviceQuirks, "booleanAsDigit" | "datetimeMilliseconds">): string {
  switch (type) {
    case "xsd:boolean": {
      const b = parseBoolean(value);
      if (b === undefined) return value;
      if (quirks.booleanAsDigit) return b === "true" ? "1" : "0";
      return b;
    }
    case "xsd:int":
    case "xsd:unsignedInt":
    case "xsd:long":
    case "xsd:unsignedLong":
      return parseInteger(value) ?? value;
    case "xsd:dateTime":
      return wireDateTime(value, quirks.datetimeMilliseconds) ?? value;
    case "xsd:string":
    case "xsd:base64":
    case "xsd:hexBinary":
      return value;
  }
}

/**
 * True when `reported` already holds what we would write for `desired` on this device: `desired` is compared in
 * its wire form. The only case where this differs from `sameValue` is a lossy wire form (dateTime fractions for a
 * CPE that rejects them), where the device can never hold more than whole seconds.
 */
export function sameAsWritten(
  type: XsdType,
  desired: string,
  reported: string,
  quirks: Pick<DeviceQuirks, "booleanAsDigit" | "datetimeMilliseconds">,
): boolean {
  return sameValue(type, normaliseForWire(type, desired, quirks), reported);
}

/**
 * The type a reported value is compared as: its own, unless the CPE labels it `xsd:string` (many label
 * everything so) and the desired value knows better (an explicit policy type or the data model's).
 */
export function comparedType(reported: XsdType, desired: XsdType | undefined): XsdType {
  return reported === "xsd:string" && desired !== undefined ? desired : reported;
}

/**
 * THE comparison of a desired value with what the device reports, shared by the planner (`reconcile/values.ts`)
 * and the plan's diff (`plan/device-plan.ts`), so the diff never says "differs" where the planner sends nothing:
 * per `comparedType`, with the desired value in its wire form for this device (`sameAsWritten`).
 */
export function reportedHolds(
  desired: { readonly value: string; readonly type: XsdType | undefined },
  reported: { readonly value: string; readonly type: XsdType },
  quirks: Pick<DeviceQuirks, "booleanAsDigit" | "datetimeMilliseconds">,
): boolean {
  return sameAsWritten(comparedType(reported.type, desired.type), desired.value, reported.value, quirks);
}

/**
 * Whether two policies want the same value for one path (the per-device merge, `policy/desired.ts` and
 * `desired-tables.ts`): the same type, and the same value of it (`sameValue`: `1` and `true` are one boolean,
 * `080` and `80` one integer); without a type, exactly.
 */
export function sameDesired(
  a: { readonly value: string; readonly type: XsdType | undefined },
  b: { readonly value: string; readonly type: XsdType | undefined },
): boolean {
  if (a.type !== b.type) return false;
  return a.type === undefined ? a.value === b.value : sameValue(a.type, a.value, b.value);
}

/**
 * The same question before any device, for the conflict check of `converge validate` (`policy/conflicts.ts`):
 * two literals as `sameDesired`; a template only equals the same template text (what it gives is per device).
 */
export function sameDeclared(
  a: { readonly literal: string | undefined; readonly raw: string; readonly type: XsdType | undefined },
  b: { readonly literal: string | undefined; readonly raw: string; readonly type: XsdType | undefined },
): boolean {
  if (a.literal === undefined || b.literal === undefined) return a.literal === b.literal && a.raw === b.raw && a.type === b.type;
  return sameDesired({ value: a.literal, type: a.type }, { value: b.literal, type: b.type });
}

function sameParsed(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && a === b;
}

/** "true" | "false" for the four boolean literals (any case), else undefined. */
export function parseBoolean(s: string): "true" | "false" | undefined {
  const t = s.trim().toLowerCase();
  if (t === "1" || t === "true") return "true";
  if (t === "0" || t === "false") return "false";
  return undefined;
}

/** The canonical decimal form (what BigInt(t).toString() gives), by string work only: linear in any length. */
function parseInteger(s: string): string | undefined {
  const t = s.trim();
  if (!INT.test(t)) return undefined;
  const negative = t.charCodeAt(0) === 45;
  let i = negative || t.charCodeAt(0) === 43 ? 1 : 0;
  while (i < t.length - 1 && t.charCodeAt(i) === 48) i++;
  const digits = t.slice(i);
  return negative && digits !== "0" ? `-${digits}` : digits;
}

function parseBase64(s: string): string | undefined {
  const t = s.replace(/\s+/g, "");
  if (!BASE64.test(t)) return undefined;
  return Buffer.from(t, "base64").toString("hex");
}

function parseHex(s: string): string | undefined {
  const t = s.trim();
  return HEX.test(t) && t.length % 2 === 0 ? t.toLowerCase() : undefined;
}

interface Instant {
  readonly seconds: number; // whole seconds since the epoch (exact in a double for any 4-digit year)
  readonly fraction: string; // fractional digits without trailing zeros
}

/** Parses a dateTime to an instant; undefined when it is not a valid dateTime (e.g. "0000-00-00T00:00:00"). */
function parseInstant(s: string): Instant | undefined {
  const m = DATE_TIME.exec(s.trim());
  if (m === null) return undefined;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return undefined;
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day); // not Date.UTC: it maps years 0-99 to 1900-1999
  if (d.getUTCDate() !== day) return undefined; // 31 February
  d.setUTCHours(hour, minute, second, 0);
  return { seconds: d.getTime() / 1000 - offsetSeconds(m[8]), fraction: (m[7] ?? "").replace(/0+$/, "") };
}

function offsetSeconds(tz: string | undefined): number {
  if (tz === undefined || tz === "Z") return 0; // no timezone: treated as UTC (ZTE, Huawei, ZyXEL omit it)
  const sign = tz.startsWith("-") ? -1 : 1;
  return sign * (Number(tz.slice(1, 3)) * 3600 + Number(tz.slice(4, 6)) * 60);
}

function parseDateTime(s: string): string | undefined {
  const i = parseInstant(s);
  return i === undefined ? undefined : `${i.seconds}.${i.fraction}`;
}

function wireDateTime(s: string, milliseconds: boolean): string | undefined {
  const i = parseInstant(s);
  if (i === undefined) return undefined;
  const iso = new Date(i.seconds * 1000).toISOString(); // "YYYY-MM-DDTHH:MM:SS.000Z"
  const base = iso.slice(0, iso.indexOf("."));
  return milliseconds ? `${base}.${i.fraction.padEnd(3, "0").slice(0, 3)}Z` : `${base}Z`;
}
