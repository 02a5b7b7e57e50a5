/**
 * #10.3 / #10.4: reading a policy file is linear and bounded. Work is counted (map entries examined by the
 * duplicate-key check, the position index and position lookups), never timed: a file of n keys whose every key
 * is located (what provenance and error messages do) costs a small multiple of n, where the former per-lookup
 * scan and the yaml library's pairwise uniqueKeys check were quadratic (150,000 keys froze a server 13 minutes).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseYamlFile, type YamlWorkMeter } from "../../src/policy/yaml-source.js";
import { YAML_LIMITS } from "../../src/policy/yaml-limits.js";
import { loadFiles } from "../support/policy-fixtures.js";

const bigPolicy = (n: number): string => {
  const lines = ["name: big", "parameters:"];
  for (let i = 0; i < n; i++) lines.push(`  InternetGatewayDevice.X_Vendor.Param${i}: v${i}`);
  return `${lines.join("\n")}\n`;
};

function workFor(n: number): number {
  const meter: YamlWorkMeter = { steps: 0 };
  const { docs, problems } = parseYamlFile(bigPolicy(n), meter);
  assert.deepEqual(problems, []);
  const doc = docs[0];
  assert.ok(doc);
  for (let i = 0; i < n; i++) doc.locate(`/parameters/InternetGatewayDevice.X_Vendor.Param${i}`, true);
  return meter.steps;
}

describe("policy YAML: linear work and bounds", () => {
  it("locating every key of an n-key file costs O(n) entries examined, at every size", () => {
    for (const n of [1_000, 10_000, 50_000]) {
      const steps = workFor(n);
      assert.ok(steps <= 4 * n + 16, `${steps} entries examined for ${n} keys`);
    }
  });

  it("duplicate keys are still found (by the linear check), with their position", () => {
    const { problems } = parseYamlFile("name: a\nparameters:\n  X: 1\n  Y: 2\n  X: 3\n");
    assert.deepEqual(
      problems.map((p) => [p.message, p.line, p.column]),
      [["Map keys must be unique", 5, 3]],
    );
  });

  it("a 50,000-key policy loads and validates whole", async () => {
    const r = await loadFiles({ "big.yaml": bigPolicy(50_000) });
    assert.ok(r.ok, r.ok ? "" : JSON.stringify(r.errors.slice(0, 3)));
    assert.equal(r.set.policies[0]?.values.length, 50_000);
  });

  it("key, alias and size bounds trip as too-large before values are built", () => {
    const many = parseYamlFile(`${Array.from({ length: YAML_LIMITS.maxKeys + 1 }, (_, i) => `k${i}: 1`).join("\n")}\n`);
    assert.equal(many.problems[0]?.kind, "too-large");
    assert.match(many.problems[0]?.message ?? "", /more than 500000 keys/);
    const aliases = parseYamlFile(`a: &a 1\nb: [${Array.from({ length: YAML_LIMITS.maxAliases + 1 }, () => "*a").join(", ")}]\n`);
    assert.match(aliases.problems[0]?.message ?? "", /more than 100 aliases/);
    const bomb = parseYamlFile(
      'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n',
    );
    assert.equal(bomb.docs.length, 0);
    assert.equal(bomb.problems[0]?.kind, "too-large");
    const huge = parseYamlFile("x".repeat(YAML_LIMITS.maxFileChars + 1));
    assert.match(huge.problems[0]?.message ?? "", /exceeds/);
  });
});
