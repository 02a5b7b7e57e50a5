/**
 * Fencing (issue 15): two Converge servers on one PostgreSQL, the store and the cluster's leases in one database.
 * Node A is in the middle of a device's session (an RPC outstanding) when its lease lapses (as for a node paused
 * for longer than the lease: expired in the database here); node B takes the device and serves a whole session.
 * When A's CPE answer finally arrives, A's step must write nothing: its transaction is fenced by the lease, the
 * session ends with `lease_lost` (503 + Retry-After), and what B wrote stands.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import pg from "pg";
import { decodeAcsEnvelope } from "../../src/cwmp/decode-acs.js";
import { encodeCpeMessage } from "../../src/cwmp/encode-cpe.js";
import type { CpeMessage } from "../../src/cwmp/types.js";
import { deviceIdOf } from "../../src/domain/device.js";
import { runSession } from "../../src/sim/client.js";
import { SimDevice } from "../../src/sim/device.js";
import { apiClient } from "../support/api-client.js";
import { model } from "../support/fleet-models.js";
import { startPg, type PgCluster } from "../support/pg-cluster.js";
import { pgSkip } from "../support/pg-skip.js";
import { cookieOf, rawPost } from "../support/raw-post.js";
import { EXAMPLE_POLICIES, startTestServer, type TestServer } from "../support/server.js";
import { recordInform } from "../support/record-inform.js";
import { openStore } from "../../src/store/open.js";
import { LeaseLostError, type DeviceLoad, type StoreWrite } from "../../src/domain/store.js";
import { facts, idOf } from "./store-helpers.js";

const skip = pgSkip();
const MODEL = "huawei-eg8145v5-tr098.csv";
const MARK = "written-by-the-node-that-lost-its-lease";

/** The CPE's answer to `req` with every string value replaced by MARK, so any row A writes from it is visible. */
function marked(answer: CpeMessage): CpeMessage {
  if (answer.method === "GetParameterValuesResponse")
    return { ...answer, parameterList: answer.parameterList.map((p) => (p.type === "xsd:string" ? { ...p, value: MARK } : p)) };
  if (answer.method === "GetParameterNamesResponse")
    return { ...answer, parameterList: [...answer.parameterList, { name: `${answer.parameterList[0]?.name ?? "X."}${MARK}`, writable: true }] };
  return answer;
}

