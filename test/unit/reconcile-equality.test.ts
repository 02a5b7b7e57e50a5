import test from "node:test";
import assert from "node:assert/strict";
import type { XsdType } from "../../src/domain/xsd.js";
import { normaliseForWire, sameAsWritten, sameValue } from "../../src/reconcile/equality.js";

const SAME: readonly (readonly [XsdType, string, string, boolean])[] = [
  // booleans: both spellings, any case, XML whitespace collapse
  ["xsd:boolean", "true", "1", true],
  ["xsd:boolean", "false", "0", true],
  ["xsd:boolean", "TRUE", "1", true],
  ["xsd:boolean", "True", "true", true],
  ["xsd:boolean", "false", " 0 ", true],
  ["xsd:boolean", "true", "0", false],
  ["xsd:boolean", "1", "false", false],
  ["xsd:boolean", "yes", "1", false],
  ["xsd:boolean", "", "0", false],
  // integers, incl. 64-bit beyond Number precision
  ["xsd:unsignedInt", "007", "7", true],
  ["xsd:int", "+5", "5", true],
  ["xsd:int", "-0", "0", true],
  ["xsd:int", "-12", "12", false],
  ["xsd:unsignedLong", "18446744073709551615", "18446744073709551615", true],
  ["xsd:unsignedLong", "18446744073709551615", "18446744073709551614", false],
  ["xsd:long", "9007199254740993", "9007199254740992", false], // equal as JS numbers, not as integers
  ["xsd:long", "-9223372036854775808", "-09223372036854775808", true],
  ["xsd:unsignedInt", "1.0", "1", false], // not an integer: exact compare
  ["xsd:unsignedInt", "SW_UPGRADE", "SW_UPGRADE", true], // mislabelled string (Cisco femto)
  ["xsd:int", "", "0", false],
  // dateTime: the same instant
  ["xsd:dateTime", "2024-01-01T00:00:00Z", "2024-01-01T00:00:00.000Z", true],
  ["xsd:dateTime", "2024-01-01T00:00:00", "2024-01-01T00:00:00Z", true], // no timezone: UTC
  ["xsd:dateTime", "2024-01-01T01:00:00+01:00", "2024-01-01T00:00:00Z", true],
  ["xsd:dateTime", "2023-12-31T20:00:00-04:00", "2024-01-01T00:00:00Z", true],
  ["xsd:dateTime", "2024-01-01T00:00:00.5Z", "2024-01-01T00:00:00.500Z", true],
  ["xsd:dateTime", "2024-01-01T00:00:00.5Z", "2024-01-01T00:00:00.501Z", false],
  ["xsd:dateTime", "2024-01-01T00:00:00.123456Z", "2024-01-01T00:00:00.123457Z", false], // beyond ms
  ["xsd:dateTime", "2024-01-01T00:00:01Z", "2024-01-01T00:00:00Z", false],
  ["xsd:dateTime", "0001-01-01T00:00:00Z", "0001-01-01T00:00:00", true], // Unknown Time
  ["xsd:dateTime", "0000-00-00T00:00:00", "0001-01-01T00:00:00Z", false], // Thomson: invalid, exact compare
  ["xsd:dateTime", "2019-03-05T11:54::14", "2019-03-05T11:54:14", false], // malformed (Cytco)
  ["xsd:dateTime", "2024-02-31T00:00:00Z", "2024-03-02T00:00:00Z", false], // no 31 February
  ["xsd:dateTime", "0099-01-01T00:00:00Z", "1999-01-01T00:00:00Z", false], // year 99 is not 1999
  // base64: same bytes; hexBinary: case-insensitive
  ["xsd:base64", "aGVsbG8=", "aGVs bG8=", true],
  ["xsd:base64", "aGVsbG8=", "AGVSBG8=", false],
  ["xsd:base64", "!!!", "!!!", true], // identical text is always equal
  ["xsd:hexBinary", "00FFab", "00ffAB", true],
  ["xsd:hexBinary", "00ff", "00fe", false],
  // strings: exact
  ["xsd:string", "1.1.1.1", "1.1.1.2", false],
  ["xsd:string", "007", "7", false],
  ["xsd:string", "true", "1", false],
  ["xsd:string", "my wifi", "my wifi ", false],
  ["xsd:string", "", "", true],
  ["xsd:string", "Straße", "Straße", true],
];

