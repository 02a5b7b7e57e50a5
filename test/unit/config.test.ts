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
  ["an unknown key in the file", {}, "cwmp: { prot: 7547 }\n", /^config:1:9: error: config key cwmp: unknown key "prot" \(did you mean "port"\?\)/],
  ["a port out of range", {}, "api: { port: 70000 }\n", /^config:1:14: error: config key api\.port: must be <= 65535/],
  [
    "an unknown CPE auth mode",
    { CONVERGE_CPE_AUTH: "kerberos" },
    undefined,
    /^CONVERGE_CPE_AUTH \(config key cpeAuth\.mode\): expected one of open, basic, digest or any/,
  ],
  ["a malformed token entry", { CONVERGE_API_TOKENS: "ci-only" }, undefined, /CONVERGE_API_TOKENS: expected name:sha256:scope/],
  ["a file that is not YAML", {}, "cwmp: [unclosed\n", /^config:\d+:\d+: error: /],
];

for (const [name, env, file, want] of BAD) {
  void test(`refused with a message naming the key: ${name}`, () => {
    const c = buildConfig(env, file);
    assert.equal(c.ok, false);
    if (!c.ok) assert.match(c.error.join("\n"), want);
  });
}

void test("the endpoint's settings from the environment (issues 9 and 10): allowBasic, per-request auth, XML declaration per model, limits, connection-request targets", () => {
  const c = buildConfig(
    {
      CONVERGE_CONNREQ_ALLOW_BASIC: "true",
      CONVERGE_CPE_AUTH_PER_REQUEST: "yes",
      CONVERGE_OMIT_XML_DECLARATION: "00259E/EG8145V5, 001E73 ,*/ZXHN H199A",
      CONVERGE_MAX_SESSIONS_PER_SOURCE: "5",
      CONVERGE_UNAUTHENTICATED_IDLE_MS: "2000",
      CONVERGE_MAX_CPE_REQUESTS_PER_SESSION: "8",
      CONVERGE_MAX_STORED_VALUE_CHARS: "4096",
      CONVERGE_MAX_FAULT_STRING_CHARS: "256",
      CONVERGE_CONNREQ_ALLOWED_NETWORKS: "10.0.0.0/8, 2001:db8::/32",
      CONVERGE_CONNREQ_PER_TARGET_PER_MINUTE: "12",
    },
    undefined,
  );
  assert.ok(c.ok, c.ok ? "" : c.error.join("\n"));
  assert.equal(c.value.connectionRequest.allowBasic, true);
  assert.equal(c.value.cpeAuth.perRequest, true);
  assert.deepEqual(c.value.cwmp.omitXmlDeclaration, [{ oui: "00259E", productClass: "EG8145V5" }, { oui: "001E73" }, { productClass: "ZXHN H199A" }]);
  assert.equal(c.value.limits.maxSessionsPerSource, 5);
  assert.equal(c.value.limits.unauthenticatedIdleMs, 2000);
  assert.equal(c.value.limits.maxCpeRequestsPerSession, 8);
  assert.equal(c.value.limits.maxStoredValueChars, 4096);
  assert.equal(c.value.limits.maxFaultStringChars, 256);
  assert.deepEqual(c.value.connectionRequest.allowedNetworks, ["10.0.0.0/8", "2001:db8::/32"]);
  assert.equal(c.value.connectionRequest.perTargetPerMinute, 12);
  assert.equal(buildConfig({}, undefined).ok && DEFAULTS.connectionRequest.allowBasic, false);
  const star = buildConfig({ CONVERGE_OMIT_XML_DECLARATION: "*" }, undefined);
  assert.ok(star.ok);
  assert.deepEqual(star.value.cwmp.omitXmlDeclaration, [{}]);
  const bad = buildConfig({ CONVERGE_OMIT_XML_DECLARATION: "00259E/" }, undefined);
  assert.equal(bad.ok, false);
});
