import test from "node:test";
import assert from "node:assert/strict";
import { authenticateCpe, cpeAuthConfigProblem, type ClientCertMode, type CpeAuthConfig, type CpeAuthMode } from "../../src/auth/cpe-auth.js";
import { createDigestVerifier } from "../../src/auth/digest.js";
import { basicAuthorization } from "../../src/auth/basic.js";
import { digestAuthorization } from "../../src/auth/digest-core.js";
import { parseAuthHeader } from "../../src/auth/auth-params.js";

const lookup = (u: string): string | undefined => (u === "cpe1" ? "pw1" : undefined);
const digest = createDigestVerifier({ realm: "acs", nonceTtlMs: 30_000, secret: Buffer.alloc(32, 1), now: () => 1_000_000 });

function cfg(mode: CpeAuthMode, allowBasicOverHttp = false): CpeAuthConfig {
  return { mode, allowBasicOverHttp, lookup, digest };
}

function digestHeader(password: string): string {
  const nonce = parseAuthHeader(digest.challenge())[0]?.params.get("nonce") ?? "";
  return digestAuthorization({
    algorithm: "MD5",
    username: "cpe1",
    password,
    realm: "acs",
    nonce,
    method: "POST",
    uri: "/",
    qop: { nc: "00000001", cnonce: "c" },
  });
}

const BASIC_OK = basicAuthorization("cpe1", "pw1");
const BASIC_BAD = basicAuthorization("cpe1", "nope");

// [name, mode, allowBasicOverHttp, tls, authorization, expected ok, expected challenge schemes on failure]
const ROWS: [string, CpeAuthMode, boolean, boolean, () => string | undefined, boolean, string[]][] = [
  ["open accepts anything", "open", false, false, () => undefined, true, []],
  ["digest: no credentials -> Digest challenge only", "digest", false, false, () => undefined, false, ["digest"]],
  ["digest: valid digest", "digest", false, false, () => digestHeader("pw1"), true, []],
  ["digest: wrong password", "digest", false, false, () => digestHeader("bad"), false, ["digest"]],
  ["digest: Basic is not accepted even over TLS", "digest", false, true, () => BASIC_OK, false, ["digest"]],
  ["basic over TLS: valid", "basic", false, true, () => BASIC_OK, true, []],
  ["basic over TLS: wrong password", "basic", false, true, () => BASIC_BAD, false, ["basic"]],
  ["basic over HTTP refused even with the right password", "basic", false, false, () => BASIC_OK, false, []],
  ["basic over HTTP when allowed", "basic", true, false, () => BASIC_OK, true, []],
  ["any over HTTP: challenge offers Digest, not Basic", "any", false, false, () => undefined, false, ["digest"]],
  ["any over TLS: challenge offers Digest then Basic", "any", false, true, () => undefined, false, ["digest", "basic"]],
  ["any over HTTP: Basic refused", "any", false, false, () => BASIC_OK, false, ["digest"]],
  ["any over HTTP allowed: Basic accepted", "any", true, false, () => BASIC_OK, true, []],
  ["any: Digest accepted", "any", false, false, () => digestHeader("pw1"), true, []],
  ["unknown scheme", "any", false, true, () => "Bearer xyz", false, ["digest", "basic"]],
];

for (const [name, mode, allow, tls, auth, wantOk, schemes] of ROWS) {
  void test(`authenticateCpe: ${name}`, () => {
    const r = authenticateCpe({ method: "POST", authorization: auth(), tls, url: "/" }, cfg(mode, allow));
    assert.equal(r.ok, wantOk, r.ok ? "" : r.reason);
    if (!r.ok) {
      assert.equal(r.status, 401);
      assert.deepEqual(
        r.wwwAuthenticate.map((h) => parseAuthHeader(h)[0]?.scheme),
        schemes,
      );
    } else if (mode !== "open") assert.equal(r.username, "cpe1");
  });
}