for (const [type, a, b, want] of SAME) {
  void test(`sameValue(${type}, ${JSON.stringify(a)}, ${JSON.stringify(b)}) is ${want}`, () => {
    assert.equal(sameValue(type, a, b), want);
    assert.equal(sameValue(type, b, a), want, "symmetric");
  });
}

const WIRE: readonly (readonly [XsdType, string, { booleanAsDigit: boolean; datetimeMilliseconds: boolean }, string])[] = [
  ["xsd:boolean", "true", { booleanAsDigit: false, datetimeMilliseconds: true }, "true"],
  ["xsd:boolean", "1", { booleanAsDigit: false, datetimeMilliseconds: true }, "true"],
  ["xsd:boolean", "FALSE", { booleanAsDigit: false, datetimeMilliseconds: true }, "false"],
  ["xsd:boolean", "true", { booleanAsDigit: true, datetimeMilliseconds: true }, "1"],
  ["xsd:boolean", "false", { booleanAsDigit: true, datetimeMilliseconds: true }, "0"],
  ["xsd:boolean", "maybe", { booleanAsDigit: true, datetimeMilliseconds: true }, "maybe"],
  ["xsd:unsignedInt", "007", { booleanAsDigit: false, datetimeMilliseconds: true }, "7"],
  ["xsd:long", "+9223372036854775807", { booleanAsDigit: false, datetimeMilliseconds: true }, "9223372036854775807"],
  ["xsd:int", "12abc", { booleanAsDigit: false, datetimeMilliseconds: true }, "12abc"],
  ["xsd:dateTime", "2024-01-01T01:00:00+01:00", { booleanAsDigit: false, datetimeMilliseconds: true }, "2024-01-01T00:00:00.000Z"],
  ["xsd:dateTime", "2024-01-01T01:00:00+01:00", { booleanAsDigit: false, datetimeMilliseconds: false }, "2024-01-01T00:00:00Z"],
  ["xsd:dateTime", "2024-01-01T00:00:00.5", { booleanAsDigit: false, datetimeMilliseconds: true }, "2024-01-01T00:00:00.500Z"],
  ["xsd:dateTime", "2024-01-01T00:00:00.5", { booleanAsDigit: false, datetimeMilliseconds: false }, "2024-01-01T00:00:00Z"],
  ["xsd:dateTime", "0001-01-01T00:00:00Z", { booleanAsDigit: false, datetimeMilliseconds: false }, "0001-01-01T00:00:00Z"],
  ["xsd:dateTime", "not a time", { booleanAsDigit: false, datetimeMilliseconds: false }, "not a time"],
  ["xsd:string", " 007 ", { booleanAsDigit: true, datetimeMilliseconds: false }, " 007 "],
  ["xsd:hexBinary", "00FF", { booleanAsDigit: true, datetimeMilliseconds: false }, "00FF"],
];

for (const [type, value, quirks, want] of WIRE) {
  void test(`normaliseForWire(${type}, ${JSON.stringify(value)}, ${JSON.stringify(quirks)}) is ${JSON.stringify(want)}`, () => {
    const wire = normaliseForWire(type, value, quirks);
    assert.equal(wire, want);
    // Dropping fractions for CPEs that reject them is the one lossy rewrite.
    const lossy = type === "xsd:dateTime" && !quirks.datetimeMilliseconds && /\.[0-9]*[1-9]/.test(value);
    assert.equal(sameValue(type, value, wire), !lossy, "the wire form denotes the same value unless fractions are dropped");
  });
}

const AS_WRITTEN: readonly (readonly [XsdType, string, string, boolean, boolean])[] = [
  // [type, desired, reported, datetimeMilliseconds, equal]
  ["xsd:dateTime", "2024-01-01T00:00:00.250Z", "2024-01-01T00:00:00Z", false, true], // the CPE can only hold seconds
  ["xsd:dateTime", "2024-01-01T00:00:00.250Z", "2024-01-01T00:00:00Z", true, false],
  ["xsd:boolean", "true", "1", false, true],
  ["xsd:unsignedInt", "007", "7", false, true],
  ["xsd:string", "007", "7", false, false],
];

for (const [type, d, r, ms, want] of AS_WRITTEN) {
  void test(`sameAsWritten(${type}, ${d}, ${r}, datetimeMilliseconds=${ms}) is ${want}`, () => {
    assert.equal(sameAsWritten(type, d, r, { booleanAsDigit: false, datetimeMilliseconds: ms }), want);
  });
}
