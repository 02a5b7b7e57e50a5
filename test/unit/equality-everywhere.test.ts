/**
 * One equality everywhere (issue 12 point 8): the planner (does it send a SetParameterValues?), the plan's diff
 * (`equal` or `differs`), the conflict check of `converge validate` (two same-priority policies) and the
 * per-device merge all answer "same value?" as `reconcile/equality.ts` does, on the cases where a string
 * comparison and a per-type one part: booleans 1/true, integers with leading zeros, signs or spaces, dateTime
 * forms, the case of hex, empty strings.
 */
import test from "node:test";
import assert from "node:assert/strict";
import type { XsdType } from "../../src/domain/xsd.js";
import { sameDesired, sameValue } from "../../src/reconcile/equality.js";
import { plan } from "../../src/reconcile/plan.js";
import { diffValues } from "../../src/plan/device-plan.js";
import { desired, dv, input, QUIRKS, reported } from "../support/reconcile-builders.js";
import { loadFiles } from "../support/policy-fixtures.js";

const PATH = "InternetGatewayDevice.X_ACME_Value";

/** [type, desired (policy A), reported (policy B), the same value?, how the CPE labels the reported value] */
const CASES: readonly (readonly [XsdType, string, string, boolean, XsdType?])[] = [
  ["xsd:boolean", "true", "1", true],
  ["xsd:boolean", "false", "0", true],
  ["xsd:boolean", "true", "TRUE", true],
  ["xsd:boolean", "true", " true ", true],
  ["xsd:boolean", "true", "0", false],
  ["xsd:boolean", "true", "yes", false],
  ["xsd:boolean", "true", "1", true, "xsd:string"],
  ["xsd:unsignedInt", "80", "080", true],
  ["xsd:unsignedInt", "80", " 80", true],
  ["xsd:int", "-5", "-005", true],
  ["xsd:int", "5", "+5", true],
  ["xsd:int", "0", "-0", true],
  ["xsd:unsignedInt", "80", "81", false],
  ["xsd:unsignedLong", "18446744073709551615", "018446744073709551615", true],
  ["xsd:unsignedLong", "18446744073709551615", "18446744073709551614", false],
  ["xsd:unsignedInt", "3600", "3600", true, "xsd:string"],
  ["xsd:unsignedInt", "0", "", false],
  ["xsd:string", "007", "7", false],
  ["xsd:string", "1.1.1.1", "1.1.1.2", false],
  ["xsd:string", "", "", true],
  ["xsd:string", "a", "A", false],
  ["xsd:string", "", " ", false],
  ["xsd:dateTime", "2026-01-01T00:00:00Z", "2026-01-01T00:00:00", true],
  ["xsd:dateTime", "2026-01-01T00:00:00Z", "2026-01-01T01:00:00+01:00", true],
  ["xsd:dateTime", "2026-01-01T00:00:00Z", "2026-01-01T00:00:00.000Z", true],
  ["xsd:dateTime", "2026-01-01T00:00:00.5Z", "2026-01-01T00:00:00.500Z", true],
  ["xsd:dateTime", "2026-01-01T00:00:00Z", "2026-01-01T00:00:01Z", false],
  ["xsd:dateTime", "0001-01-01T00:00:00Z", "0000-00-00T00:00:00", false],
  ["xsd:hexBinary", "DEADBEEF", "deadbeef", true],
  ["xsd:hexBinary", "dead", "beef", false],
  ["xsd:base64", "aGk=", "aGk", true],
  ["xsd:base64", "aGk=", "aGE=", false],
];

const name = (c: (typeof CASES)[number]): string => `${c[0]} ${JSON.stringify(c[1])} vs ${JSON.stringify(c[2])}${c[4] ? ` (reported as ${c[4]})` : ""}`;

for (const c of CASES) {
  const [type, a, b, same, reportedAs] = c;
  void test(`one equality: ${name(c)} is ${same ? "the same value" : "different"} for the planner and the diff`, () => {
    if (reportedAs === undefined) assert.equal(sameValue(type, a, b), same, "reconcile/equality.ts");
    const d = desired({ values: [dv(PATH, a, { type })] });
    const r = reported({ params: { [PATH]: [b, reportedAs ?? type, undefined, true] } });
    const sets = plan(input(d, r)).steps.filter((s) => s.kind === "setValues");
    assert.equal(sets.length === 0, same, "the planner sends a SetParameterValues exactly when the values differ");
    assert.equal(diffValues(d, r, QUIRKS)[0]?.state, same ? "equal" : "differs", "the plan's diff");
  });
}

/** Two same-priority policies on the same devices setting PATH, typed explicitly (a vendor path: no data-model check). */
function policy(policyName: string, value: string, type: XsdType): string {
  return `name: ${policyName}\npriority: 10\nmatch: { dataModel: tr098 }\nparameters:\n  ${PATH}: { value: ${JSON.stringify(value)}, type: ${type.slice(4)} }\n`;
}

for (const c of CASES.filter((x) => x[4] === undefined)) {
  const [type, a, b, same] = c;
  void test(`one equality: ${name(c)} is ${same ? "no conflict" : "a conflict"} between two policies of equal priority`, async () => {
    const r = await loadFiles({ "a.yaml": policy("pa", a, type), "b.yaml": policy("pb", b, type) });
    const conflicts = r.ok ? [] : r.errors.filter((e) => e.code === "conflict");
    if (!r.ok)
      assert.deepEqual(
        r.errors.filter((e) => e.code !== "conflict"),
        [],
        "only a conflict may reject this set",
      );
    assert.equal(conflicts.length === 0, same, "policy/conflicts.ts");
    assert.equal(sameDesired({ value: a, type }, { value: b, type }), same, "the per-device merge (policy/desired.ts)");
  });
}