describe("a node whose lease another node took cannot write (fencing)", { skip }, () => {
  let db: PgCluster;
  let a: TestServer;
  let b: TestServer;
  let sql: pg.Client;
  before(async () => {
    db = await startPg();
    // Node A's heartbeat is slow: it neither renews the lease nor notices its loss before its pending step.
    a = await startTestServer({ policies: EXAMPLE_POLICIES, env: { CONVERGE_DB: db.url, CONVERGE_NODE_ID: "node-a", CONVERGE_CLUSTER_HEARTBEAT_MS: "60000" } });
    b = await startTestServer({ policies: EXAMPLE_POLICIES, env: { CONVERGE_DB: db.url, CONVERGE_NODE_ID: "node-b" } });
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
  });
  after(async () => {
    await sql?.end();
    await a?.close();
    await b?.close();
    await db?.stop();
  });

  it("Store.apply with a fence writes only while the node holds the lease for the session: renews it, or gives it back with the writes", async () => {
    const url = await db.createDatabase("fence_store");
    const { store } = await openStore(url);
    const check = new pg.Client({ connectionString: url });
    await check.connect();
    try {
      const id = idOf("FENCE0002");
      await recordInform(store, facts("FENCE0002"), 1000);
      await check.query(
        "INSERT INTO converge_cluster_leases (device_id, node, session, expires_at, state_version) VALUES ($1, 'n1', 's1', clock_timestamp() + interval '1 second', 5)",
        [id],
      );
      const fault = (code: string): StoreWrite => ({ kind: "fault", fault: { code: "9002", message: code, retryable: true, at: 2000 } });
      const faults = async (): Promise<string[]> =>
        (await check.query<{ message: string }>("SELECT message FROM faults ORDER BY id")).rows.map((r) => r.message);
      const lease = async (): Promise<{ node: string | null; left: number; v: number }> =>
        (
          await check.query<{ node: string | null; left: number; v: number }>(
            "SELECT node, EXTRACT(EPOCH FROM expires_at - clock_timestamp())::float8 AS left, state_version::int AS v FROM converge_cluster_leases WHERE device_id = $1",
            [id],
          )
        ).rows[0] ?? assert.fail("no lease row");
      const fence = { node: "n1", session: "s1", leaseMs: 600_000 };
      await assert.rejects(store.apply(id, [fault("other session")], { ...fence, session: "s0" }), LeaseLostError);
      await assert.rejects(store.apply(id, [fault("other node")], { ...fence, node: "n2" }), LeaseLostError);
      const moved = { kind: "inform" as const, facts: { ...facts("FENCE0002"), ip: "10.9.9.9" }, events: [], at: 3000, booted: false };
      await assert.rejects(store.apply(id, [moved], { ...fence, session: "s0" }), LeaseLostError, "an Inform step too");
      assert.deepEqual(await faults(), [], "a refused step writes nothing");
      assert.notEqual((await store.getDevice(id))?.ip, "10.9.9.9");

      await store.apply(id, [moved, fault("held")], { ...fence, bump: true });
      assert.deepEqual(await faults(), ["held"]);
      assert.equal((await store.getDevice(id))?.ip, "10.9.9.9");
      const renewed = await lease();
      assert.equal(renewed.node, "n1");
      assert.ok(renewed.left > 500, `renewed for leaseMs: ${renewed.left} s left`);
      assert.equal(renewed.v, 6, "bump raises the state version with the writes");

      await store.apply(id, [fault("last")], { ...fence, release: true });
      const released = await lease();
      assert.equal(released.node, null, "the last step gives the lease back in its transaction");
      assert.equal(released.v, 6);
      await assert.rejects(store.apply(id, [fault("after release")], fence), LeaseLostError);
      assert.deepEqual(await faults(), ["held", "last"]);
    } finally {
      await check.end();
      await store.close();
    }
  });

  it("Store.loadAndApply (the Inform step) is fenced as apply is: another session's step loads, writes nothing and rejects; the holder's bumps the version", async () => {
    const url = await db.createDatabase("fence_inform");
    const { store } = await openStore(url);
    const check = new pg.Client({ connectionString: url });
    await check.connect();
    try {
      const id = idOf("FENCE0003");
      await recordInform(store, facts("FENCE0003"), 1000);
      await check.query(
        "INSERT INTO converge_cluster_leases (device_id, node, session, expires_at, state_version) VALUES ($1, 'n1', 's1', clock_timestamp() + interval '1 second', 5)",
        [id],
      );
      const version = async (): Promise<number> =>
        (await check.query<{ v: number }>("SELECT state_version::int AS v FROM converge_cluster_leases WHERE device_id = $1", [id])).rows[0]?.v ?? -1;
      const step = (ip: string) => (loaded: DeviceLoad) => ({
        writes: [
          { kind: "inform" as const, facts: { ...facts("FENCE0003"), ip }, events: [], at: 3000, booted: false },
          { kind: "rebootPending" as const, pending: true },
        ],
        result: loaded.record?.ip,
      });
      const fence = { node: "n1", session: "s1", leaseMs: 600_000, bump: true };
      await assert.rejects(store.loadAndApply(id, step("10.9.9.1"), { ...fence, session: "s0" }), LeaseLostError);
      await assert.rejects(store.loadAndApply(id, step("10.9.9.2"), { ...fence, node: "n2" }), LeaseLostError);
      const refused = await store.loadDevice(id);
      assert.equal(refused.record?.ip, facts("FENCE0003").ip, "a refused Inform step writes nothing");
      assert.notEqual(refused.inventory.rebootPending, true);
      assert.equal(await version(), 5);

      assert.equal(await store.loadAndApply(id, step("10.9.9.3"), fence), facts("FENCE0003").ip, "decide saw the state before the step");
      const held = await store.loadDevice(id);
      assert.equal(held.record?.ip, "10.9.9.3");
      assert.equal(held.inventory.rebootPending, true);
      assert.equal(await version(), 6, "bump raises the state version with the step's writes");
    } finally {
      await check.end();
      await store.close();
    }
  });

  it("refuses the pending step of node A after node B served the device, and keeps what B wrote", async () => {
    const onA = new SimDevice(model(MODEL), { serialNumber: "FENCE0001" });
    const id = deviceIdOf(onA.deviceId);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const informed = await rawPost(a.cwmpUrl, agent, {}, encodeCpeMessage(onA.inform(Date.now()), { version: onA.cwmpVersion, id: "1" }));
      assert.equal(informed.status, 200, informed.body);
      const cookie = cookieOf(informed);
      const asked = await rawPost(a.cwmpUrl, agent, { cookie });
      assert.equal(asked.status, 200, "node A asks the new device something");
      const req = decodeAcsEnvelope(asked.body);
      assert.ok(req.ok && "method" in req.value.message, asked.body);
      const lease = await sql.query<{ node: string }>("SELECT node FROM converge_cluster_leases WHERE device_id = $1", [id]);
      assert.equal(lease.rows[0]?.node, "node-a");

      // Node A stalls past its lease; node B takes the device and converges it in a session of its own.
      await sql.query("UPDATE converge_cluster_leases SET expires_at = clock_timestamp() - interval '1 second' WHERE device_id = $1", [id]);
      const onB = new SimDevice(model(MODEL), { serialNumber: "FENCE0001" });
      const served = await runSession(onB, { acsUrl: b.cwmpUrl, timeoutMs: 10_000, maxMessages: 200 });
      assert.equal(served.ok, true, served.error);
      assert.ok(served.rpcs.length > 0, "node B ran the device's session");
      const seen = async (): Promise<unknown> =>
        (
          await sql.query(
            `SELECT (SELECT json_agg(json_build_object('path', path, 'value', value) ORDER BY path) FROM reported r WHERE r.dev = d.dev) AS reported,
                    (SELECT count(*) FROM faults f WHERE f.dev = d.dev) AS faults, d.status,
                    (SELECT last_inform FROM device_visits v WHERE v.dev = d.dev) AS last_inform
             FROM devices d WHERE d.id = $1`,
            [id],
          )
        ).rows[0];
      const byB = await seen();

      // A wakes up: the CPE's answer to its outstanding request arrives.
      const rpc = req.ok ? req.value.message : assert.fail();
      assert.ok("method" in rpc);
      const answer = marked(onA.handle(rpc as Parameters<SimDevice["handle"]>[0]));
      const late = await rawPost(a.cwmpUrl, agent, { cookie }, encodeCpeMessage(answer, { version: onA.cwmpVersion, id: req.value.id ?? "2" }));
      assert.equal(late.status, 503, `node A refuses the step it can no longer write: ${late.body}`);
      assert.equal(late.headers["retry-after"], "1");

      assert.deepEqual(await seen(), byB, "nothing of node A's step was written");
      const marks = await sql.query("SELECT count(*)::int AS n FROM reported WHERE value = $1 OR path LIKE $2", [MARK, `%${MARK}%`]);
      assert.equal(marks.rows[0]?.n, 0);
      await a.store.flush();
      const sessions = (await apiClient(b.apiUrl)<{ sessions: { outcome: string }[] }>("GET", `/api/devices/${encodeURIComponent(id)}`)).json.sessions;
      assert.ok(
        sessions.some((s) => s.outcome === "fault:lease_lost"),
        `node A logged its session as lease_lost: ${sessions.map((s) => s.outcome).join(", ")}`,
      );
      const after = await sql.query<{ node: string | null }>("SELECT node FROM converge_cluster_leases WHERE device_id = $1", [id]);
      assert.equal(after.rows[0]?.node, null, "B released the lease at its session's end; A released nothing");
    } finally {
      agent.destroy();
    }
  });
});
