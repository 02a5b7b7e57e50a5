/**
 * #10.7: every pattern a policy supplies runs on a linear-time engine. The ReDoS pattern of the issue
 * (`^([A-Z0-9]+,?)+$`, 17.8 s on 32 characters with V8's backtracking engine) is matched against long hostile
 * values through the real selector path; lookaround and backreferences are invalid-regex errors for validate.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compileSelector, matchesDevice } from "../../src/policy/match.js";
import { compileGlob, compileLinearRegex, MAX_PATTERN_LENGTH } from "../../src/policy/linear-regex.js";
import { loadFiles } from "../support/policy-fixtures.js";
import { eg8145 as facts } from "../support/policy-fixtures.js";

describe("policy regexes: linear time", () => {
  it("the ReDoS pattern of #10.7 is compiled on the linear engine and answers on hostile values", () => {
    const { selector, issues } = compileSelector({ parameters: { "Device.X": { pattern: "^([A-Z0-9]+,?)+$" } }, serialNumber: { pattern: "^(a+)+$" } }, "");
    assert.deepEqual(issues, []);
    const cond = selector.parameters[0];
    assert.ok(cond?.pattern !== undefined);
    assert.equal(Object.getPrototypeOf(cond.pattern) === RegExp.prototype, false, "not a backtracking RegExp");
    // 32 characters took 17.8 s on a backtracking engine; 100,000 would never finish. Here: one pass each.
    for (const n of [32, 1000, 100_000]) {
      assert.equal(cond.pattern.test(`${"A".repeat(n)}!`), false);
      assert.equal(cond.pattern.test(`${"AB,".repeat(n)}C`), true);
    }
    const hostile = facts({ serialNumber: `${"a".repeat(50_000)}!`, parameters: new Map([["Device.X", `${"A".repeat(50_000)}!`]]) });
    assert.equal(matchesDevice(selector, hostile), false);
  });

  it("globs with many stars are linear too (a backtracking `.*a.*a.*a` is polynomial)", () => {
    const g = compileGlob("*a*a*a*a*a*a*a*b", false);
    assert.equal(g.test("a".repeat(100_000)), false);
    assert.equal(g.test(`${"a".repeat(10)}b`), true);
    assert.equal(compileGlob("EG8145*", false).test("EG8145V5"), true);
    assert.equal(compileGlob("eg8145?5", true).test("EG8145V5"), true);
    assert.equal(compileGlob("a.b(c)+", false).test("a.b(c)+"), true, "regex metacharacters are literal in a glob");
    assert.equal(compileGlob("a.b", false).test("axb"), false);
  });

  it("lookaround and backreferences cannot be linear: invalid-regex with the RE2 hint; over-long patterns too", async () => {
    for (const p of ["(?=a)b", "(a)\\1", "(?<!x)y"]) {
      const r = compileLinearRegex(p);
      assert.equal(r.ok, false, p);
      if (!r.ok) assert.match(r.error, /RE2 syntax/);
    }
    assert.equal(compileLinearRegex("x".repeat(MAX_PATTERN_LENGTH + 1)).ok, false);
    const r = await loadFiles({
      "p.yaml": 'name: p\nmatch:\n  serialNumber: { pattern: "^(?=HWTC)" }\nparameters:\n  InternetGatewayDevice.ManagementServer.PeriodicInformInterval: 60\n',
    });
    assert.equal(r.ok, false);
    if (!r.ok)
      assert.deepEqual(
        r.errors.map((e) => [e.code, e.line]),
        [["invalid-regex", 3]],
      );
  });

  it("JavaScript regex semantics the policies rely on are kept (unanchored, classes, case-insensitive fields)", () => {
    const t = (p: string, s: string, ci = false): boolean => {
      const r = compileLinearRegex(p, ci);
      assert.ok(r.ok);
      return r.ok && r.value.test(s);
    };
    assert.equal(t("^15", "15.2"), true);
    assert.equal(t("15", "v15"), true);
    assert.equal(t("^\\d{3}-[a-f]+$", "123-abc"), true);
    assert.equal(t("^huawei$", "HUAWEI", true), true);
    assert.equal(t("^huawei$", "HUAWEI"), false);
  });
});
