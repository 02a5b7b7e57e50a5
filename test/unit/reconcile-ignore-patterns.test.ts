/**
 * The `ignore` pattern match (`matchesPattern`, reconcile/paths.ts): walked segment by segment over both strings;
 * this holds it to the definition by split (each pattern segment "*" or equal to the path's; a trailing "." is a
 * subtree; the path's trailing "." is ignored), on a table of cases and on random strings of the path alphabet.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { isIgnored, matchesPattern } from "../../src/reconcile/paths.js";
import { matchesBySplit as reference } from "../support/ignore-reference.js";

const CASES: readonly (readonly [string, string, boolean])[] = [
  ["Device.WiFi.SSID.1.SSID", "Device.WiFi.SSID.1.SSID", true],
  ["Device.WiFi.", "Device.WiFi.SSID.1.SSID", true],
  ["Device.WiFi.", "Device.WiFi.", true],
  ["Device.WiFi.", "Device.WiFi", true],
  ["Device.WiFi.", "Device.WiFiX.SSID", false],
  ["Device.WiFi", "Device.WiFi.SSID", false],
  ["Device.*.SSID", "Device.WiFi.SSID", true],
  ["Device.*.SSID", "Device.WiFi.Radio.SSID", false],
  ["Device.WiFi.SSID.*.", "Device.WiFi.SSID.2.Enable", true],
  ["Device.WiFi.SSID.*.", "Device.WiFi.SSID", false],
  ["*", "Device", true],
  ["*", "Device.WiFi", false],
  ["A..B", "A..B", true],
  ["A.*.B", "A..B", true],
  ["", "", true],
  ["", "A", false],
  [".", "A.B", false],
  ["A.B", "A.B.", true],
  ["A.B.", "A.", false],
];

test("matchesPattern: the table, and the definition by split", () => {
  for (const [pattern, path, want] of CASES) {
    assert.equal(reference(pattern, path), want, `reference ${pattern} ~ ${path}`);
    assert.equal(matchesPattern(pattern, path), want, `${pattern} ~ ${path}`);
  }
});

test("matchesPattern agrees with the split definition on random patterns and paths", () => {
  const text = fc.string({ unit: fc.constantFrom("A", "B", "1", "*", "."), maxLength: 12 });
  fc.assert(
    fc.property(text, text, (pattern, path) => matchesPattern(pattern, path) === reference(pattern, path)),
    { numRuns: 20_000 },
  );
  fc.assert(fc.property(fc.array(text, { maxLength: 4 }), text, (patterns, path) => isIgnored(patterns, path) === patterns.some((p) => reference(p, path))));
});
