/**
 * A staged rollout on two Converge servers sharing one throwaway PostgreSQL (store and cluster), real HTTP on
 * 127.0.0.1, 60 simulated CPEs of three TR-098 models whose sessions alternate between the nodes:
 *   - both nodes reload the same commit at once: one rollout starts (one id, one "started" event), and both nodes
 *     show the same wave of every device;
 *   - faults counted on either node trip the gate once (one "paused" event) and its reason names the faulted
 *     canaries of both nodes;
 *   - resume, promote and abort through either node's API take effect once (one event each) and on both nodes:
 *     a device's next session on the other node gets the version the action gives it.
 * Time is one injected clock shared by both servers (never advanced here: no gate passes by soak).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { buildConfig } from "../../src/config/config.js";
import { startServer, type Running } from "../../src/server/runtime.js";
import { deviceIdOf } from "../../src/domain/device.js";
import { SimDevice } from "../../src/sim/device.js";
import { runSession, type SessionResult } from "../../src/sim/client.js";
import { model } from "../support/fleet-models.js";
import { ManualClock, type RolloutJson } from "../support/rollout-fleet.js";
import { startPg, type PgCluster } from "../support/pg-cluster.js";
import { pgSkip } from "../support/pg-skip.js";

const skip = pgSkip();
const PATH = "InternetGatewayDevice.ManagementServer.PeriodicInformInterval";
const MODELS = ["huawei-bm632w-tr098.csv", "nokia-g1425ga-tr098.csv", "zte-h199a-tr098.csv"] as const;
const PER_MODEL = 20;

const policy = (interval: number): string => `name: interval
match:
  dataModel: tr098
parameters:
  ${PATH}: ${interval}
rollout:
  waves: [10%, 100%]
  canaryPerModel: true
  soak: 1h
  gate: { converged: 95%, maxFaulted: 5%, within: 1h }
  onFailure: pause
`;

const interval = (d: SimDevice): string | undefined => d.get(PATH)?.value;
const idOf = (d: SimDevice): string => deviceIdOf(d.deviceId);
const settle = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(what: string, ok: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await settle(50);
  }
}

interface Node {
  readonly running: Running;
  readonly policies: string;
}

describe("a staged rollout on two nodes", { skip }, () => {
  let pg: PgCluster;
  let dir: string;
  const nodes: Node[] = [];
  const clock = new ManualClock(Date.parse("2026-12-01T10:00:00Z"));
  const devices: SimDevice[] = [];
  let rolloutId = "";

  const api = async <T>(n: Node, method: "GET" | "POST", path: string): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${n.running.apiUrl}${path}`, { method });
    return { status: res.status, body: (await res.json()) as T };
  };
  const on = (n: Node, d: SimDevice): Promise<SessionResult> => runSession(d, { acsUrl: n.running.cwmpUrl, timeoutMs: 20_000, maxMessages: 200 });
  const status = async (n: Node): Promise<RolloutJson> => (await api<RolloutJson>(n, "GET", `/api/rollouts/${rolloutId}?devices=true`)).body;
  const kinds = async (): Promise<string[]> => ((await status(nodes[0] as Node)).events ?? []).map((e) => e.kind);

  before(async () => {
    pg = await startPg();
    dir = mkdtempSync(join(tmpdir(), "converge-cluster-rollouts-"));
    for (const name of ["ro-a", "ro-b"]) {
      const policies = join(dir, name);
      mkdirSync(policies);
      writeFileSync(join(policies, "interval.yaml"), policy(3600));
      const cfg = buildConfig(
        {
          CONVERGE_CWMP_PORT: "0",
          CONVERGE_API_PORT: "0",
          CONVERGE_BIND: "127.0.0.1",
          CONVERGE_DB: pg.url,
          CONVERGE_POLICIES: policies,
          CONVERGE_NODE_ID: name,
          CONVERGE_CLUSTER_HEARTBEAT_MS: "200",
          CONVERGE_ROLLOUT_TICK_MS: "200",
        },
        undefined,
      );
      if (!cfg.ok) throw new Error(cfg.error.join("\n"));
      const running = await startServer({ ...cfg.value, reloadDebounceMs: 60_000 }, pino({ level: process.env["TEST_LOG"] ?? "silent" }), {
        clock: clock.read,
      });
      nodes.push({ running, policies });
    }
    MODELS.forEach((m, i) => {
      for (let j = 0; j < PER_MODEL; j++) devices.push(new SimDevice(model(m), { serialNumber: `CRO${i}${String(j).padStart(4, "0")}` }));
    });
    await Promise.all(
      devices.map(async (d, i) => {
        for (let k = 0; k < 6; k++) {
          const r = await on(nodes[(i + k) % 2] as Node, d);
          assert.equal(r.ok, true, r.error);
          if (r.rpcs.length === 0) return;
        }
        assert.fail(`${idOf(d)} not converged on v1`);
      }),
    );
  });
  after(async () => {
    for (const n of nodes) await n.running.close();
    await pg?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("starts one rollout when both nodes reload the same commit at once, with the same waves on both", async () => {
    for (const n of nodes) writeFileSync(join(n.policies, "interval.yaml"), policy(1800));
    const reloaded = await Promise.all(nodes.map((n) => api<{ ok: boolean }>(n, "POST", "/api/policies/reload")));
    for (const r of reloaded) assert.equal(r.status, 200, JSON.stringify(r.body));
    const lists = await Promise.all(nodes.map((n) => api<{ rollouts: RolloutJson[] }>(n, "GET", "/api/rollouts")));
    for (const l of lists)
      assert.deepEqual(
        l.body.rollouts.map((r) => r.state),
        ["running"],
        "one rollout, on each node's API",
      );
    rolloutId = lists[0]?.body.rollouts[0]?.id ?? assert.fail("no rollout");
    assert.equal(lists[1]?.body.rollouts[0]?.id, rolloutId, "the same rollout on both nodes");
    const [a, b] = await Promise.all(nodes.map(status));
    const waves = (r: RolloutJson | undefined): string[] => (r?.devices ?? []).map((x) => `${x.id}:${x.wave}`).sort();
    assert.equal(a?.devices?.length, devices.length);
    assert.deepEqual(waves(a), waves(b), "both nodes show the same wave of every device");
    assert.deepEqual(await kinds(), ["started"]);
  });

  it("trips the gate once on faults counted on both nodes, and names the canaries of both", async () => {
    const r = await status(nodes[0] as Node);
    const canary = new Set((r.devices ?? []).filter((x) => x.wave === 0).map((x) => x.id));
    const faultyModel = devices[0]?.model.identity.productClass;
    const faulty = devices.filter((d) => d.model.identity.productClass === faultyModel && canary.has(idOf(d)));
    assert.ok(faulty.length >= 2, `faulty canaries: ${faulty.length}`);
    for (const d of faulty) d.failValues.set(PATH, new Map([["1800", 9007]]));
    // One faulty canary's session on each node.
    const results = await Promise.all(faulty.map((d, i) => on(nodes[i % 2] as Node, d)));
    for (const res of results) assert.equal(res.ok, true, res.error);
    await until("the rollout paused on both nodes, naming every faulty canary", async () => {
      const [a, b] = await Promise.all(nodes.map(status));
      return [a, b].every((x) => x?.state === "paused" && x.reason?.faults.length === faulty.length);
    });
    const paused = await status(nodes[1] as Node);
    assert.equal(paused.reason?.kind, "gate-faulted");
    assert.deepEqual(new Set(paused.reason?.faults.map((f) => f.deviceId)), new Set(faulty.map(idOf)), "the reason names the faulted canaries of both nodes");
    await settle(600); // the other node's ticks: it must not judge again
    const ks = await kinds();
    assert.equal(ks.filter((k) => k === "paused").length, 1, `one automatic pause: ${ks.join(",")}`);
    for (const d of faulty) d.failValues.delete(PATH);
  });

  it("carries out resume, promote and abort through either node once, and both nodes serve what they say", async () => {
    const [a, b] = nodes as [Node, Node];
    const resumed = await api<RolloutJson>(b, "POST", `/api/rollouts/${rolloutId}/resume`);
    assert.equal(resumed.status, 200, JSON.stringify(resumed.body));
    await until("node a sees it running", async () => (await status(a)).state === "running");
    const promoted = await api<RolloutJson>(a, "POST", `/api/rollouts/${rolloutId}/promote`);
    assert.equal(promoted.status, 200, JSON.stringify(promoted.body));
    await until("node b sees wave 2", async () => (await status(b)).wave === 1);
    // A device of the second wave gets the new version on the node that did not promote.
    const r = await status(b);
    const wave2 = devices.find((d) => r.devices?.find((x) => x.id === idOf(d))?.wave === 1) ?? assert.fail("no second-wave device");
    assert.equal((await on(b, wave2)).ok, true);
    assert.equal(interval(wave2), "1800", "node b serves the promoted wave the canary version");
    const aborted = await api<RolloutJson>(b, "POST", `/api/rollouts/${rolloutId}/abort`);
    assert.equal(aborted.status, 200, JSON.stringify(aborted.body));
    await until("node a sees it aborted", async () => (await status(a)).state === "aborted");
    assert.equal((await on(a, wave2)).ok, true);
    assert.equal(interval(wave2), "3600", "node a serves the stable version after an abort through node b");
    const again = await api<{ error: { code: string } }>(a, "POST", `/api/rollouts/${rolloutId}/promote`);
    assert.equal(again.status, 409, "an aborted rollout cannot be promoted through the other node either");
    const ks = await kinds();
    for (const k of ["started", "paused", "resumed", "promoted", "aborted"])
      assert.equal(ks.filter((x) => x === k).length, 1, `one ${k} event: ${ks.join(",")}`);
  });
});
