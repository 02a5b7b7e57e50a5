/**
 * Two Converge servers coordinating through one PostgreSQL (cluster.url; the store is one shared SQLite file
 * here, the PostgreSQL store in the e2e): a device is in one session at a time across nodes (503 + Retry-After
 * from the node that does not hold its lease), and the converged fast path of one node never answers for a
 * device whose state another node changed (a task queued through the other node's API, a session there).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deviceIdOf } from "../../src/domain/device.js";
import { SimDevice } from "../../src/sim/device.js";
import { runSession } from "../../src/sim/client.js";
import { encodeCpeMessage } from "../../src/cwmp/encode-cpe.js";
import { apiClient } from "../support/api-client.js";
import { startTestServer, type TestServer } from "../support/server.js";
import { model } from "../support/fleet-models.js";
import { rawPost } from "../support/raw-post.js";
import { startPg, type PgCluster } from "../support/pg-cluster.js";
import { pgSkip } from "../support/pg-skip.js";
import { digestAuthorization, parseChallenges } from "../../src/sim/digest.js";

const skip = pgSkip();

describe("two nodes on one PostgreSQL", { skip }, () => {
  let pg: PgCluster;
  let shared: string;
  let a: TestServer;
  let b: TestServer;
  before(async () => {
    pg = await startPg();
    shared = mkdtempSync(join(tmpdir(), "converge-two-nodes-"));
    const env = (node: string): Record<string, string> => ({
      CONVERGE_CLUSTER_URL: pg.url,
      CONVERGE_NODE_ID: node,
      CONVERGE_DB: join(shared, "converge.db"),
      CONVERGE_CLUSTER_HEARTBEAT_MS: "200",
    });
    a = await startTestServer({ env: env("node-a") });
    b = await startTestServer({ env: env("node-b") });
  });
  after(async () => {
    await a?.close();
    await b?.close();
    await pg?.stop();
    rmSync(shared, { recursive: true, force: true });
  });

  const session = async (device: SimDevice, node: TestServer): Promise<string[]> => {
    const r = await runSession(device, { acsUrl: node.cwmpUrl, timeoutMs: 10_000, maxMessages: 200 });
    assert.equal(r.ok, true, r.error);
    return r.rpcs;
  };

  it("answers 503 + Retry-After on one node while the device's session lives on the other", async () => {
    const device = new SimDevice(model("huawei-eg8145v5-tr098.csv"), { serialNumber: "LEASE0001" });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const opened = await rawPost(a.cwmpUrl, agent, {}, encodeCpeMessage(device.inform(Date.now()), { version: "1.0", id: "1" }));
      assert.equal(opened.status, 200, opened.body);
      const r = await runSession(new SimDevice(model("huawei-eg8145v5-tr098.csv"), { serialNumber: "LEASE0001" }), {
        acsUrl: b.cwmpUrl,
        timeoutMs: 5_000,
        maxMessages: 10,
      });
      assert.equal(r.ok, false);
      assert.equal(r.status, 503);
      assert.ok(r.retryAfterS !== undefined && r.retryAfterS >= 1 && r.retryAfterS <= 30, `Retry-After ${r.retryAfterS}`);
      const health = (await apiClient(b.apiUrl)<{ cluster: { nodes: number; shared: boolean; lagging: boolean } }>("GET", "/api/health")).json;
      assert.equal(health.cluster.shared, true);
      assert.equal(health.cluster.nodes, 2);
      assert.equal(health.cluster.lagging, false);
    } finally {
      agent.destroy();
    }
  });

  /** Node `n`'s count of sessions answered on the fast path (converge_fast_path_sessions_total). */
  const fastVisits = async (n: TestServer): Promise<number> => {
    const text = await (await fetch(`${n.apiUrl}/metrics`)).text();
    return Number(/^converge_fast_path_sessions_total (\d+)/m.exec(text)?.[1] ?? "0");
  };
  const fastOn = async (device: SimDevice, n: TestServer): Promise<{ rpcs: string[]; fast: boolean }> => {
    const before = await fastVisits(n);
    const rpcs = await session(device, n);
    return { rpcs, fast: (await fastVisits(n)) > before };
  };

  it("takes the full path on a node whose cached device another node changed (a task queued there, a session there)", async () => {
    const device = new SimDevice(model("nokia-g1425ga-tr098.csv"), { serialNumber: "MOVED0001" });
    const id = encodeURIComponent(deviceIdOf(device.deviceId));
    await session(device, a);
    await session(device, a);
    assert.deepEqual(await fastOn(device, a), { rpcs: [], fast: true }, "converged: a quiet visit on node a is answered on its fast path");
    // The operator queues a task through node b's API: node a's cached entry is stale.
    const queued = await apiClient(b.apiUrl)("POST", `/api/devices/${id}/tasks`, {
      method: "GetParameterValues",
      names: ["InternetGatewayDevice.DeviceInfo."],
    });
    assert.equal(queued.status, 201, JSON.stringify(queued.json));
    const tasked = await fastOn(device, a);
    assert.equal(tasked.fast, false);
    assert.ok(tasked.rpcs.includes("GetParameterValues"), `node a ran the task queued on node b: ${tasked.rpcs.join(",")}`);
    assert.equal((await fastOn(device, a)).fast, true, "converged again on a");
    // The device moved: its session on node b changed its state (a full session there); back on a, no stale answer.
    assert.equal((await fastOn(device, b)).fast, false, "node b has no entry for it");
    assert.equal((await fastOn(device, a)).fast, false, "full path on a after the device's session on b");
    assert.equal((await fastOn(device, a)).fast, true);
    // A tag set through node b (or a delete, a debug switch: the same bump) does the same.
    await apiClient(b.apiUrl)("POST", `/api/devices/${id}/tags`, { add: ["moved"] });
    assert.equal((await fastOn(device, a)).fast, false, "full path on a after a tag change through node b");
  });

  it("accepts on one node the Digest answer to another node's challenge (one nonce key for every node)", async () => {
    const env = (node: string): Record<string, string> => ({
      CONVERGE_CLUSTER_URL: pg.url,
      CONVERGE_NODE_ID: node,
      CONVERGE_DB: join(shared, "digest.db"),
      CONVERGE_CPE_AUTH: "digest",
      CONVERGE_CPE_USERNAME: "acs-user",
      CONVERGE_CPE_PASSWORD: "s3cret-for-the-test",
    });
    const [c, d] = [await startTestServer({ env: env("node-c") }), await startTestServer({ env: env("node-d") })];
    try {
      const device = new SimDevice(model("zte-h199a-tr098.csv"), { serialNumber: "NONCE0001" });
      const body = encodeCpeMessage(device.inform(Date.now()), { version: "1.0", id: "1" });
      const challenged = await rawPost(c.cwmpUrl, false, {}, body);
      assert.equal(challenged.status, 401);
      const www = challenged.headers["www-authenticate"];
      const ch = parseChallenges(Array.isArray(www) ? www : [www ?? ""]).find((x) => x.scheme === "digest");
      assert.ok(ch, `a Digest challenge: ${String(www)}`);
      const authorization = digestAuthorization({ username: "acs-user", password: "s3cret-for-the-test" }, ch, "POST", "/", 1, "0a4f113b");
      const answered = await rawPost(d.cwmpUrl, false, { authorization }, body);
      assert.equal(answered.status, 200, "node d accepts the nonce node c issued");
    } finally {
      await c.close();
      await d.close();
    }
  });
});
