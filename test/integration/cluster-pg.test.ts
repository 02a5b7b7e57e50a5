/**
 * The Cluster port over a real PostgreSQL (a throwaway cluster): two "nodes" are two openPgCluster on one
 * database. Leases (one holder, release, a dead node's and an expired lease freed), state versions (a change
 * while held makes the release unclean), claims (one node per key), the shared token bucket, the registry.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { startPg, type PgCluster } from "../support/pg-cluster.js";
import { pgSkip } from "../support/pg-skip.js";
import { openPgCluster } from "../../src/cluster/pg.js";
import { revisionStanding, type Cluster } from "../../src/cluster/port.js";
import type { DeviceId } from "../../src/domain/device.js";

const skip = pgSkip();
const D = "00259E-EG8145V5-0001" as DeviceId;

describe("Cluster over PostgreSQL", { skip }, () => {
  let pg: PgCluster;
  const open: Cluster[] = [];
  const node = async (nodeId: string, url: string, over: { leaseMs?: number; nodeTimeoutMs?: number } = {}): Promise<Cluster> => {
    const c = await openPgCluster({ url, nodeId, leaseMs: over.leaseMs ?? 30_000, nodeTimeoutMs: over.nodeTimeoutMs ?? 30_000 });
    open.push(c);
    return c;
  };
  before(async () => {
    pg = await startPg();
  });
  after(async () => {
    for (const c of open) await c.close().catch(() => undefined);
    await pg.stop();
  });

  it("gives a device's lease to one node at a time, with a Retry-After, until it is released", async () => {
    const url = await pg.createDatabase("lease_one");
    const [a, b] = [await node("a", url), await node("b", url)];
    const got = await a.acquire(D, "s1");
    assert.deepEqual(got, { ok: true, stateVersion: 0 });
    const refused = await b.acquire(D, "s2");
    assert.equal(refused.ok, false);
    assert.ok(!refused.ok && refused.node === "a" && refused.retryAfterSeconds >= 1 && refused.retryAfterSeconds <= 30);
    // The same node may supersede its own session (the registry decided); the old session's release is then a no-op.
    assert.equal((await a.acquire(D, "s1b")).ok, true);
    assert.deepEqual(await a.release(D, "s1", 0, true), { stateVersion: -1, clean: false });
    assert.equal((await b.acquire(D, "s2")).ok, false);
    assert.deepEqual(await a.release(D, "s1b", 0, true), { stateVersion: 1, clean: true });
    assert.deepEqual(await b.acquire(D, "s2"), { ok: true, stateVersion: 1 });
  });

  it("frees a dead node's devices once its heartbeat is older than nodeTimeoutMs", async () => {
    const url = await pg.createDatabase("lease_dead");
    const a = await node("a", url, { nodeTimeoutMs: 400 });
    const b = await node("b", url, { nodeTimeoutMs: 400 });
    assert.equal((await a.acquire(D, "s1")).ok, true);
    assert.equal((await b.acquire(D, "s2")).ok, false);
    await sleep(600); // a sends no heartbeat: dead
    await b.heartbeat("r1", []);
    assert.equal((await b.acquire(D, "s2")).ok, true);
    // a comes back: its heartbeat says the session lost its lease, and its release changes nothing.
    const beat = await a.heartbeat("r1", [{ deviceId: D, session: "s1" }]);
    assert.deepEqual(beat.lost, [{ deviceId: D, session: "s1" }]);
    assert.deepEqual(await a.release(D, "s1", 0, true), { stateVersion: -1, clean: false });
    assert.equal((await a.acquire(D, "s3")).ok, false);
  });

  it("lets a lease expire after leaseMs unless the heartbeat renews it", async () => {
    const url = await pg.createDatabase("lease_expiry");
    const a = await node("a", url, { leaseMs: 400 });
    const b = await node("b", url, { leaseMs: 400 });
    const E = "00259E-EG8145V5-0002" as DeviceId;
    assert.equal((await a.acquire(D, "s1")).ok, true);
    assert.equal((await a.acquire(E, "s2")).ok, true);
    for (let i = 0; i < 4; i++) {
      await sleep(150);
      const beat = await a.heartbeat("r1", [{ deviceId: D, session: "s1" }]); // E is not renewed
      assert.deepEqual(beat.lost, []);
    }
    assert.equal((await b.acquire(D, "s3")).ok, false, "renewed: still a's");
    assert.equal((await b.acquire(E, "s4")).ok, true, "not renewed: expired");
  });

  it("makes a release unclean when another node changed the device meanwhile (the fast path then forgets it)", async () => {
    const url = await pg.createDatabase("lease_version");
    const [a, b] = [await node("a", url), await node("b", url)];
    const got = await a.acquire(D, "s1");
    assert.ok(got.ok);
    await b.changed(D); // e.g. an API task queued on node b
    const rel = await a.release(D, "s1", got.stateVersion, false);
    assert.deepEqual(rel, { stateVersion: 1, clean: false });
    const again = await a.acquire(D, "s2");
    assert.deepEqual(again, { ok: true, stateVersion: 1 });
    assert.deepEqual(await a.release(D, "s2", 1, false), { stateVersion: 1, clean: true });
    await b.changed("00259E-EG8145V5-NEW" as DeviceId); // a device no session has seen yet
    assert.deepEqual(await b.acquire("00259E-EG8145V5-NEW" as DeviceId, "s3"), { ok: true, stateVersion: 1 });
  });

  it("gives a claim to one node per key and device, again after its ttl", async () => {
    const url = await pg.createDatabase("claims");
    const [a, b] = [await node("a", url), await node("b", url)];
    const results = await Promise.all([a.claim("reload:x->y", D, 300), b.claim("reload:x->y", D, 300), a.claim("reload:x->y", D, 300)]);
    assert.equal(results.filter(Boolean).length, 1);
    assert.equal(await b.claim("reload:y->z", D, 300), true, "another key is another claim");
    await sleep(400);
    assert.equal(await b.claim("reload:x->y", D, 300), true);
  });

  it("shares one token bucket between nodes", async () => {
    const url = await pg.createDatabase("bucket");
    const [a, b] = [await node("a", url), await node("b", url)];
    const waits = await Promise.all([a, b, a, b, a].map((c) => c.take("connreq", 1, 3)));
    assert.equal(waits.filter((w) => w === 0).length, 3, `burst 3 across both nodes: ${waits.join(",")}`);
    assert.ok(waits.every((w) => w === 0 || (w > 0 && w <= 1000)));
  });

  it("registers live nodes and their revisions; the node that did not take up the newest revision lags", async () => {
    const url = await pg.createDatabase("registry");
    const a = await node("a", url, { nodeTimeoutMs: 500 });
    const b = await node("b", url, { nodeTimeoutMs: 500 });
    await a.heartbeat("rev1", []);
    await b.heartbeat("rev1", []);
    await sleep(20);
    const beat = await b.heartbeat("rev2", []);
    assert.deepEqual(
      beat.nodes.map((n) => [n.node, n.revision]),
      [
        ["a", "rev1"],
        ["b", "rev2"],
      ],
    );
    const standA = revisionStanding("a", "rev1", beat.nodes);
    assert.equal(standA.lagging, true);
    assert.equal(standA.clusterRevision, "rev2");
    assert.equal(revisionStanding("b", "rev2", beat.nodes).lagging, false);
    assert.equal(standA.distinctRevisions, 2);
    await sleep(600);
    const alone = await b.heartbeat("rev2", []);
    assert.deepEqual(
      alone.nodes.map((n) => n.node),
      ["b"],
      "a stopped beating: not live",
    );
    await a.close();
    assert.deepEqual(
      (await b.heartbeat("rev2", [])).nodes.map((n) => n.node),
      ["b"],
    );
  });
});
