import test from "node:test";
import assert from "node:assert/strict";
import { compareVersions, parseVersionRange, satisfies } from "../../src/policy/version.js";

// [a, b, compareVersions(a, b)] on real vendor strings from the fixture devices and the issue.
const COMPARE = [
  ["V5R020C10S115", "V5R020C10S115", 0],
  ["V5R020C00S280", "V5R020C10S115", -1], // C00 < C10
  ["V5R020C10", "V5R020C10S115", -1], // a prefix is older
  ["V5R021C00S010", "V5R020C10S115", 1],
  ["V5R020C10S115", "V5R020C10S99", 1], // 115 > 99 numerically, not as text
  ["6.2.15.5", "6.2.15.10", -1], // parseFloat-free: 5 < 10
  ["6.2.15.5", "6.2.15", 1],
  ["6.2.15.5", "6.2.9", 1], // 15 > 9 (a float would say 6.2 = 6.2)
  ["1.00(AAQU.1)b20", "1.00(AAQU.1)b3", 1],
  ["1.00(AAQU.1)b20", "1.00(AAQU.2)b1", -1],
  ["1.00(AAQU.1)b20", "1.00(aaqu.1)B20", 0], // letters compare case-insensitively
  ["G4.16L.06RC1", "G4.16L.06RC2", -1],
  ["G4.16L.06RC1", "G4.16L.6RC1", 0], // leading zeros do not count
  ["G4.16L.06RC1", "G4.16L.07", -1],
  ["V9.1.0P4N3_MUL", "V9.1.0P4N10_MUL", -1],
  ["3FE49568IJIJ23", "3FE49568IJIJ24", -1],
  ["1.10", "1.9", 1], // "1.10" is newer than "1.9" (a float would say the opposite)
  ["1.0a", "1.0.1", -1], // a number beats letters in the same position
  ["99999999999999999999999", "99999999999999999999998", 1], // longer than any float mantissa
] as const;

for (const [a, b, want] of COMPARE) {
  void test(`compareVersions(${a}, ${b}) = ${want}`, () => {
    assert.equal(compareVersions(a, b), want);
    assert.equal(compareVersions(b, a), -want || 0);
  });
}

const RANGES = [
  [">=V5R020C10 <V5R021", "V5R020C10S115", true],
  [">=V5R020C10 <V5R021", "V5R020C00S280", false],
  [">=V5R020C10 <V5R021", "V5R021C00", false],
  ["<V5R020C10S115", "V5R020C00S280", true],
  ["<V5R020C10S115", "V5R020C10S115", false],
  ["=6.2.15.5", "6.2.15.5", true],
  ["!=6.2.15.5", "6.2.15.5", false],
  [">6.2.15", "6.2.15.5", true],
  ["<=1.00(AAQU.1)b20", "1.00(AAQU.1)b20", true],
  [">G4.16L.06RC1", "G4.16L.06RC2", true],
] as const;

for (const [range, version, want] of RANGES) {
  void test(`"${version}" satisfies "${range}" is ${want}`, () => {
    const r = parseVersionRange(range);
    assert.ok(r.ok);
    assert.equal(satisfies(version, r.value), want);
  });
}

const BAD = [">=", ">=V5R020C10 <", "=>V5R019", ">=V5 foo", "~1.2", ">=..."] as const;
for (const range of BAD) {
  void test(`"${range}" is not a parseable range`, () => assert.equal(parseVersionRange(range).ok, false));
}
