import test from "node:test";
import assert from "node:assert/strict";
import { lookupVariable, parseCsv, parseVarsCsv, parseVarsYaml } from "../../src/policy/vars.js";
import { desiredStateFor } from "../../src/policy/desired.js";
import { eg8145, loadFiles, loadOk } from "../support/policy-fixtures.js";

// [csv text, rows]
const CSV = [
  [
    "a,b\n1,2\n",
    [
      ["a", "b"],
      ["1", "2"],
    ],
  ],
  [
    "a,b\r\n1,2",
    [
      ["a", "b"],
      ["1", "2"],
    ],
  ],
  [
    'a,"b,c"\n"x ""y""",\n',
    [
      ["a", "b,c"],
      ['x "y"', ""],
    ],
  ],
  ['a\n"multi\nline"\n', [["a"], ["multi\nline"]]],
  [
    "a,b\n\n1,2\n",
    [
      ["a", "b"],
      ["1", "2"],
    ],
  ],
] as const;
for (const [text, rows] of CSV) void test(`parseCsv ${JSON.stringify(text)}`, () => assert.deepEqual(parseCsv(text), rows));

void test("CSV keyed by serialNumber: per-variable fallback to the * row; empty cells mean no value", () => {
  const { table, problems } = parseVarsCsv("vars/w.csv", "serialNumber,wifiKey,ssid\nS1,k1,\n*,kdefault,home\n");
  assert.deepEqual(problems, []);
  assert.ok(table);
  assert.equal(lookupVariable(table, "wifiKey", "ID-S1", "S1"), "k1");
  assert.equal(lookupVariable(table, "ssid", "ID-S1", "S1"), "home"); // S1's cell is empty: the * row fills it
  assert.equal(lookupVariable(table, "wifiKey", "ID-S2", "S2"), "kdefault");
  assert.equal(lookupVariable(table, "wifiKey", "S1", "other"), "kdefault"); // a serial column never matches ids
});

void test("CSV keyed by id matches device ids only", () => {
  const { table } = parseVarsCsv("vars/p.csv", "id,user\n00259E-EG8145V5-X,alice\n");
  assert.ok(table);
  assert.equal(lookupVariable(table, "user", "00259E-EG8145V5-X", "X"), "alice");
  assert.equal(lookupVariable(table, "user", "other", "00259E-EG8145V5-X"), undefined);
});

// [csv, problem substring, line]
const BAD_CSV = [
  ["", "empty variable file", 1],
  ["device,user\n", 'first column must be "id" or "serialNumber"', 1],
  ["id,bad-name\n", "not a valid variable name", 1],
  ["id,user\nA,1\nA,2\n", 'duplicate row for "A"', 3],
] as const;
for (const [text, msg, line] of BAD_CSV)
  void test(`bad CSV: ${msg}`, () => {
    const { problems } = parseVarsCsv("vars/x.csv", text);
    assert.equal(problems.length, 1);
    assert.ok(problems[0]?.message.includes(msg), problems[0]?.message);
    assert.equal(problems[0]?.line, line);
  });

void test("YAML variables: keyed by id or serial, numbers become lexical strings", () => {
  const { table, problems } = parseVarsYaml("vars/p.yaml", '"00259E-EG8145V5-X": { user: alice, vlan: 100 }\nS2: { user: bob }\n"*": { vlan: 1 }\n');
  assert.deepEqual(problems, []);
  assert.ok(table);
  assert.equal(lookupVariable(table, "user", "00259E-EG8145V5-X", "X"), "alice");
  assert.equal(lookupVariable(table, "vlan", "00259E-EG8145V5-X", "X"), "100");
  assert.equal(lookupVariable(table, "user", "id2", "S2"), "bob");
  assert.equal(lookupVariable(table, "vlan", "id2", "S2"), "1");
});

void test("YAML variables: syntax errors carry a line", () => {
  const { problems } = parseVarsYaml("vars/p.yaml", "a: { user: [\n");
  assert.equal(problems.length, 1);
  assert.ok((problems[0]?.line ?? 0) >= 1);
});

const PPP = "InternetGatewayDevice.WANDevice.1.WANConnectionDevice.1.WANPPPConnection.1";

void test("loader: variables from CSV and YAML files resolve per device; secrets from env win over the file", async () => {
  const dir = {
    "pppoe.yaml": `name: pppoe\nparameters:\n  ${PPP}.Username: "\${vars.user}"\n  ${PPP}.Password: "\${secret.PPP_PASS}"\n  ${PPP}.Name: "\${vars.label}"\n`,
    "vars/users.csv": "serialNumber,user\n48575443A94196A5,alice\n",
    "vars/labels.yaml": '"00259E-EG8145V5-48575443A94196A5": { label: home }\n',
  };
  const { mkdtempSync, writeFileSync } = await import("node:fs");
  const { join } = await import("node:path");
  const { tmpdir } = await import("node:os");
  const secretsFile = join(mkdtempSync(join(tmpdir(), "converge-secrets-")), "secrets.yaml");
  writeFileSync(secretsFile, "PPP_PASS: from-file\n");
  const fromFile = await loadOk(dir, { secretsFile });
  const d = desiredStateFor(fromFile, eg8145());
  assert.deepEqual(
    d.values.map((v) => [v.path.split(".").pop(), v.value, v.writeOnly]),
    [
      ["Username", "alice", false],
      ["Password", "from-file", true],
      ["Name", "home", false],
    ],
  );
  const fromEnv = await loadOk(dir, { secretsFile, env: { CONVERGE_SECRET_PPP_PASS: "from-env" } });
  assert.equal(desiredStateFor(fromEnv, eg8145()).values.find((v) => v.path.endsWith("Password"))?.value, "from-env");
  assert.equal(JSON.stringify(fromEnv).includes("from-env"), false, "secrets never serialise with the snapshot");
  assert.equal(fromEnv.revision, fromFile.revision, "secret values are not part of the revision");
});

void test("loader: a variable defined in two files, and an unknown variable, are errors", async () => {
  const r = await loadFiles({
    "p.yaml": 'name: p\nparameters:\n  InternetGatewayDevice.X_A.B: "${vars.nope}"\n',
    "vars/a.csv": "id,user\n",
    "vars/b.yaml": "x: { user: bob }\n",
  });
  assert.ok(!r.ok);
  assert.deepEqual(
    r.errors.map((e) => [e.code, e.file]),
    [
      ["unknown-template-variable", "p.yaml"],
      ["vars-file", "vars/b.yaml"],
    ],
  );
});

void test("a CSV variable file cut inside a quoted cell is a problem on the quote's line, not one long cell", () => {
  const { table, problems } = parseVarsCsv("vars/w.csv", 'serialNumber,wifiKey\nS1,k1\nS2,"unterminated\nS3,k3\n');
  assert.equal(table, undefined);
  assert.equal(problems.length, 1);
  assert.ok((problems[0]?.line ?? 0) >= 3, "the line where the file ends inside the quotes");
  assert.match(problems[0]?.message ?? "", /unterminated quoted field/);
});
