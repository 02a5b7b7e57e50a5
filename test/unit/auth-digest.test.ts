import test from "node:test";
import assert from "node:assert/strict";
import { createDigestVerifier, type DigestVerdict } from "../../src/auth/digest.js";
import { digestAuthorization, digestResponse, type DigestInput } from "../../src/auth/digest-core.js";
import { parseAuthHeader } from "../../src/auth/auth-params.js";

const SECRET = Buffer.from("0123456789abcdef0123456789abcdef");
const REALM = "converge";
const USERS: Record<string, string> = { "00259E-EG8145V5-4857544312345678": "s3cret", alice: "wonder" };
const lookup = (u: string): string | undefined => USERS[u];

function setup(opts: { ttl?: number; maxTracked?: number } = {}) {
  const clock = { t: 1_700_000_000_000 };
  const v = createDigestVerifier({
    realm: REALM,
    nonceTtlMs: opts.ttl ?? 60_000,
    secret: SECRET,
    now: () => clock.t,
    ...(opts.maxTracked ? { maxTrackedNonces: opts.maxTracked } : {}),
  });
  return { v, clock };
}

/** What a CPE does with our challenge: the real client-side computation. */
function answer(challenge: string, over: Partial<DigestInput> & { noQop?: boolean } = {}): string {
  const c = parseAuthHeader(challenge)[0];
  assert.ok(c);
  const base: DigestInput = {
    algorithm: "MD5",
    username: "alice",
    password: "wonder",
    realm: c.params.get("realm") ?? "",
    nonce: c.params.get("nonce") ?? "",
    method: "POST",
    uri: "/cwmp",
    qop: { nc: "00000001", cnonce: "0a4f113b" },
  };
  const { noQop, ...rest } = over;
  const { qop, ...withoutQop } = { ...base, ...rest };
  return digestAuthorization(noQop || qop === undefined ? withoutQop : { ...withoutQop, qop });
}

void test("RFC 2617 worked example: our response computation matches the published value", () => {
  // RFC 2617 §3.5 (Mufasa); the RFC's nc/cnonce/qop values give this response.
  const h = digestAuthorization({
    algorithm: "MD5",
    username: "Mufasa",
    realm: "testrealm@host.com",
    password: "Circle Of Life",
    method: "GET",
    uri: "/dir/index.html",
    nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093",
    qop: { nc: "00000001", cnonce: "0a4f113b" },
  });
  assert.match(h, /response="6629fae49393a05397450978507c4ef1"/);
});

const RFC7616 = {
  username: "Mufasa",
  realm: "http-auth@example.org",
  password: "Circle of Life",
  method: "GET",
  uri: "/dir/index.html",
  nonce: "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
  qop: { nc: "00000001", cnonce: "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ" },
};
for (const [algorithm, want] of [
  ["MD5", "8ca523f5e9506fed4657c9700eebdbec"],
  ["SHA-256", "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"],
] as const) {
  void test(`RFC 7616 §3.9.1 worked example (${algorithm}): our response matches the published value`, () => {
    assert.equal(digestResponse({ ...RFC7616, algorithm }), want);
  });
}

void test("nonces are at most 32 characters (fixed nonce buffers of embedded stacks)", () => {
  const { v, clock } = setup();
  for (let i = 0; i < 50; i++) {
    clock.t += 7_919;
    const nonce = parseAuthHeader(v.challenge())[0]?.params.get("nonce") ?? "";
    assert.ok(nonce.length > 0 && nonce.length <= 32, `nonce ${nonce} is ${nonce.length} characters`);
  }
});

void test("challenge offers MD5 with qop=auth and only marks stale on request", () => {
  const { v } = setup();
  const c = parseAuthHeader(v.challenge())[0];
  assert.equal(c?.scheme, "digest");
  assert.equal(c?.params.get("qop"), "auth");
  assert.equal(c?.params.get("algorithm"), "MD5");
  assert.equal(c?.params.get("realm"), REALM);
  assert.equal(c?.params.has("stale"), false);
  assert.equal(parseAuthHeader(v.challenge(true))[0]?.params.get("stale"), "true");
  assert.notEqual(v.challenge(), v.challenge(), "nonces are unique");
});