void test("authenticateCpe: an expired nonce with the right password re-challenges with stale=true", () => {
  let now = 0;
  const v = createDigestVerifier({ realm: "acs", nonceTtlMs: 10, secret: Buffer.alloc(32, 2), now: () => now });
  const nonce = parseAuthHeader(v.challenge())[0]?.params.get("nonce") ?? "";
  now = 1000;
  const header = digestAuthorization({
    algorithm: "MD5",
    username: "cpe1",
    password: "pw1",
    realm: "acs",
    nonce,
    method: "POST",
    uri: "/",
    qop: { nc: "00000001", cnonce: "c" },
  });
  const r = authenticateCpe({ method: "POST", authorization: header, tls: false }, { mode: "digest", allowBasicOverHttp: false, lookup, digest: v });
  assert.equal(r.ok, false);
  assert.equal(!r.ok && parseAuthHeader(r.wwwAuthenticate[0] ?? "")[0]?.params.get("stale"), "true");
});

const PROBLEMS = [
  [{ mode: "basic", allowBasicOverHttp: false }, false, true],
  [{ mode: "basic", allowBasicOverHttp: false }, true, false],
  [{ mode: "basic", allowBasicOverHttp: true }, false, false],
  [{ mode: "digest", allowBasicOverHttp: false }, false, true], // no verifier
  [{ mode: "digest", allowBasicOverHttp: false, digest }, false, false],
  [{ mode: "open", allowBasicOverHttp: false }, false, false],
] as const;

for (const [c, tls, problem] of PROBLEMS) {
  void test(`cpeAuthConfigProblem(${c.mode}, allowBasicOverHttp=${c.allowBasicOverHttp}, verifier=${"digest" in c}, tls=${tls}) -> ${problem}`, () => {
    assert.equal(cpeAuthConfigProblem(c, tls) !== undefined, problem);
  });
}

// Client certificates: [name, clientCert mode, HTTP mode, verified CN, authorization, expected status (0 = ok), expected username]
const CERT_ROWS: [string, ClientCertMode, CpeAuthMode, string | undefined, () => string | undefined, number, string | undefined][] = [
  ["off: a verified certificate is ignored, HTTP auth still needed", "off", "digest", "CPE-1", () => undefined, 401, undefined],
  ["accept: a verified certificate stands in for HTTP auth", "accept", "digest", "CPE-1", () => undefined, 0, "CPE-1"],
  ["accept: no certificate falls back to Digest", "accept", "digest", undefined, () => digestHeader("pw1"), 0, "cpe1"],
  ["accept: no certificate and no credentials -> Digest challenge", "accept", "digest", undefined, () => undefined, 401, undefined],
  ["require: no certificate -> 403 even with the right password", "require", "digest", undefined, () => digestHeader("pw1"), 403, undefined],
  ["require: certificate without HTTP credentials -> 401", "require", "digest", "CPE-1", () => undefined, 401, undefined],
  ["require: certificate and Digest -> ok as the HTTP user", "require", "digest", "CPE-1", () => digestHeader("pw1"), 0, "cpe1"],
  ["require with mode open: the certificate alone authenticates", "require", "open", "CPE-1", () => undefined, 0, "CPE-1"],
  ["require with mode open: no certificate -> 403", "require", "open", undefined, () => undefined, 403, undefined],
];

for (const [name, clientCert, mode, cn, auth, status, username] of CERT_ROWS) {
  void test(`authenticateCpe client certificate: ${name}`, () => {
    const r = authenticateCpe(
      { method: "POST", authorization: auth(), tls: true, url: "/", ...(cn ? { clientCertName: cn } : {}) },
      { ...cfg(mode), clientCert },
    );
    assert.equal(r.ok ? 0 : r.status, status, r.ok ? "" : r.reason);
    if (r.ok) {
      assert.equal(r.username, username);
      assert.equal(r.clientCert, clientCert === "off" ? undefined : cn);
    } else if (r.status === 403) assert.deepEqual(r.wwwAuthenticate, [], "no HTTP challenge can fix a missing certificate");
  });
}

void test("cpeAuthConfigProblem: client certificates need TLS", () => {
  assert.match(cpeAuthConfigProblem({ mode: "digest", allowBasicOverHttp: false, digest, clientCert: "accept" }, false) ?? "", /need TLS/);
  assert.equal(cpeAuthConfigProblem({ mode: "digest", allowBasicOverHttp: false, digest, clientCert: "accept" }, true), undefined);
});
