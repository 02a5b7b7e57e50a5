/**
 * Kicking at 400/s through the real reach (server/reach.ts: the pacer, credentials, Digest connection requests over
 * HTTP on 127.0.0.1, outcomes recorded in a real SQLite store) on a fake clock: the test moves time one pacer tick
 * at a time and only once every send of that tick has settled, so the simulated CPEs stamp each request with the
 * tick that sent it. The figures are exact whatever the machine's load (no wall-clock assertion).
 */
import test from "node:test";
import assert from "node:assert/strict";
import pino from "pino";
import { buildConfig } from "../../src/config/config.js";
import { openSqliteStore } from "../../src/store/sqlite-store.js";
import { createReach } from "../../src/server/reach.js";
import { connReqCredentials } from "../../src/server/desired-resolver.js";
import { kickMaxCredit, kickTickMs } from "../../src/server/kick-pacer.js";
import { keyedHasher } from "../../src/reconcile/parameter-key.js";
import { informFacts } from "../../src/session/inform-facts.js";
import { SimDevice } from "../../src/sim/device.js";
import { ConnReqListener } from "../../src/sim/connreq-listener.js";
import type { DeviceId } from "../../src/domain/device.js";
import { model } from "../support/fleet-models.js";
import { recordInform } from "../support/record-inform.js";
import { FakeClock, flush } from "../support/fake-clock.js";

const RATE = 400;
const DEVICES = 136;

/** Waits (bounded, on events) until `cond` holds; the assertions never look at how long it took. */
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2_000 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(cond(), `never happened: ${what}`);
}

void test(`kicking at ${RATE}/s through the real reach: each device once, at the configured rate (fake clock)`, async () => {
  const cfg = buildConfig({ CONVERGE_KICK_PER_SECOND: String(RATE) }, undefined);
  assert.ok(cfg.ok, cfg.ok ? "" : cfg.error.join("\n"));
  const clock = new FakeClock();
  const store = openSqliteStore(":memory:");
  const kicks = new Map<string, number[]>();
  const listener = await ConnReqListener.start({ onRequest: (d) => kicks.get(d.deviceId.serialNumber)?.push(clock.now()) });
  const outcomes: string[] = [];
  const reach = createReach({
    store,
    cfg: cfg.value,
    log: pino({ level: "silent" }),
    timers: clock,
    onOutcome: (kind) => void outcomes.push(kind),
    hashWriteOnly: keyedHasher(await store.installationKey()),
  });
  try {
    const ids: DeviceId[] = [];
    for (let i = 0; i < DEVICES; i++) {
      const d = new SimDevice(model("zte-h199a-tr098.csv"), { serialNumber: `PACE${String(i).padStart(4, "0")}` });
      listener.register(d);
      kicks.set(d.deviceId.serialNumber, []);
      const facts = informFacts(d.inform(clock.now()), "127.0.0.1");
      await recordInform(store, facts, clock.now());
      // The device holds the credentials the ACS would have provisioned on it.
      const creds = await connReqCredentials(store, facts.deviceId);
      assert.ok(d.setLocal(`${d.model.root}ManagementServer.ConnectionRequestUsername`, creds.username));
      assert.ok(d.setLocal(`${d.model.root}ManagementServer.ConnectionRequestPassword`, creds.password));
      ids.push(facts.deviceId);
    }
    const startedAt = clock.now();
    reach.kick(ids, "pacing");
    const tick = kickTickMs(RATE);
    for (let i = 0; i < 1_000 && outcomes.length < DEVICES; i++) {
      clock.advance(tick);
      await flush();
      await until(() => reach.kicking().inFlight === 0, "this tick's connection requests to settle");
    }
    const all = [...kicks.values()];
    assert.deepEqual(new Set(outcomes), new Set(["ok"]), "every CPE accepted its connection request");
    assert.equal(outcomes.length, DEVICES);
    assert.ok(
      all.every((k) => k.length === 1),
      "each device was kicked exactly once",
    );
    const times = all.flat().sort((a, b) => a - b);
    // At most the banked credit plus what the rate earns, in any span; the whole run within a tick of n / rate.
    const credit = kickMaxCredit(RATE);
    for (let i = 0; i < times.length; i++)
      for (let j = i; j < times.length; j++) {
        const span = (times[j] as number) - (times[i] as number);
        assert.ok(j - i + 1 <= credit + (span * RATE) / 1000 + 1e-9, `${j - i + 1} kicks within ${span} ms at ${RATE}/s`);
      }
    const last = (times[times.length - 1] as number) - startedAt;
    assert.ok(last <= (DEVICES / RATE) * 1000 + tick, `the last kick at ${last} ms; ideal ${(DEVICES / RATE) * 1000} ms`);
  } finally {
    reach.close();
    await listener.close();
    await store.close();
  }
});