type Row = { name: string; run: (s: ReturnType<typeof setup>) => DigestVerdict; want: DigestVerdict | { ok: false; stale: boolean } };
const ROWS: Row[] = [
  { name: "qop=auth, right password", run: ({ v }) => v.verify("POST", answer(v.challenge()), lookup), want: { ok: true, username: "alice" } },
  {
    name: "RFC 2069 (no qop), right password",
    run: ({ v }) => v.verify("POST", answer(v.challenge(), { noQop: true }), lookup),
    want: { ok: true, username: "alice" },
  },
  {
    name: "device-id username",
    run: ({ v }) => v.verify("POST", answer(v.challenge(), { username: "00259E-EG8145V5-4857544312345678", password: "s3cret" }), lookup),
    want: { ok: true, username: "00259E-EG8145V5-4857544312345678" },
  },
  { name: "wrong password", run: ({ v }) => v.verify("POST", answer(v.challenge(), { password: "nope" }), lookup), want: { ok: false, stale: false } },
  { name: "unknown user", run: ({ v }) => v.verify("POST", answer(v.challenge(), { username: "mallory" }), lookup), want: { ok: false, stale: false } },
  { name: "different method than digested", run: ({ v }) => v.verify("GET", answer(v.challenge()), lookup), want: { ok: false, stale: false } },
  { name: "wrong realm", run: ({ v }) => v.verify("POST", answer(v.challenge(), { realm: "other" }), lookup), want: { ok: false, stale: false } },
  {
    name: "nonce we never issued",
    run: ({ v }) => v.verify("POST", answer(v.challenge(), { nonce: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" }), lookup),
    want: { ok: false, stale: false },
  },
  {
    name: "nonce from another server secret",
    run: ({ v }) => {
      const other = createDigestVerifier({ realm: REALM, nonceTtlMs: 60_000, secret: Buffer.alloc(32, 7), now: () => 1_700_000_000_000 });
      return v.verify("POST", answer(other.challenge()), lookup);
    },
    want: { ok: false, stale: false },
  },
  {
    name: "expired nonce with right password is stale",
    run: ({ v, clock }) => {
      const c = v.challenge();
      clock.t += 60_001;
      return v.verify("POST", answer(c), lookup);
    },
    want: { ok: false, stale: true },
  },
  {
    name: "expired nonce with wrong password is not stale",
    run: ({ v, clock }) => {
      const c = v.challenge();
      clock.t += 60_001;
      return v.verify("POST", answer(c, { password: "x" }), lookup);
    },
    want: { ok: false, stale: false },
  },
  {
    name: "nonce at exactly the TTL is still fresh",
    run: ({ v, clock }) => {
      const c = v.challenge();
      clock.t += 60_000;
      return v.verify("POST", answer(c), lookup);
    },
    want: { ok: true, username: "alice" },
  },
  {
    name: "replayed request (same nc) is refused, as stale so the CPE re-answers at once with a fresh nonce",
    run: ({ v }) => {
      const h = answer(v.challenge());
      assert.equal(v.verify("POST", h, lookup).ok, true);
      return v.verify("POST", h, lookup);
    },
    want: { ok: false, stale: true },
  },
  {
    name: "increasing nc on the same nonce is accepted",
    run: ({ v }) => {
      const c = v.challenge();
      assert.equal(v.verify("POST", answer(c, { qop: { nc: "00000001", cnonce: "a" } }), lookup).ok, true);
      return v.verify("POST", answer(c, { qop: { nc: "00000002", cnonce: "a" } }), lookup);
    },
    want: { ok: true, username: "alice" },
  },
  {
    name: "lower nc after a higher one is a replay",
    run: ({ v }) => {
      const c = v.challenge();
      assert.equal(v.verify("POST", answer(c, { qop: { nc: "00000005", cnonce: "a" } }), lookup).ok, true);
      return v.verify("POST", answer(c, { qop: { nc: "00000003", cnonce: "a" } }), lookup);
    },
    want: { ok: false, stale: true },
  },
  {
    name: "a replayed nc with a wrong password is not stale (stale only for right credentials)",
    run: ({ v }) => {
      const c = v.challenge();
      assert.equal(v.verify("POST", answer(c), lookup).ok, true);
      return v.verify("POST", answer(c, { password: "x" }), lookup);
    },
    want: { ok: false, stale: false },
  },
  {
    name: 'empty uri="" (embedded stacks) is accepted',
    run: ({ v }) => v.verify("POST", answer(v.challenge(), { uri: "" }), lookup, "/cwmp"),
    want: { ok: true, username: "alice" },
  },
  {
    name: "a nonce cut to fewer characters (a CPE's short buffer) is not ours",
    run: ({ v }) => {
      const c = v.challenge();
      const nonce = parseAuthHeader(c)[0]?.params.get("nonce") ?? "";
      return v.verify("POST", answer(c, { nonce: nonce.slice(0, 24) }), lookup);
    },
    want: { ok: false, stale: false },
  },
  {
    name: "SHA-256 digest is refused (MD5 only on the ACS side)",
    run: ({ v }) => v.verify("POST", answer(v.challenge(), { algorithm: "SHA-256" }), lookup),
    want: { ok: false, stale: false },
  },
  { name: "Basic credentials are not Digest", run: ({ v }) => v.verify("POST", "Basic YWxpY2U6d29uZGVy", lookup), want: { ok: false, stale: false } },
  { name: "garbage header", run: ({ v }) => v.verify("POST", 'Digest ,,,="', lookup), want: { ok: false, stale: false } },
  { name: "qop=auth without nc", run: ({ v }) => v.verify("POST", answer(v.challenge()).replace(/, nc=\w+/, ""), lookup), want: { ok: false, stale: false } },
  {
    name: "uri must match the request when given",
    run: ({ v }) => v.verify("POST", answer(v.challenge(), { uri: "/other" }), lookup, "/cwmp"),
    want: { ok: false, stale: false },
  },
  {
    name: "absolute uri naming the request path is accepted",
    run: ({ v }) => v.verify("POST", answer(v.challenge(), { uri: "http://acs.example:7547/cwmp" }), lookup, "/cwmp"),
    want: { ok: true, username: "alice" },
  },
];

for (const row of ROWS) {
  void test(`digest verify: ${row.name}`, () => {
    const got = row.run(setup());
    if (row.want.ok) assert.deepEqual(got, row.want);
    else {
      assert.equal(got.ok, false);
      assert.equal(!got.ok && got.stale, row.want.stale, !got.ok ? got.reason : "");
    }
  });
}

void test("replay state is bounded: evicted nonces are re-challenged as stale, never silently accepted", () => {
  const { v, clock } = setup({ maxTracked: 2 });
  const first = v.challenge();
  const h1 = answer(first);
  assert.equal(v.verify("POST", h1, lookup).ok, true);
  for (let i = 0; i < 3; i++) {
    clock.t += 1;
    assert.equal(v.verify("POST", answer(v.challenge()), lookup).ok, true);
  }
  const replay = v.verify("POST", h1, lookup);
  assert.deepEqual({ ok: replay.ok, stale: !replay.ok && replay.stale }, { ok: false, stale: true });
});

void test("a short secret is a configuration error", () => {
  assert.throws(() => createDigestVerifier({ realm: "r", nonceTtlMs: 1, secret: Buffer.alloc(8), now: Date.now }), /16 bytes/);
});
