import test from "node:test";
import assert from "node:assert/strict";
import { createTokenAuth, generateToken, hashToken, type TokenCheck, type TokenScope } from "../../src/auth/tokens.js";

const WRITE_TOKEN = "w-2b7f0c3e9a1d4b5c8e6f";
const READ_TOKEN = "r-9c1e5a7b3d2f4e6a8b0c";
const auth = createTokenAuth([
  { name: "ci", sha256: hashToken(WRITE_TOKEN), scope: "write" },
  { name: "grafana", sha256: hashToken(READ_TOKEN).toUpperCase(), scope: "read" },
]);

const ROWS: [string, string | undefined, TokenScope, Pick<TokenCheck, "ok"> & { status?: number; name?: string }][] = [
  ["missing header", undefined, "read", { ok: false, status: 401 }],
  ["empty header", "", "read", { ok: false, status: 401 }],
  ["wrong scheme", `Basic ${WRITE_TOKEN}`, "read", { ok: false, status: 401 }],
  ["wrong token", "Bearer not-a-configured-token", "read", { ok: false, status: 401 }],
  ["the hash itself is not a token", `Bearer ${hashToken(WRITE_TOKEN)}`, "read", { ok: false, status: 401 }],
  ["token with trailing garbage", `Bearer ${WRITE_TOKEN}x`, "read", { ok: false, status: 401 }],
  ["read token on read", `Bearer ${READ_TOKEN}`, "read", { ok: true, name: "grafana" }],
  ["read token on write", `Bearer ${READ_TOKEN}`, "write", { ok: false, status: 403 }],
  ["write token on write", `Bearer ${WRITE_TOKEN}`, "write", { ok: true, name: "ci" }],
  ["write implies read", `Bearer ${WRITE_TOKEN}`, "read", { ok: true, name: "ci" }],
  ["scheme is case-insensitive", `bearer ${WRITE_TOKEN}`, "write", { ok: true, name: "ci" }],
];

for (const [name, header, needed, want] of ROWS) {
  void test(`token check: ${name}`, () => {
    const r = auth.check(header, needed);
    assert.equal(r.ok, want.ok);
    if (r.ok) assert.equal(r.name, want.name);
    else {
      assert.equal(r.status, want.status);
      if (r.status === 401) assert.match(r.wwwAuthenticate ?? "", /^Bearer /);
    }
  });
}

void test("no configured token: nothing is accepted, there is no default", () => {
  const none = createTokenAuth([]);
  assert.equal(none.count, 0);
  for (const t of ["", "admin", "converge", "changeme", "token", hashToken("")]) {
    assert.equal(none.check(`Bearer ${t}`, "read").ok, false);
  }
});

const BAD_CONFIG = [
  [[{ name: "a", sha256: "abc", scope: "read" }], /64 hex/],
  [[{ name: "", sha256: hashToken("x"), scope: "read" }], /name is empty/],
  [
    [
      { name: "a", sha256: hashToken("x"), scope: "read" },
      { name: "a", sha256: hashToken("y"), scope: "read" },
    ],
    /duplicate/,
  ],
] as const;

for (const [entries, re] of BAD_CONFIG) {
  void test(`token config rejected: ${re.source}`, () => assert.throws(() => createTokenAuth(entries), re));
}

void test("hashToken is hex SHA-256 (known vector) and generateToken is 32 random bytes, base64url", () => {
  assert.equal(hashToken("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  assert.equal(
    generateToken((n) => Buffer.alloc(n, 0xff)),
    "_".repeat(42) + "8",
  );
  assert.match(generateToken(), /^[A-Za-z0-9_-]{43}$/);
});
