/**
 * The seeded hostile-input fuzz suite of `npm test` (#10): mutations of the real captures, pathological start
 * tags, huge attributes, entity floods, YAML bombs, ReDoS patterns and auth headers. Every input must parse or be
 * refused without throwing, within bounded work (counted). A few seconds; `npm run fuzz` runs it for minutes.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { fuzz } from "./harness.js";

it("1,000 seeded hostile inputs up to 16 KB (entity floods to 256 KB): no throw, bounded work", () => {
  const report = fuzz(20_261_201, 1_000, Number.POSITIVE_INFINITY, 14);
  assert.equal(report.tried, 1_000);
  assert.deepEqual(report.failures, []);
});

it("the checks can fail: a decoder failure or excess work is reported, not swallowed", async () => {
  const { check } = await import("./harness.js");
  assert.equal(check({ kind: "regex", label: "lookahead", text: "(?=x)" })?.startsWith("pattern refused"), true);
  assert.equal(check({ kind: "xml", label: "ok", text: "<a/>" }), undefined);
});
