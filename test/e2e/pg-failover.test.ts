/**
 * Issue 15 end to end: three `converge serve` nodes on one PostgreSQL (the store and the cluster), behind a
 * sticky HTTP load balancer (test/support/sticky-lb.ts), a boot storm of 1,000 simulated CPEs of the six
 * models converging to the example policies; one node is killed with SIGKILL in the middle of the storm. Its
 * devices come back through the other two and converge. Nothing is lost: every device stored and converged,
 * every session the survivors ended recorded, no object instance added twice, and no two sessions of one
 * device overlap in time (the lease: never two nodes writing for one device at once).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { Fleet } from "../../src/sim/fleet.js";
import { acsCounts } from "../../src/sim/fleet-acs.js";
import { fleetOptions } from "../../bench/support/fleet.js";
import { startServeProcess, type ServeProcess } from "../support/serve-process.js";
import { startStickyLb, type StickyLb } from "../support/sticky-lb.js";
import { startPg, type PgCluster } from "../support/pg-cluster.js";
import { pgSkip } from "../support/pg-skip.js";

const skip = pgSkip();
const DEVICES = 1000;
const POLICIES = new URL("../../policies/", import.meta.url);
const FILES = fileURLToPath(new URL("../../files/", import.meta.url));
const PM = "InternetGatewayDevice.WANDevice.1.WANConnectionDevice.1.WANPPPConnection.1.PortMapping.";

describe("three nodes on one PostgreSQL, one killed with SIGKILL in a boot storm", { skip, timeout: 240_000 }, () => {
  let db: PgCluster;
  let lb: StickyLb;
  const nodes: ServeProcess[] = [];
  before(async () => {
    db = await startPg();
    lb = await startStickyLb();
    for (const name of ["n1", "n2", "n3"]) {
      const node = await startServeProcess({
        policies: POLICIES,
        env: {
          CONVERGE_DB: db.url,
          CONVERGE_NODE_ID: name,
          CONVERGE_CLUSTER_HEARTBEAT_MS: "500",
          CONVERGE_CLUSTER_NODE_TIMEOUT_MS: "3000",
          CONVERGE_MAX_SESSIONS: "150",
          CONVERGE_FILES_DIR: FILES,
          CONVERGE_FILES_PUBLIC_URL: lb.url.replace(/\/$/, ""),
          CONVERGE_LOG_LEVEL: "info",
        },
      });
      nodes.push(node);
      lb.add(node.cwmpUrl);
    }
  });
  after(async () => {
    for (const n of nodes) await n.close().catch(() => undefined);
    await lb?.close();
    await db?.stop();
  });

  it("converges every device through the surviving nodes and loses nothing", async () => {
    const fleet = await Fleet.create(
      fleetOptions(lb.url, {
        count: DEVICES,
        concurrency: 150,
        rounds: 3,
        seed: "failover",
        intervalS: 1,
        deadlineS: 200,
        retryAfterMaxS: 2,
        timeoutMs: 20_000,
      }),
    );
    const victim = nodes[1]!;
    let killed = false;
    let killedAt = 0;
    const run = await fleet.run({
      progressEveryMs: 200,
      onProgress: (p) => {
        // The middle of the storm: half the fleet's first sessions done, many in flight on every node.
        if (!killed && p.sessionsOk >= DEVICES / 2) {
          killed = true;
          killedAt = p.sessionsOk;
          victim.child.kill("SIGKILL");
        }
      },
    });
    await fleet.close();
    assert.ok(killed, "the node was killed during the storm");
    assert.equal(run.stopped, "done", `every device reached its rounds: ${JSON.stringify(run.lastOutcomes)}`);
    assert.ok(lb.completed[1]! > 0 && lb.completed[1]! < run.counters.sessionsOk, `the killed node had served part of the storm (${lb.completed.join("/")})`);
    assert.ok(lb.completed[1]! <= killedAt + 150, "and nothing after its death");

    const survivor = nodes[0]!;
    const counts = await acsCounts(survivor.apiUrl);
    assert.equal(counts.devices, DEVICES, "every device stored");
    assert.equal(counts.converged, DEVICES, `every device converged (${JSON.stringify(counts)})`);
    const other = await acsCounts(nodes[2]!.apiUrl);
    assert.equal(other.converged, DEVICES, "the other survivor reads the same shared state");

    // No object instance added twice: each PPPoE gateway carries exactly one instance with the policy's key.
    let gateways = 0;
    for (const m of fleet.members) {
      const d = m.device;
      if (!["EG8145V5", "G-1425G-A"].includes(d.deviceId.productClass)) continue;
      gateways++;
      const keyed = Array.from({ length: 64 }, (_, i) => i + 1).filter(
        (n) => d.hasObject(`${PM}${n}.`) && d.get(`${PM}${n}.ExternalPort`)?.value === "8080" && d.get(`${PM}${n}.PortMappingProtocol`)?.value === "TCP",
      );
      assert.equal(keyed.length, 1, `${d.deviceId.serialNumber}: one port mapping 8080/TCP, got ${keyed.length}`);
    }
    assert.ok(gateways > DEVICES / 6, `gateways checked: ${gateways}`);

    await nodes[0]!.close();
    await nodes[2]!.close();
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const rows = (
        await client.query<{ dev: number; started_at: string; ended_at: string | null; outcome: string }>(
          "SELECT dev, started_at, ended_at, outcome FROM sessions ORDER BY dev, started_at",
        )
      ).rows;
      // Every session a surviving node ended (its 204) is recorded; the killed node's last batch may be lost, no more.
      const survivors = lb.completed[0]! + lb.completed[2]!;
      assert.ok(rows.length >= survivors, `sessions recorded ${rows.length} >= sessions the survivors ended ${survivors}`);
      assert.ok(rows.filter((r) => r.outcome === "ok").length <= run.counters.sessionsOk + nodes.length * 150);
      // One session per device at a time across nodes: no two recorded sessions of one device overlap.
      let overlaps = 0;
      for (let i = 1; i < rows.length; i++) {
        const [p, r] = [rows[i - 1]!, rows[i]!];
        if (p.dev === r.dev && p.ended_at !== null && Number(r.started_at) < Number(p.ended_at)) overlaps++;
      }
      assert.equal(overlaps, 0, "overlapping sessions of one device");
      // The survivors stopped cleanly: they hold no lease any more (the killed node's expired on their own).
      const held = (await client.query("SELECT count(*)::int AS n FROM converge_cluster_leases WHERE node IN ('n1', 'n3')")).rows[0] as { n: number };
      assert.equal(held.n, 0);
    } finally {
      await client.end();
    }
  });
});
