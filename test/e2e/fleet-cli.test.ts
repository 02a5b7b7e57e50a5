/**
 * `converge sim` end to end: the CLI drives a fleet split over two worker processes against a real server,
 * and its JSON summary agrees with what the ACS stored. Also: the same seed builds the same devices however
 * the fleet is split.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { startTestServer } from "../support/server.js";
import { runSim } from "../../src/cli/sim.js";
import { simOptions } from "../../src/cli/sim.js";
import { Fleet } from "../../src/sim/fleet.js";
import type { FleetSummary } from "../../src/sim/fleet-report.js";

test("converge sim --workers 2 --json: summary merged from both processes matches the store", { timeout: 60_000 }, async () => {
  const srv = await startTestServer();
  try {
    let out = "";
    let errText = "";
    const io = { stdout: (s: string) => void (out += s), stderr: (s: string) => void (errText += s) };
    const code = await runSim(
      [
        "--acs",
        srv.cwmpUrl,
        "--api",
        srv.apiUrl,
        "--count",
        "60",
        "--workers",
        "2",
        "--concurrency",
        "8",
        "--seed",
        "cli",
        "--json",
        "--quirks-mix",
        "none:3,noCookies:1,chunked:1",
      ],
      io,
      {},
    );
    assert.equal(code, 0, errText);
    const s = JSON.parse(out) as FleetSummary;
    assert.equal(s.workers, 2);
    assert.equal(s.devices, 60);
    assert.equal(s.done, 60);
    assert.equal(s.sessionsOk, 60);
    assert.equal(s.latencyMs.p50 > 0 && s.latencyMs.p50 <= s.latencyMs.p99, true);
    assert.deepEqual(s.lastOutcomes, { ok: 60 });
    assert.equal(
      Object.values(s.models).reduce((a, b) => a + b, 0),
      60,
    );
    assert.deepEqual(s.acs, { devices: 60, converged: 60, pending: 0, faulted: 0 }, "empty policies: every device converged");
  } finally {
    await srv.close();
  }
});

test("the same seed builds the same devices in one process or split in two", async () => {
  const parsed = simOptions(
    ["--acs", "http://127.0.0.1:9/", "--count", "40", "--seed", "split", "--quirks-mix", "none:1,latin1:1,booleanAsDigit:1"],
    {},
    process.cwd(),
  );
  assert.ok(parsed.ok);
  if (!parsed.ok) return;
  const o = parsed.value.opts;
  const describe = (f: Fleet): string[] =>
    f.members.map((m) => `${m.device.deviceId.oui}-${m.device.deviceId.productClass}-${m.device.deviceId.serialNumber}/${m.quirks.name}`);
  const whole = await Fleet.create(o);
  const first = await Fleet.create({ ...o, count: 15 });
  const second = await Fleet.create({ ...o, count: 25, indexOffset: 15 });
  try {
    assert.deepEqual([...describe(first), ...describe(second)], describe(whole));
    assert.equal(new Set(describe(whole)).size, 40, "identities are unique");
  } finally {
    await Promise.all([whole.close(), first.close(), second.close()]);
  }
});
