import test from "node:test";
import assert from "node:assert/strict";
import { buildUdpConnectionRequest, parseUdpConnectionRequest, parseUdpAddress, udpSignature } from "../../src/connreq/udp.js";

const FIELDS = { host: "203.0.113.7", port: 5060, ts: 1_700_000_000, id: 4242, username: "cpe-0001", cnonce: "a1b2c3", password: "pw" };
const lookup = (u: string): string | undefined => (u === "cpe-0001" ? "pw" : u === "odd name&=" ? "x" : undefined);

void test("the message is one HTTP/1.1 GET with an absolute URI, empty path, CRLF line ends and the Host header", () => {
  const sig = udpSignature("pw", FIELDS.ts, FIELDS.id, FIELDS.username, FIELDS.cnonce);
  assert.equal(
    buildUdpConnectionRequest(FIELDS),
    `GET http://203.0.113.7:5060?ts=1700000000&id=4242&un=cpe-0001&cn=a1b2c3&sig=${sig} HTTP/1.1\r\nHost: 203.0.113.7:5060\r\n\r\n`,
  );
});

void test("sig is hex HMAC-SHA1 keyed with the password over ts|id|un|cn concatenated", () => {
  // Independent vector: printf '%s' 17000000004242cpe-0001a1b2c3 | openssl dgst -sha1 -hmac pw
  assert.equal(udpSignature("pw", 1_700_000_000, 4242, "cpe-0001", "a1b2c3"), "6e30399cc25e54edad7aaef1ae86faf1bc3abd9a");
});

void test("IPv6 hosts are bracketed", () => {
  assert.match(
    buildUdpConnectionRequest({ ...FIELDS, host: "2001:db8::7" }),
    /^GET http:\/\/\[2001:db8::7\]:5060\?ts=.* HTTP\/1\.1\r\nHost: \[2001:db8::7\]:5060\r\n\r\n$/,
  );
});

const msg = buildUdpConnectionRequest(FIELDS);
const PARSE: [string, string, Parameters<typeof parseUdpConnectionRequest>[2], string | undefined][] = [
  ["valid", msg, {}, undefined],
  ["valid within the clock window", msg, { nowSeconds: FIELDS.ts + 30, maxSkewSeconds: 60 }, undefined],
  ["outside the clock window", msg, { nowSeconds: FIELDS.ts + 3600, maxSkewSeconds: 60 }, "ts outside the accepted window"],
  ["a copy of the last accepted message", msg, { lastAccepted: { ts: FIELDS.ts, id: FIELDS.id } }, "duplicate id"],
  ["older than the last accepted", msg, { lastAccepted: { ts: FIELDS.ts + 1, id: 1 } }, "ts older than the last accepted request"],
  ["a newer request after an older one", msg, { lastAccepted: { ts: FIELDS.ts - 10, id: 1 } }, undefined],
  ["wrong password", buildUdpConnectionRequest({ ...FIELDS, password: "other" }), {}, "bad signature"],
  ["unknown username", buildUdpConnectionRequest({ ...FIELDS, username: "ghost" }), {}, "unknown username"],
  ["tampered ts", msg.replace("ts=1700000000", "ts=1700000001"), {}, "bad signature"],
  ["tampered cn", msg.replace("cn=a1b2c3", "cn=a1b2c4"), {}, "bad signature"],
  ["missing sig", msg.replace(/&sig=[0-9a-f]+/, ""), {}, "missing ts, id, un, cn or sig"],
  ["upper-case hex sig", msg.replace(/sig=([0-9a-f]+)/, (_m, s: string) => `sig=${s.toUpperCase()}`), {}, undefined],
  ["not a GET", msg.replace(/^GET/, "POST"), {}, "not an HTTP/1.1 GET with an absolute URI"],
  ["non-numeric id", msg.replace("id=4242", "id=x"), {}, "ts or id not an unsigned integer"],
  ["garbage", "\u0000\u0001hello", {}, "not an HTTP/1.1 GET with an absolute URI"],
];

for (const [name, m, opts, reason] of PARSE) {
  void test(`parseUdpConnectionRequest: ${name}`, () => {
    const r = parseUdpConnectionRequest(m, lookup, opts);
    if (reason === undefined) assert.deepEqual(r, { ok: true, ts: FIELDS.ts, id: FIELDS.id, username: FIELDS.username, cnonce: FIELDS.cnonce });
    else assert.deepEqual(r, { ok: false, reason });
  });
}

void test("usernames needing URL encoding round-trip and still verify", () => {
  const m = buildUdpConnectionRequest({ ...FIELDS, username: "odd name&=", password: "x" });
  assert.ok(m.includes("un=odd+name%26%3D"));
  const r = parseUdpConnectionRequest(Buffer.from(m), lookup);
  assert.equal(r.ok && r.username, "odd name&=");
});

const ADDRESSES = [
  ["203.0.113.7:5060", { host: "203.0.113.7", port: 5060 }],
  ["[2001:db8::7]:5060", { host: "2001:db8::7", port: 5060 }],
  ["cpe.example.net:7547", { host: "cpe.example.net", port: 7547 }],
  ["203.0.113.7", undefined],
  ["203.0.113.7:0", undefined],
  ["203.0.113.7:70000", undefined],
  ["2001:db8::7:5060", undefined], // ambiguous without brackets
  ["", undefined],
] as const;

for (const [addr, want] of ADDRESSES) {
  void test(`parseUdpAddress(${JSON.stringify(addr)})`, () => assert.deepEqual(parseUdpAddress(addr), want));
}
