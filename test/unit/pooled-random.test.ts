import test from "node:test";
import assert from "node:assert/strict";
import type { DeviceId } from "../../src/domain/device.js";
import { CR_PASSWORD, CR_USERNAME, drawConnReqCredentials, pooledRandomBytes } from "../../src/server/desired-resolver.js";

void test("pooled random bytes: each draw its own bytes across page refills, a draw kept unchanged by later ones, big draws served", () => {
  const draws = Array.from({ length: 300 }, () => pooledRandomBytes(48)); // 14,400 bytes: several 4 KiB pages
  const first = Buffer.from(draws[0] ?? Buffer.alloc(0));
  for (let i = 0; i < 200; i++) pooledRandomBytes(48);
  assert.deepEqual(draws[0], first, "a handed-out buffer is a copy: refilling the page does not change it");
  assert.ok(draws.every((d) => d.length === 48));
  assert.equal(new Set(draws.map((d) => d.toString("hex"))).size, draws.length);
  // All 256 byte values occur in 14,400 random bytes (a zeroed or stuck page would not).
  assert.equal(new Set(draws.flatMap((d) => [...d])).size, 256);
  assert.equal(pooledRandomBytes(10_000).length, 10_000);
  assert.equal(pooledRandomBytes(0).length, 0);
});

void test("drawn connection request credentials: 24 alphanumerics, distinct per device, none when both are stored", () => {
  const passwords = Array.from({ length: 200 }, (_, i) => drawConnReqCredentials(new Map(), `00147F-X-${i}` as DeviceId)?.get(CR_PASSWORD) ?? "");
  assert.ok(passwords.every((p) => /^[A-Za-z0-9]{24}$/.test(p)));
  assert.equal(new Set(passwords).size, 200);
  const stored = new Map([
    [CR_USERNAME, "u"],
    [CR_PASSWORD, "p"],
  ]);
  assert.equal(drawConnReqCredentials(stored, "00147F-X-1" as DeviceId), undefined);
});
