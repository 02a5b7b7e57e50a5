/**
 * Two Converge servers on one throwaway PostgreSQL (store and cluster), real HTTP on 127.0.0.1, simulated CPEs
 * with connection-request listeners (issue 15, "sent once, within one global rate limit"):
 *   - a policy reload on both nodes (the same edit of their folders, as a deployment of one commit) kicks every
 *     device it changes exactly once across the two nodes, and no other device;
 *   - "converge now" asked of both nodes at once for one device sends one connection request, and both answers
 *     carry the session it triggered, wherever it ran;
 *   - bulk connection requests through both nodes at once share one token bucket: in any window the sum of the
 *     sends of both nodes stays within one bucket (burst + rate x window), which each node alone would exceed;
 *   - a delete through one node while the device's session lives on the other is refused (409), and a debug switch
 *     set through one node records the transcript of the device's next session on the other.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { deviceIdOf } from "../../src/domain/device.js";
import { SimDevice } from "../../src/sim/device.js";
import { runSession, type SessionResult } from "../../src/sim/client.js";
import { ConnReqListener } from "../../src/sim/connreq-listener.js";
import { encodeCpeMessage } from "../../src/cwmp/encode-cpe.js";
import { EXAMPLE_POLICIES, startTestServer, type TestServer } from "../support/server.js";
import { MODEL_FILES, model } from "../support/fleet-models.js";
import { apiClient } from "../support/api-client.js";
import { rawPost } from "../support/raw-post.js";
import { startPg, type PgCluster } from "../support/pg-cluster.js";
import { pgSkip } from "../support/pg-skip.js";

const skip = pgSkip();
const PER_MODEL = 4; // 24 devices, 16 of them TR-098
const RATE = 10;

const interval = (d: SimDevice): string | undefined => d.get(`${d.model.root}ManagementServer.PeriodicInformInterval`)?.value;
const idOf = (d: SimDevice): string => encodeURIComponent(deviceIdOf(d.deviceId));
const settle = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await settle(50);
  }
}

describe("connection requests and kicks sent once across two nodes", { skip }, () => {
  let pg: PgCluster;
  let nodes: TestServer[] = [];
  let listener: ConnReqListener;
  const devices: SimDevice[] = [];
  /** Connection requests each device accepted (ms epoch). */
  const kicks = new Map<SimDevice, number[]>();
  const kickSessions: Promise<SessionResult>[] = [];
  let turn = 0;
  /** Sessions alternate between the nodes, as a balancer would spread them. */
  const session = (d: SimDevice): Promise<SessionResult> =>
    runSession(d, { acsUrl: (nodes[turn++ % nodes.length] as TestServer).cwmpUrl, timeoutMs: 20_000, maxMessages: 200 });

  before(async () => {
    pg = await startPg();
    const env = (node: string): Record<string, string> => ({
      CONVERGE_DB: pg.url,
      CONVERGE_NODE_ID: node,
      CONVERGE_CLUSTER_HEARTBEAT_MS: "200",
      CONVERGE_KICK_ON_RELOAD: "true",
      CONVERGE_KICK_PER_SECOND: String(RATE),
    });
    nodes = [
      await startTestServer({ policies: EXAMPLE_POLICIES, env: env("once-a") }),
      await startTestServer({ policies: EXAMPLE_POLICIES, env: env("once-b") }),
    ];
    listener = await ConnReqListener.start({
      onRequest: (d) => {
        kicks.get(d)?.push(Date.now());
        kickSessions.push(session(d));
      },
    });
    for (const [m, file] of MODEL_FILES.entries()) {
      for (let i = 0; i < PER_MODEL; i++) {
        const d = new SimDevice(model(file), { serialNumber: `ONCE${m}${String(i).padStart(3, "0")}` });
        listener.register(d);
        kicks.set(d, []);
        devices.push(d);
      }
    }
    await Promise.all(
      devices.map(async (d) => {
        for (let i = 0; i < 6; i++) {
          const r = await session(d);
          assert.equal(r.ok, true, `${d.deviceId.serialNumber}: ${r.error}`);
          if (r.rpcs.length === 0) return;
        }
        assert.fail(`${d.deviceId.serialNumber} not converged`);
      }),
    );
  });
  after(async () => {
    await Promise.allSettled(kickSessions);
    await listener?.close();
    for (const n of nodes) await n.close();
    await pg?.stop();
  });

  const clearKicks = async (): Promise<void> => {
    await Promise.allSettled(kickSessions);
    kickSessions.length = 0;
    for (const k of kicks.values()) k.length = 0;
  };

  it("kicks each device a reload on both nodes changes exactly once, and no other", async () => {
    assert.ok(devices.every((d) => interval(d) === "3600"));
    await clearKicks();
    // One commit deployed to both nodes: the same edit in each node's folder; both reload it.
    for (const n of nodes) {
      const file = join(n.policiesDir, "inform-tr098.yaml");
      writeFileSync(file, readFileSync(file, "utf8").replace("PeriodicInformInterval: 3600", "PeriodicInformInterval: 1800"));
    }
    const revisions = await Promise.all(
      nodes.map(async (n) => (await apiClient(n.apiUrl)<{ revision: string }>("POST", "/api/policies/reload")).json.revision),
    );
    assert.equal(revisions[0], revisions[1], "both nodes serve the same revision");
    const tr098 = devices.filter((d) => d.model.kind === "tr098");
    await until("every TR-098 device on the new interval", () => tr098.every((d) => interval(d) === "1800"));
    await settle(1500); // a second node's late duplicate kicks would show up here
    await Promise.all(kickSessions);
    const counts = tr098.map((d) => kicks.get(d)?.length ?? 0);
    assert.deepEqual(
      counts,
      tr098.map(() => 1),
      "each changed device was kicked exactly once across both nodes",
    );
    assert.deepEqual(
      devices.filter((d) => d.model.kind !== "tr098" && (kicks.get(d)?.length ?? 0) > 0).map((d) => d.deviceId.serialNumber),
      [],
      "no unchanged device was kicked",
    );
  });

  it("sends one connection request for a 'converge now' asked of both nodes at once", async () => {
    await clearKicks();
    const [x, y, z] = [devices[1] as SimDevice, devices[5] as SimDevice, devices[9] as SimDevice];
    const ask = (n: TestServer, d: SimDevice) =>
      apiClient(n.apiUrl)<{ outcome: string; session: { deviceId: string } | null }>("POST", `/api/devices/${idOf(d)}/connection-request?waitMs=20000`);
    const [a, b, c, e] = await Promise.all([ask(nodes[0]!, x), ask(nodes[1]!, x), ask(nodes[0]!, y), ask(nodes[1]!, z)]);
    await Promise.all(kickSessions);
    for (const r of [a, b, c, e]) assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.equal(a.json.session?.deviceId, deviceIdOf(x.deviceId), "both answers carry the session the one request triggered");
    assert.equal(b.json.session?.deviceId, deviceIdOf(x.deviceId));
    assert.equal(kicks.get(x)?.length, 1, "asked of both nodes: one connection request");
    assert.equal(kicks.get(y)?.length, 1);
    assert.equal(kicks.get(z)?.length, 1);
    assert.equal(
      [...kicks.values()].reduce((n, k) => n + k.length, 0),
      3,
      "nothing else was sent",
    );
  });

  it("keeps the sends of both nodes within one token bucket", async () => {
    await clearKicks();
    const bulk = (n: TestServer) =>
      apiClient(n.apiUrl)<{ matched: number }>("POST", "/api/devices/bulk", { filter: {}, connectionRequest: true, dryRun: false, expect: devices.length });
    const answers = await Promise.all(nodes.map(bulk));
    for (const r of answers) assert.equal(r.status, 200, JSON.stringify(r.json));
    await until("every device asked twice (once by each node)", () => devices.every((d) => (kicks.get(d)?.length ?? 0) >= 2));
    await Promise.all(kickSessions);
    const times = devices.flatMap((d) => kicks.get(d) ?? []).sort((p, q) => p - q);
    assert.equal(times.length, 2 * devices.length);
    // The shared bucket holds RATE tokens (its burst) and gains RATE a second, whichever node takes them; each
    // node's own pacer sends RATE a second, so two unshared nodes would send 2 x RATE a second.
    const windowMs = 2000;
    const allowed = RATE + (RATE * windowMs) / 1000 + 1;
    let most = 0;
    for (let i = 0; i < times.length; i++) {
      let j = i;
      while (j < times.length && (times[j] as number) - (times[i] as number) <= windowMs) j++;
      most = Math.max(most, j - i);
    }
    assert.ok(most <= allowed, `at most ${allowed} sends in any ${windowMs} ms across both nodes, saw ${most}`);
  });

  it("refuses a delete on one node while the device's session lives on the other", async () => {
    const d = devices[2] as SimDevice;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const opened = await rawPost(nodes[0]!.cwmpUrl, agent, {}, encodeCpeMessage(d.inform(Date.now()), { version: "1.0", id: "1" }));
      assert.equal(opened.status, 200, opened.body);
      const refused = await apiClient(nodes[1]!.apiUrl)<{ error: { code: string; message: string } }>("DELETE", `/api/devices/${idOf(d)}`);
      assert.equal(refused.status, 409, JSON.stringify(refused.json));
      assert.match(refused.json.error.message, /once-a/);
      const still = await apiClient(nodes[1]!.apiUrl)("GET", `/api/devices/${idOf(d)}`);
      assert.equal(still.status, 200, "the device is still stored");
    } finally {
      agent.destroy();
    }
  });

  it("records on one node the transcript a debug switch set through the other asks for", async () => {
    const d = devices[3] as SimDevice;
    const on = await apiClient(nodes[1]!.apiUrl)("PUT", `/api/devices/${idOf(d)}/debug`, { enabled: true });
    assert.equal(on.status, 200);
    await until("node a sees the switch", async () => {
      const got = await apiClient(nodes[0]!.apiUrl)<{ debug: boolean }>("GET", `/api/devices/${idOf(d)}`);
      return got.json.debug;
    });
    const listed = async (): Promise<{ id: string }[]> =>
      (await apiClient(nodes[1]!.apiUrl)<{ sessions: { id: string }[] }>("GET", `/api/devices/${idOf(d)}`)).json.sessions;
    const known = new Set((await listed()).map((s) => s.id));
    const r = await runSession(d, { acsUrl: nodes[0]!.cwmpUrl, timeoutMs: 20_000, maxMessages: 200 });
    assert.equal(r.ok, true, r.error);
    // The session's log row is deferred telemetry on node a (written within ~100 ms).
    let last: { id: string } | undefined;
    await until("the session listed", async () => (last = (await listed()).find((s) => !known.has(s.id))) !== undefined);
    assert.ok(last);
    const transcript = await apiClient(nodes[1]!.apiUrl)<{ entries: unknown[] }>("GET", `/api/devices/${idOf(d)}/sessions/${last.id}`);
    assert.equal(transcript.status, 200, JSON.stringify(transcript.json));
    assert.ok(transcript.json.entries.length > 0, "node a recorded the transcript");
    const off = await apiClient(nodes[0]!.apiUrl)("PUT", `/api/devices/${idOf(d)}/debug`, { enabled: false });
    assert.equal(off.status, 200);
    await until("node b sees it off", async () => !(await apiClient(nodes[1]!.apiUrl)<{ debug: boolean }>("GET", `/api/devices/${idOf(d)}`)).json.debug);
  });
});
