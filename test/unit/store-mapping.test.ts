import { test } from "node:test";
import assert from "node:assert/strict";
import { childOf, staleChildren } from "../../src/store/gpn.js";
import { splitInstance } from "../../src/store/inventory.js";
import { statusColumns } from "../../src/store/status.js";

const CHILD_OF: readonly [prefix: string, path: string, child: string | undefined][] = [
  ["A.T.", "A.T.1.", "A.T.1."],
  ["A.T.", "A.T.1.X", "A.T.1."],
  ["A.T.", "A.T.Count", "A.T.Count"],
  ["A.T.", "A.T.", undefined],
  ["A.T.", "A.Tx.1.", undefined],
  ["A.T.", "B.T.1.", undefined],
  ["", "Device.", "Device."],
  ["", "Device.X", "Device."],
];
for (const [prefix, path, child] of CHILD_OF) {
  test(`childOf(${JSON.stringify(prefix)}, ${path}) = ${String(child)}`, () => assert.equal(childOf(prefix, path), child));
}

const STALE: readonly { name: string; discovered: string; answer: string[]; known: string[]; stale: string[] }[] = [
  { name: "vanished instance", discovered: "A.T.", answer: ["A.T.1.", "A.T.2."], known: ["A.T.1.", "A.T.3.", "A.T.3.X"], stale: ["A.T.3."] },
  { name: "vanished parameter", discovered: "A.", answer: ["A.X"], known: ["A.X", "A.Y"], stale: ["A.Y"] },
  { name: "object confirmed by a descendant only", discovered: "A.T.", answer: ["A.T.1.X"], known: ["A.T.1.", "A.T.1.Y"], stale: [] },
  { name: "instance 1 does not confirm instance 10", discovered: "A.T.", answer: ["A.T.1."], known: ["A.T.10.", "A.T.1."], stale: ["A.T.10."] },
  { name: "deeper descendants are not judged", discovered: "A.", answer: ["A.T.", "A.T.1."], known: ["A.T.7.X"], stale: [] },
  { name: "a full parameter name is not a partial path", discovered: "A.X", answer: ["A.X"], known: ["A.X"], stale: [] },
  { name: "empty answer forgets every child", discovered: "A.T.", answer: [], known: ["A.T.1.", "A.T.2.Z"], stale: ["A.T.1.", "A.T.2."] },
];
for (const c of STALE) {
  test(`staleChildren: ${c.name}`, () => assert.deepEqual(staleChildren(c.discovered, c.answer, c.known), c.stale));
}

const INSTANCES: readonly [string, ReturnType<typeof splitInstance>][] = [
  ["A.T.3.", { table: "A.T.", instance: 3 }],
  ["A.3.T.12.", { table: "A.3.T.", instance: 12 }],
  ["A.T.", undefined],
  ["A.T.3", undefined],
  ["A.T.x3.", undefined],
];
for (const [path, expected] of INSTANCES) {
  test(`splitInstance(${path})`, () => assert.deepEqual(splitInstance(path), expected));
}

test("statusColumns mirrors each condition as 1/0 and absent ones as NULL, revisions as NULL when undefined", () => {
  const cols = statusColumns({
    conditions: [
      { type: "Converged", status: false, reason: "r", message: "", lastTransition: 1 },
      { type: "Pending", status: true, reason: "r", message: "", lastTransition: 1 },
    ],
    matchedPolicies: [],
    appliedRevision: undefined,
    attemptedRevision: "r2",
    lastTransition: 1,
  });
  assert.deepEqual(
    { ...cols, status: undefined },
    { status: undefined, applied_revision: null, attempted_revision: "r2", c_matched: null, c_converged: 0, c_drifted: null, c_faulted: null, c_pending: 1 },
  );
});
