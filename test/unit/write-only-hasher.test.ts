/**
 * The installation's write-only hasher (`keyedHasher`) remembers recent values' hashes (a bounded LRU): whatever it
 * remembers or forgets, it answers HMAC-SHA256 under its own key of the value's SHA-256, as `keyedDigest` defines.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import fc from "fast-check";
import { keyedHasher } from "../../src/reconcile/parameter-key.js";

const KEY_A = "a".repeat(64);
const KEY_B = "b".repeat(64);
const expected = (key: string, value: string): string =>
  `h1:${createHmac("sha256", key).update(createHash("sha256").update(value, "utf8").digest("hex"), "utf8").digest("hex")}`;

test("a hasher's answers are the keyed hash of each value, through hits, misses and evictions of its memo", () => {
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom("", "pw1", "pw2", "pw3", "pässwörd", "x".repeat(300)), { maxLength: 40 }),
      fc.integer({ min: 1, max: 4 }),
      (values, memo) => {
        const a = keyedHasher(KEY_A, memo);
        const b = keyedHasher(KEY_B, memo);
        for (const v of values) {
          assert.equal(a(v), expected(KEY_A, v));
          assert.equal(b(v), expected(KEY_B, v), "a value remembered under one key never answers for another");
        }
      },
    ),
  );
});

test("a hasher refuses a key shorter than 32 hex characters", () => {
  assert.throws(() => keyedHasher("abc"), /at least 32/);
});
