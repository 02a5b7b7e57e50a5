/** Configuration: file + environment, validated at start-up with a message naming the bad key. */
import test from "node:test";
import assert from "node:assert/strict";
import { buildConfig, DEFAULTS } from "../../src/config/config.js";

void test("no file, no environment: the embedded defaults (CWMP 7547, API 7557 on loopback, ./data, ./policies)", () => {
  const c = buildConfig({}, undefined);
  assert.ok(c.ok);
  assert.deepEqual(c.value, DEFAULTS);
  assert.equal(c.value.cwmp.port, 7547);
  assert.equal(c.value.api.port, 7557);
  assert.equal(c.value.api.bind, "127.0.0.1");
});

void test("environment overrides the file, which overrides the defaults", () => {
  const c = buildConfig({ CONVERGE_CWMP_PORT: "9000", CONVERGE_DB: "/tmp/x.db" }, "cwmp: { port: 8000, bind: 127.0.0.1 }\npolicies: ./p\n");
  assert.ok(c.ok);
  assert.equal(c.value.cwmp.port, 9000);
  assert.equal(c.value.cwmp.bind, "127.0.0.1");
  assert.equal(c.value.policies, "./p");
  assert.equal(c.value.db, "/tmp/x.db");
  assert.equal(c.value.api.port, 7557);
});

void test("API tokens from the environment: name:sha256:scope entries", () => {
  const sha = "a".repeat(64);
  const c = buildConfig({ CONVERGE_API_TOKENS: `ci:${sha}:write,noc:${"b".repeat(64)}:read` }, undefined);
  assert.ok(c.ok);
  assert.deepEqual(c.value.api.tokens, [
    { name: "ci", sha256: sha, scope: "write" },
    { name: "noc", sha256: "b".repeat(64), scope: "read" },
  ]);
});

const BAD: readonly [string, Record<string, string>, string | undefined, RegExp][] = [
  ["a port that is not a number", { CONVERGE_CWMP_PORT: "http" }, undefined, /CONVERGE_CWMP_PORT: expected a whole number/],
  ["a boolean that is not one", { CONVERGE_KICK_ON_RELOAD: "maybe" }, undefined, /CONVERGE_KICK_ON_RELOAD: expected true or false/],
  ["an unknown key in the file", {}, "cwmp: { prot: 7547 }\n", /config key cwmp: must NOT have additional properties "prot"/],
  ["a port out of range", {}, "api: { port: 70000 }\n", /config key api\.port: must be <= 65535/],
  ["an unknown CPE auth mode", { CONVERGE_CPE_AUTH: "kerberos" }, undefined, /config key cpeAuth\.mode/],
  ["a malformed token entry", { CONVERGE_API_TOKENS: "ci-only" }, undefined, /CONVERGE_API_TOKENS: expected name:sha256:scope/],
  ["a file that is not YAML", {}, "cwmp: [unclosed\n", /config: /],
];

for (const [name, env, file, want] of BAD) {
  void test(`refused with a message naming the key: ${name}`, () => {
    const c = buildConfig(env, file);
    assert.equal(c.ok, false);
    if (!c.ok) assert.match(c.error.join("\n"), want);
  });
}
