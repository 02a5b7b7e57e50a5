/**
 * A boot storm of a few hundred simulated CPEs across all six real data models against a real server whose
 * admission limit is far below the storm: the ACS sheds with 503 + Retry-After, the devices back off and
 * retry, and in the end no device, no session and no value is lost, and every device converges to the
 * example policies.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import Database from "better-sqlite3";
import { startTestServer, EXAMPLE_POLICIES } from "../support/server.js";
import { MODEL_FILES } from "../support/fleet-models.js";
import { deviceIdOf } from "../../src/domain/device.js";
import { Fleet } from "../../src/sim/fleet.js";
import { acsCounts, countCondition } from "../../src/sim/fleet-acs.js";
import { FLEET_DEFAULTS, parseQuirksMix, type FleetOptions } from "../../src/sim/fleet-options.js";

const DEVICES = 240;
const MAX_SESSIONS = 20;

function options(acsUrl: string): FleetOptions {
  const quirks = parseQuirksMix("none:70,noCookies:6,booleanAsDigit:6,latin1:6,chunked:6,lyingArrayCounts:4,newConnectionPerRequest:2");
  if (!quirks.ok) throw new Error(quirks.error);
  return {
    acsUrl,
    count: DEVICES,
    models: MODEL_FILES.map((f) => ({ value: new URL(`../fixtures/datamodels/${f}`, import.meta.url).pathname, weight: 1 })),
    quirks: quirks.value,
    seed: "e2e-boot-storm",
    intervalS: 0.05,
    jitter: 0.5,
    concurrency: 4 * MAX_SESSIONS,
    bootStorm: true,
    rampS: 0,
    durationS: undefined,
    // First session: bootstrap and converge (a firmware pin leaves its model pending a transfer); then
    // TransferComplete + BOOT; then a session that must change nothing.
    rounds: 3,
    deadlineS: 50,
    timeoutMs: 10_000,
    maxMessages: FLEET_DEFAULTS.maxMessages,
    retryMinS: 0.1,
    retryAfterMaxS: 0.2,
    listen: false,
    indexOffset: 0,
  };
}

test("a boot storm over all six models is shed, retried and loses nothing; every device converges", { timeout: 60_000 }, async () => {
  const srv = await startTestServer({ policies: EXAMPLE_POLICIES, env: { CONVERGE_MAX_SESSIONS: String(MAX_SESSIONS) } });
  const fleet = await Fleet.create(options(srv.cwmpUrl));
  try {
    const run = await fleet.run();
    const c = run.counters;
    assert.equal(run.stopped, "done", `fleet stopped: ${run.stopped}, outcomes ${JSON.stringify(run.lastOutcomes)}`);
    assert.deepEqual(run.lastOutcomes, { ok: DEVICES });
    assert.ok(c.shed > 0, "the storm exceeded the admission limit, so some Informs were shed with 503");
    assert.deepEqual(Object.fromEntries(c.errors), {}, "no failure other than 503");
    assert.equal(new Set(fleet.members.map((m) => m.model)).size, MODEL_FILES.length, "all six models in the fleet");

    const counts = await acsCounts(srv.apiUrl);
    assert.equal(counts.devices, DEVICES, "every device stored");
    for (const m of fleet.members) assert.ok(await srv.store.getDevice(deviceIdOf(m.device.deviceId)), `stored: ${m.device.deviceId.serialNumber}`);

    const db = new Database(srv.dbPath, { readonly: true, fileMustExist: true });
    try {
      const row = db.prepare<[], { ok: number; total: number }>("SELECT sum(outcome = 'ok') AS ok, count(*) AS total FROM sessions").get();
      assert.equal(row?.ok, c.sessionsOk, "every successful session the fleet counted is recorded as ok");
      assert.equal(row?.total, c.sessionsOk, "no session recorded that the fleet did not complete (503s open none)");
    } finally {
      db.close();
    }
    assert.equal(counts.converged, DEVICES, `all converged (pending ${counts.pending}, faulted ${counts.faulted})`);
    assert.equal(await countCondition(srv.apiUrl, "Faulted=true"), 0);
  } finally {
    await fleet.close();
    await srv.close();
  }
});
