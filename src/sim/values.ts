/** Lexical validation of parameter values per xsd type, as a CPE does before SetParameterValues (9007). */
import type { XsdType } from "../domain/xsd.js";

const INTEGER = /^[+-]?[0-9]+$/;
const UNSIGNED = /^\+?[0-9]+$/;
const DATETIME = /^-?[0-9]{4,}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const HEX = /^(?:[0-9A-Fa-f]{2})*$/;

const RANGES: Partial<Record<XsdType, readonly [bigint, bigint]>> = {
  "xsd:int": [-(2n ** 31n), 2n ** 31n - 1n],
  "xsd:unsignedInt": [0n, 2n ** 32n - 1n],
  "xsd:long": [-(2n ** 63n), 2n ** 63n - 1n],
  "xsd:unsignedLong": [0n, 2n ** 64n - 1n],
};

/** True when `value` is a valid lexical form of `type` (integers within their range; never via JS numbers). */
export function isValidValue(type: XsdType, value: string): boolean {
  switch (type) {
    case "xsd:int":
    case "xsd:long":
    case "xsd:unsignedInt":
    case "xsd:unsignedLong":
      return inRange(type, value);
    case "xsd:boolean":
      return parseBoolean(value) !== undefined;
    case "xsd:dateTime":
      return DATETIME.test(value) && validDate(value);
    case "xsd:base64":
      return BASE64.test(value.replace(/\s+/g, ""));
    case "xsd:hexBinary":
      return HEX.test(value);
    case "xsd:string":
      return true;
  }
}

function inRange(type: XsdType, value: string): boolean {
  const unsigned = type === "xsd:unsignedInt" || type === "xsd:unsignedLong";
  if (!(unsigned ? UNSIGNED : INTEGER).test(value)) return false;
  const range = RANGES[type];
  if (range === undefined) return true;
  const n = BigInt(value);
  return n >= range[0] && n <= range[1];
}

function validDate(value: string): boolean {
  // The year 0001 (TR-069 "unknown time") is outside what Date.parse handles reliably; check fields by hand.
  const [, month, day, hour, minute, second] = /^-?[0-9]+-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})/.exec(value) ?? [];
  return (
    Number(month) >= 1 && Number(month) <= 12 && Number(day) >= 1 && Number(day) <= 31 && Number(hour) <= 23 && Number(minute) <= 59 && Number(second) <= 60
  );
}

/** xsd:boolean lexical space: "true", "false", "1", "0". */
export function parseBoolean(value: string): boolean | undefined {
  switch (value) {
    case "true":
    case "1":
      return true;
    case "false":
    case "0":
      return false;
    default:
      return undefined;
  }
}

/** How the device stores and reports a value of a type (booleans canonical, or as digits with the quirk). */
export function renderValue(type: XsdType, value: string, booleanAsDigit: boolean): string {
  if (type !== "xsd:boolean") return value;
  const b = parseBoolean(value);
  if (b === undefined) return value;
  if (booleanAsDigit) return b ? "1" : "0";
  return b ? "true" : "false";
}
