/**
 * Issue 11 "Observability": a kick run (kick-on-reload) logs when it starts and, once every device it queued
 * has an outcome, one line with the counts by outcome. Real store, real reach, a pino logger into an array.
 */
import test from "node:test";
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import pino from "pino";
import { buildConfig } from "../../src/config/config.js";
import { openSqliteStore } from "../../src/store/sqlite-store.js";
import { createReach } from "../../src/server/reach.js";
import { keyedHasher } from "../../src/reconcile/parameter-key.js";
import { informFacts } from "../../src/session/inform-facts.js";
import { SimDevice } from "../../src/sim/device.js";
import { model } from "../support/fleet-models.js";
import { recordInform } from "../support/record-inform.js";

void test("a kick run logs its start and, when done, its devices and outcomes", async () => {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({ write: (chunk: Buffer, _e, cb) => (lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>), cb()) });
  const cfg = buildConfig({ CONVERGE_KICK_PER_SECOND: "200" }, undefined);
  assert.ok(cfg.ok);
  const store = openSqliteStore(":memory:");
  const reach = createReach({ store, cfg: cfg.value, log: pino({ level: "info" }, sink), hashWriteOnly: keyedHasher(await store.installationKey()) });
  try {
    const ids = [];
    for (let i = 0; i < 3; i++) {
      const d = new SimDevice(model("zte-h199a-tr098.csv"), { serialNumber: `KICKLOG-${i}` });
      d.setConnectionRequestUrl("");
      const facts = { ...informFacts(d.inform(Date.now()), "127.0.0.1"), connectionRequestUrl: "", udpConnectionRequestAddress: "" };
      await recordInform(store, facts, Date.now());
      ids.push(facts.deviceId);
    }
    reach.kick(ids, "reload r1 -> r2");
    const until = Date.now() + 5_000;
    while (!lines.some((l) => l["msg"] === "kick done") && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    const started = lines.find((l) => l["msg"] === "kick started");
    const done = lines.find((l) => l["msg"] === "kick done");
    assert.equal(started?.["kick"], "reload r1 -> r2");
    assert.equal(done?.["kick"], "reload r1 -> r2");
    assert.equal(done?.["devices"], 3);
    assert.deepEqual(done?.["outcomes"], { no_url: 3 });
  } finally {
    reach.close();
    await store.close();
  }
});
