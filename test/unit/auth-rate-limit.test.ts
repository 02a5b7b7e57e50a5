import test from "node:test";
import assert from "node:assert/strict";
import { createRateLimiter } from "../../src/auth/rate-limit.js";

void test("a burst is allowed, then requests are refused until tokens refill", () => {
  const rl = createRateLimiter({ burst: 3, perSecond: 1, maxKeys: 10 });
  assert.deepEqual(
    [0, 0, 0, 0].map(() => rl.take("a", 0)),
    [true, true, true, false],
  );
  assert.equal(rl.retryAfterSeconds("a", 0), 1);
  assert.equal(rl.take("a", 999), false);
  assert.equal(rl.take("a", 1000), true);
  assert.equal(rl.take("a", 1000), false);
});

void test("keys are independent", () => {
  const rl = createRateLimiter({ burst: 1, perSecond: 1, maxKeys: 10 });
  assert.equal(rl.take("a", 0), true);
  assert.equal(rl.take("a", 0), false);
  assert.equal(rl.take("b", 0), true);
});

void test("refill never exceeds the burst", () => {
  const rl = createRateLimiter({ burst: 2, perSecond: 10, maxKeys: 10 });
  rl.take("a", 0);
  const after = [0, 0, 0].map(() => rl.take("a", 60_000));
  assert.deepEqual(after, [true, true, false]);
});

void test("retry-after rounds up for slow refill rates", () => {
  const rl = createRateLimiter({ burst: 1, perSecond: 0.1, maxKeys: 10 });
  assert.equal(rl.take("a", 0), true);
  assert.equal(rl.retryAfterSeconds("a", 0), 10);
  assert.equal(rl.retryAfterSeconds("a", 5_000), 5);
  assert.equal(rl.retryAfterSeconds("unknown", 0), 0);
});

void test("the key map is bounded and evicts the least recently seen key", () => {
  const rl = createRateLimiter({ burst: 1, perSecond: 0.001, maxKeys: 3 });
  for (const k of ["a", "b", "c"]) rl.take(k, 0);
  rl.take("a", 1); // a is now the most recent; b is the oldest
  rl.take("d", 2);
  assert.equal(rl.size, 3);
  assert.equal(rl.take("a", 3), false, "a kept its empty bucket");
  assert.equal(rl.take("b", 3), true, "b was evicted and starts full");
});

void test("a clock going backwards does not mint tokens", () => {
  const rl = createRateLimiter({ burst: 1, perSecond: 1, maxKeys: 10 });
  assert.equal(rl.take("a", 10_000), true);
  assert.equal(rl.take("a", 0), false);
  assert.equal(rl.take("a", 10_500), false);
});

void test("invalid options are refused", () => {
  assert.throws(() => createRateLimiter({ burst: 0, perSecond: 1, maxKeys: 1 }));
  assert.throws(() => createRateLimiter({ burst: 1, perSecond: 0, maxKeys: 1 }));
});
