/**
 * The messages nodes send each other (cluster/port.ts): what is encoded is parsed back the same, anything else
 * (unknown topics, wrong field types, oversized payloads, not JSON) is dropped, and the in-process cluster's
 * exclusive sections of one name run one after another.
 */
import test from "node:test";
import assert from "node:assert/strict";
import { MAX_MESSAGE_BYTES, encodeClusterMessage, parseClusterMessage, type ClusterMessage } from "../../src/cluster/port.js";
import { localCluster } from "../../src/cluster/local.js";
import { compactSummary, summaryOf } from "../../src/server/cluster-relay.js";
import { deviceIdOf } from "../../src/domain/device.js";

const messages: readonly ClusterMessage[] = [
  { topic: "debug", deviceId: "00259E-EG8145V5-X1", enabled: true },
  { topic: "rollouts" },
  { topic: "await", deviceId: "00259E-EG8145V5-X1", forMs: 30_000 },
  { topic: "session", deviceId: "00259E-EG8145V5-X1", summary: { sessionId: "s1", outcome: "ok" } },
];

void test("a message encoded by one node is parsed back the same by another", () => {
  for (const m of messages) {
    const text = encodeClusterMessage("node-a", m);
    assert.ok(text !== undefined);
    assert.deepEqual(parseClusterMessage(text), { from: "node-a", message: m });
  }
});

void test("anything else is dropped: unknown topics, wrong types, oversized payloads, not JSON", () => {
  const bad = [
    "not json",
    "[]",
    JSON.stringify({ from: 1, m: { topic: "rollouts" } }),
    JSON.stringify({ from: "a", m: { topic: "shutdown" } }),
    JSON.stringify({ from: "a", m: { topic: "debug", deviceId: "x", enabled: "yes" } }),
    JSON.stringify({ from: "a", m: { topic: "await", deviceId: "x", forMs: "soon" } }),
    JSON.stringify({ from: "a", m: { topic: "session", deviceId: "x", summary: [] } }),
    JSON.stringify({ from: "a", m: { topic: "rollouts", pad: "x".repeat(MAX_MESSAGE_BYTES) } }),
  ];
  for (const text of bad) assert.equal(parseClusterMessage(text), undefined, text.slice(0, 60));
  assert.equal(encodeClusterMessage("a", { topic: "debug", deviceId: "x".repeat(MAX_MESSAGE_BYTES), enabled: true }), undefined, "too large to send");
});

void test("a session summary survives the trip between nodes; a malformed one is refused", () => {
  const deviceId = deviceIdOf({ manufacturer: "Huawei", oui: "00259E", productClass: "EG8145V5", serialNumber: "X1" });
  const s = {
    sessionId: "s1",
    deviceId,
    outcome: "ok" as const,
    rpcCount: 2,
    rpcs: ["GetParameterValues", "SetParameterValues"],
    events: ["6 CONNECTION REQUEST"],
    durationMs: 12,
    converged: true,
    fast: false,
  };
  const back = summaryOf(deviceId, JSON.parse(JSON.stringify(compactSummary(s))) as Record<string, unknown>);
  assert.deepEqual(back, s);
  assert.equal(summaryOf(deviceId, { ...compactSummary(s), rpcs: [1] }), undefined);
  assert.equal(summaryOf("not a device id", compactSummary(s)), undefined);
});

void test("the in-process cluster runs exclusive sections of one name one after another", async () => {
  const c = localCluster("solo");
  const order: string[] = [];
  const slow = (name: string, ms: number) => async () => {
    order.push(`${name}+`);
    await new Promise((r) => setTimeout(r, ms));
    order.push(`${name}-`);
    return name;
  };
  const results = await Promise.all([
    c.exclusive("x", slow("a", 20)),
    c.exclusive("x", slow("b", 1)),
    c.exclusive("x", async () => Promise.reject(new Error("c"))).catch((e: Error) => e.message),
    c.exclusive("x", slow("d", 1)),
  ]);
  assert.deepEqual(results, ["a", "b", "c", "d"]);
  assert.deepEqual(order, ["a+", "a-", "b+", "b-", "d+", "d-"]);
  assert.equal(await c.lead("gates", 1000), true, "alone, a node leads");
  assert.equal(await c.publish({ topic: "rollouts" }), false, "alone, nobody to tell");
  await c.close();
});
