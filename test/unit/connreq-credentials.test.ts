import test from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { generateConnReqCredentials } from "../../src/connreq/credentials.js";

/** A deterministic random source: SHA-256 in counter mode over a seed. */
function seeded(seed: string): (n: number) => Buffer {
  let counter = 0;
  return (n) => {
    const chunks: Buffer[] = [];
    let len = 0;
    while (len < n) {
      const c = createHash("sha256").update(`${seed}:${counter++}`).digest();
      chunks.push(c);
      len += c.length;
    }
    return Buffer.concat(chunks).subarray(0, n);
  };
}

const ID = "00259E-EG8145V5-4857544312345678";

void test("username is the device id; password is 24 alphanumerics", () => {
  const c = generateConnReqCredentials(ID, randomBytes);
  assert.equal(c.username, ID);
  assert.match(c.password, /^[A-Za-z0-9]{24}$/);
});

void test("pure given the random source: same seed, same credentials; different seed, different password", () => {
  assert.deepEqual(generateConnReqCredentials(ID, seeded("a")), generateConnReqCredentials(ID, seeded("a")));
  assert.notEqual(generateConnReqCredentials(ID, seeded("a")).password, generateConnReqCredentials(ID, seeded("b")).password);
});

const IDS = [
  ["00147F-CP0611JTLNW", "00147F-CP0611JTLNW"],
  ["00259E-Home%20Gateway-ABC", "00259E-Home_20Gateway-ABC"],
  ['a b"c:d', "a_b_c_d"],
] as const;

for (const [id, want] of IDS) {
  void test(`username for ${JSON.stringify(id)} is header-safe: ${want}`, () => {
    assert.equal(generateConnReqCredentials(id, randomBytes).username, want);
  });
}

void test("long device ids are cut to 64 characters and stay distinct", () => {
  const a = generateConnReqCredentials(`00259E-${"X".repeat(80)}-1`, randomBytes).username;
  const b = generateConnReqCredentials(`00259E-${"X".repeat(80)}-2`, randomBytes).username;
  assert.equal(a.length, 64);
  assert.equal(b.length, 64);
  assert.notEqual(a, b);
});

void test("bytes that would bias the alphabet are skipped, not folded", () => {
  // 248..255 are out of range for 62 symbols; only the in-range bytes may be used.
  let calls = 0;
  const src = (n: number): Buffer => (calls++ === 0 ? Buffer.alloc(n, 0xfb) : Buffer.alloc(n, 0));
  assert.equal(generateConnReqCredentials(ID, src).password, "A".repeat(24));
});

void test("characters are spread evenly over the alphabet (chi-square, 62 symbols)", () => {
  const counts = new Map<string, number>();
  const src = seeded("chi");
  for (let i = 0; i < 2000; i++) for (const ch of generateConnReqCredentials(ID, src).password) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  assert.equal(counts.size, 62);
  const expected = (2000 * 24) / 62;
  const chi = [...counts.values()].reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
  assert.ok(chi < 110, `chi-square ${chi.toFixed(1)} (df=61; p=0.0001 at ~110)`);
});

void test("a source that only yields out-of-range bytes is an error, not a hang", () => {
  assert.throws(() => generateConnReqCredentials(ID, (n) => Buffer.alloc(n, 0xff)), /out-of-range/);
});
