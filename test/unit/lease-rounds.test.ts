/**
 * Lease rounds (cluster/lease-rounds.ts): one round in flight; what is asked meanwhile goes together in the next;
 * a round names each device once; a round's answer settles each request; a failed round rejects its requests only.
 */
import test from "node:test";
import assert from "node:assert/strict";
import type { DeviceId } from "../../src/domain/device.js";
import { leaseRounds, type Round, type RoundRow } from "../../src/cluster/lease-rounds.js";

const D = (s: string): DeviceId => s as DeviceId;

/** A database of leases in memory, answering rounds when the test lets it (`next()`). */
function rig(failRound?: number) {
  const rounds: Round[] = [];
  const waiting: (() => void)[] = [];
  const version = new Map<string, number>();
  const holder = new Map<string, string>();
  const run = (r: Round): Promise<readonly RoundRow[]> =>
    new Promise((resolve, reject) => {
      rounds.push(r);
      waiting.push(() => {
        if (rounds.length === failRound) return reject(new Error("database down"));
        const rows: RoundRow[] = [];
        for (const x of r.releases)
          if (holder.get(x.deviceId) === x.session) {
            holder.delete(x.deviceId);
            version.set(x.deviceId, (version.get(x.deviceId) ?? 0) + x.delta);
            rows.push({ kind: "released", deviceId: x.deviceId, stateVersion: version.get(x.deviceId) ?? 0, holder: "", leftSeconds: 0 });
          }
        for (const x of r.acquires) {
          if (holder.has(x.deviceId) && holder.get(x.deviceId)?.startsWith("other")) {
            rows.push({ kind: "held", deviceId: x.deviceId, stateVersion: 0, holder: "node-b", leftSeconds: 4.2 });
            continue;
          }
          holder.set(x.deviceId, x.session);
          rows.push({ kind: "acquired", deviceId: x.deviceId, stateVersion: version.get(x.deviceId) ?? 0, holder: "", leftSeconds: 0 });
        }
        resolve(rows);
      });
    });
  const next = async (): Promise<void> => {
    waiting.shift()?.();
    await new Promise((r) => setImmediate(r));
  };
  return { rounds, next, holder, lr: leaseRounds(run) };
}

void test("a request alone leaves at once; requests made while a round is in flight go together in the next", async () => {
  const { rounds, next, lr } = rig();
  const first = lr.acquire(D("a"), "s1");
  assert.equal(rounds.length, 1, "no waiting when idle");
  const more = [lr.acquire(D("b"), "s2"), lr.acquire(D("c"), "s3"), lr.release(D("a"), "s1", 0, true)];
  assert.equal(rounds.length, 1, "one round in flight");
  await next();
  assert.deepEqual(await first, { ok: true, stateVersion: 0 });
  assert.equal(rounds.length, 2);
  assert.deepEqual(
    rounds[1]?.acquires.map((x) => x.deviceId),
    ["b", "c"],
  );
  assert.deepEqual(
    rounds[1]?.releases.map((x) => [x.deviceId, x.session, x.delta]),
    [["a", "s1", 1]],
  );
  await next();
  assert.deepEqual(await Promise.all(more), [
    { ok: true, stateVersion: 0 },
    { ok: true, stateVersion: 0 },
    { stateVersion: 1, clean: true },
  ]);
});

void test("a round names each device once: a release and an acquisition of one device go in consecutive rounds", async () => {
  const { rounds, next, lr } = rig();
  const busy = lr.acquire(D("x"), "s0");
  const a1 = lr.acquire(D("a"), "s1");
  await next();
  await next();
  await Promise.all([busy, a1]);
  const blocker = lr.acquire(D("y"), "s9");
  const rel = lr.release(D("a"), "s1", 0, false);
  const again = lr.acquire(D("a"), "s2");
  await next();
  await blocker;
  assert.deepEqual(
    rounds[3]?.releases.map((x) => x.deviceId),
    ["a"],
  );
  assert.deepEqual(rounds[3]?.acquires, [], "the acquisition of a waits for the round after its release");
  await next();
  assert.deepEqual(await rel, { stateVersion: 0, clean: true });
  assert.deepEqual(
    rounds[4]?.acquires.map((x) => `${x.deviceId}:${x.session}`),
    ["a:s2"],
  );
  await next();
  assert.deepEqual(await again, { ok: true, stateVersion: 0 });
});

void test("a device another node holds is refused with its Retry-After; a release that finds nothing is not clean", async () => {
  const { next, holder, lr } = rig();
  holder.set("h", "other-session");
  const refused = lr.acquire(D("h"), "s1");
  await next();
  assert.deepEqual(await refused, { ok: false, node: "node-b", retryAfterSeconds: 5 });
  const gone = lr.release(D("h"), "s1", 0, true);
  await next();
  assert.deepEqual(await gone, { stateVersion: -1, clean: false });
});

void test("a failed round rejects its own requests; the next round still goes", async () => {
  const { next, lr } = rig(1);
  const lost = lr.acquire(D("a"), "s1");
  const later = lr.acquire(D("b"), "s2");
  const refused = assert.rejects(lost, /database down/);
  await next();
  await refused;
  await next();
  assert.deepEqual(await later, { ok: true, stateVersion: 0 });
});
