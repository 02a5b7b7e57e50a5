import test from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { parseAuthHeader, quote } from "../../src/auth/auth-params.js";
import { createDigestVerifier } from "../../src/auth/digest.js";
import { parseBasic } from "../../src/auth/basic.js";
import { parseUdpConnectionRequest } from "../../src/connreq/udp.js";

const simplify = (h: string | string[]) =>
  parseAuthHeader(h).map((c) => ({ scheme: c.scheme, params: Object.fromEntries(c.params), ...(c.token68 ? { token68: c.token68 } : {}) }));

const ROWS: [string, string | string[], ReturnType<typeof simplify>][] = [
  [
    "GenieACS-style Digest challenge",
    'Digest realm="GenieACS", qop="auth,auth-int", nonce="abc123"',
    [{ scheme: "digest", params: { realm: "GenieACS", qop: "auth,auth-int", nonce: "abc123" } }],
  ],
  [
    "MikroTik credentials with bare tokens and empty opaque",
    'Digest username="u", realm="r", nonce="n", uri="/", algorithm=MD5, response="x", qop=auth, nc=00000001, cnonce="c", opaque=""',
    [
      {
        scheme: "digest",
        params: { username: "u", realm: "r", nonce: "n", uri: "/", algorithm: "MD5", response: "x", qop: "auth", nc: "00000001", cnonce: "c", opaque: "" },
      },
    ],
  ],
  [
    "two challenges in one header",
    'Digest realm="a", nonce="n", Basic realm="b"',
    [
      { scheme: "digest", params: { realm: "a", nonce: "n" } },
      { scheme: "basic", params: { realm: "b" } },
    ],
  ],
  [
    "two header values",
    ['Basic realm="b"', 'Digest realm="a"'],
    [
      { scheme: "basic", params: { realm: "b" } },
      { scheme: "digest", params: { realm: "a" } },
    ],
  ],
  ["escaped quotes and commas inside values", 'Digest realm="a \\"q\\", b", nonce="n"', [{ scheme: "digest", params: { realm: 'a "q", b', nonce: "n" } }]],
  ["parameter names are case-insensitive, first one wins", 'DIGEST Realm="a", REALM="b"', [{ scheme: "digest", params: { realm: "a" } }]],
  ["token68 with padding", "Basic YWxhZGRpbjpvcGVuc2VzYW1l==", [{ scheme: "basic", params: {}, token68: "YWxhZGRpbjpvcGVuc2VzYW1l==" }]],
  ["bearer token68", "Bearer abc.DEF-_~+/", [{ scheme: "bearer", params: {}, token68: "abc.DEF-_~+/" }]],
  ["spaces around =", 'Digest realm = "a" , nonce= "n"', [{ scheme: "digest", params: { realm: "a", nonce: "n" } }]],
  ["unterminated quote drops the parameter", 'Digest realm="a', [{ scheme: "digest", params: {} }]],
  ["empty", "", []],
];

for (const [name, header, want] of ROWS) {
  void test(`parseAuthHeader: ${name}`, () => assert.deepEqual(simplify(header), want));
}

void test("quote round-trips through the parser for any value", () => {
  fc.assert(
    fc.property(fc.string(), (v) => {
      assert.equal(parseAuthHeader(`Digest realm=${quote(v)}`)[0]?.params.get("realm"), v);
    }),
  );
});

void test("parsers never throw on arbitrary input (header, Basic, Digest verify, UDP datagram)", () => {
  const v = createDigestVerifier({ realm: "r", nonceTtlMs: 1000, secret: Buffer.alloc(32), now: () => 0 });
  const lookup = (): string => "pw";
  const headers = fc.oneof(
    fc.string(),
    fc.string().map((s) => `Digest ${s}`),
    fc.string().map((s) => `Basic ${s}`),
    fc.stringMatching(/^Digest( [a-z]{1,6}="?[^"]{0,8}"?,?){0,8}$/),
  );
  fc.assert(
    fc.property(headers, (h) => {
      parseAuthHeader(h);
      parseBasic(h);
      const r = v.verify("POST", h, lookup);
      assert.equal(r.ok, false);
      parseUdpConnectionRequest(h, lookup);
      parseUdpConnectionRequest(`GET http://a:1?${h} HTTP/1.1\r\n\r\n`, lookup);
    }),
    { numRuns: 2000 },
  );
});
